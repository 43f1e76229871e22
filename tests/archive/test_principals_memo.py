"""Speed (issue 12 point 12, issue 13.10): one request computes each user's principals once,
not once per selector (a page with the desk's sources in its frame asked ten times, four
queries each). The memo must never outlive a change of what principals are made of, must
keep users apart, and must not exist outside a request (or a desk)."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive import permissions
from archive.actors import actor_for_user as acting
from archive.permissions import principals_memo, user_principals
from archive.selectors import documents_visible_to
from archive.services.breakglass import break_glass_open
from archive.services.casefiles import case_file_share, case_file_unshare
from tests.archive.helpers import file_document, grant
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _queries(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


def _sees(person, document) -> bool:
    return documents_visible_to(person).filter(pk=document.pk).exists()


def test_inside_a_memo_the_principals_are_computed_once_outside_every_time(demo):
    person = user("sachbearbeitung-a")
    user_principals(person)  # loads the staff profile onto the object once
    first, computing = _queries(lambda: user_principals(person))
    _again, outside = _queries(lambda: user_principals(person))
    assert computing > 0 and outside == computing  # no memo: the same work every time
    with principals_memo():
        assert _queries(lambda: user_principals(person)) == (first, computing)
        assert _queries(lambda: user_principals(person)) == (first, 0)
        # another object of the same account (as a view's helper may load) shares it
        other = user("sachbearbeitung-a")
        assert _queries(lambda: user_principals(other)) == (first, 0)
    assert _queries(lambda: user_principals(person))[1] == computing


def test_the_memo_keeps_users_apart(demo):
    document = file_document(demo["A"])
    with principals_memo():
        assert _sees(user("sachbearbeitung-a"), document)
        assert not _sees(user("sachbearbeitung-b"), document)
        assert user_principals(user("sachbearbeitung-a")) != user_principals(
            user("sachbearbeitung-b"))
        assert user_principals(user("poststelle")) == frozenset({permissions.INBOX})


def test_a_token_scope_is_part_of_the_key(demo):
    person = user("sachbearbeitung-a")
    with principals_memo():
        full = user_principals(person)
        person.unit_scope = frozenset()  # a token scoped to no unit
        assert user_principals(person) == frozenset()
        del person.unit_scope
        assert user_principals(person) == full


def test_a_share_granted_or_revoked_inside_one_memo_counts_at_once(demo):
    document = file_document(demo["A"])
    lead = grant("sachbearbeitung-a", "share_casefile")
    reader = user("sachbearbeitung-b")
    with principals_memo():
        assert not _sees(reader, document)
        share = case_file_share(actor=acting(lead), case_file=demo["A"], unit=demo["B"].unit,
                                reason="Zuständigkeitswechsel",
                                valid_until=timezone.now() + timedelta(days=7))
        assert _sees(reader, document)
        case_file_unshare(actor=acting(lead), share=share)
        assert not _sees(reader, document)


def test_a_break_glass_opening_inside_one_memo_counts_at_once(demo):
    document = file_document(demo["A"])
    reader = user("sachbearbeitung-b")
    with principals_memo():
        assert not _sees(reader, document)
        break_glass_open(actor=acting(reader), file_reference=demo["A"].file_reference,
                         reason="Vertretung im Krankheitsfall, Bürger vorsprechend")
        assert _sees(reader, document)


def test_losing_a_unit_or_the_account_inside_one_memo_counts_at_once(demo):
    document = file_document(demo["A"])
    reader = user("sachbearbeitung-a")
    with principals_memo():
        assert _sees(reader, document)
        reader.staff_profile.units.remove(demo["A"].unit)
        assert not _sees(reader, document)
        reader.staff_profile.units.add(demo["A"].unit)
        assert _sees(reader, document)
        reader.is_active = False
        reader.save(update_fields=["is_active"])
        assert not _sees(reader, document)


@pytest.mark.parametrize("url", ["/", "/arbeitsplatz/", "dokument", "/suche/?q=Antrag"])
def test_a_caseworker_page_computes_the_principals_once(demo, monkeypatch, url):
    document = file_document(demo["A"])
    url = f"/dokumente/{document.pk}/" if url == "dokument" else url
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    computed = []
    real = permissions._user_principals

    def counting(person):
        computed.append(person.username)
        return real(person)

    monkeypatch.setattr(permissions, "_user_principals", counting)
    response = client.get(url)
    assert response.status_code == 200
    # The page trimmed by the principals (its document or the frame's desk count) ...
    assert computed, "the page never asked for the principals"
    # ... and computed them once for the whole request, the desk's sources included.
    assert computed == ["sachbearbeitung-a"]
    # The next request starts afresh.
    client.get(url)
    assert computed == ["sachbearbeitung-a"] * 2
