"""Need-to-know beyond the own unit: clearance, staff cases, shares and break-glass."""
from datetime import timedelta

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput, NotFound
from archive.models import BreakGlass, Role
from archive.selectors import break_glass_open_for_review, case_files_visible_to
from archive.selectors import documents_visible_to as visible
from archive.services.access import document_read
from archive.services.breakglass import break_glass_open, break_glass_review
from archive.services.casefiles import (
    case_file_name_person,
    case_file_share,
    case_file_unshare,
    case_file_update,
)
from tests.archive.helpers import file_document, grant, staff
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _sees(username, document) -> bool:
    return visible(user(username)).filter(pk=document.pk).exists()


def test_confidential_case_files_need_clearance(demo):
    document = file_document(demo["A"])
    staff("sachbearbeitung-a2", unit_code="A", clearance=1)
    case_file_update(actor=acting(user("sachbearbeitung-a2")), case_file=demo["A"],
                     confidentiality=1)
    assert _sees("sachbearbeitung-a2", document)
    assert not _sees("sachbearbeitung-a", document)  # same unit, no clearance
    with pytest.raises(NotFound):
        document_read(user=user("sachbearbeitung-a"), document_id=document.pk)


def test_staff_cases_are_for_named_persons_only_never_personnel_administration(demo):
    document = file_document(demo["A"])
    staff("personal-a", unit_code="A", personnel_administration=True, clearance=2)
    staff("kollegin-b", unit_code="B")
    case_file_update(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"], staff_case=True)
    assert _sees("sachbearbeitung-a", document)  # who marked it stays named
    assert not _sees("personal-a", document)
    assert not _sees("kollegin-b", document)
    with pytest.raises(InvalidInput):
        case_file_name_person(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"],
                              person=user("personal-a"))
    case_file_name_person(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"],
                          person=user("kollegin-b"))
    assert _sees("kollegin-b", document)
    assert not _sees("personal-a", document)


def test_sharing_is_explicit_time_limited_and_revocable(demo):
    document = file_document(demo["A"])
    lead = grant("sachbearbeitung-a", "share_casefile")
    assert not _sees("sachbearbeitung-b", document)
    share = case_file_share(actor=acting(lead), case_file=demo["A"], unit=demo["B"].unit,
                            reason="Zuständigkeitswechsel",
                            valid_until=timezone.now() + timedelta(days=7))
    assert _sees("sachbearbeitung-b", document)
    assert demo["A"] in case_files_visible_to(user("sachbearbeitung-b"))
    # Reading only: B cannot change the shared file.
    with pytest.raises(NotFound):
        case_file_update(actor=acting(user("sachbearbeitung-b")), case_file=demo["A"], title="x")
    case_file_unshare(actor=acting(lead), share=share)
    assert not _sees("sachbearbeitung-b", document)
    expired = case_file_share(actor=acting(lead), case_file=demo["A"], unit=demo["B"].unit,
                              reason="befristet", valid_until=timezone.now() - timedelta(minutes=1))
    assert expired.pk and not _sees("sachbearbeitung-b", document)


def test_break_glass_needs_a_reason_expires_and_is_flagged_for_review(demo):
    document = file_document(demo["A"])
    with pytest.raises(InvalidInput):
        break_glass_open(actor=acting(user("sachbearbeitung-b")),
                         file_reference=demo["A"].file_reference,
                         reason="weil")
    with pytest.raises(NotFound):
        break_glass_open(actor=acting(user("poststelle")), file_reference=demo["A"].file_reference,
                         reason="Vertretung im Krankheitsfall der Kollegin")
    opening = break_glass_open(actor=acting(user("sachbearbeitung-b")),
                               file_reference=demo["A"].file_reference,
                               reason="Vertretung im Krankheitsfall, Bürger vorsprechend")
    assert _sees("sachbearbeitung-b", document)
    read = document_read(user=user("sachbearbeitung-b"), document_id=document.pk,
                         purpose=opening.reason)
    assert read.pk == document.pk
    assert list(break_glass_open_for_review()) == [opening]
    with pytest.raises(NotFound):
        break_glass_review(actor=acting(user("sachbearbeitung-a")), opening=opening, note="ok")
    break_glass_review(actor=acting(user("datenschutz")), opening=opening, note="berechtigt")
    assert list(break_glass_open_for_review()) == []
    BreakGlass.objects.filter(pk=opening.pk).update(expires_at=timezone.now())
    assert not _sees("sachbearbeitung-b", document)


def test_break_glass_does_not_open_staff_cases(demo):
    case_file_update(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"], staff_case=True)
    with pytest.raises(NotFound):
        break_glass_open(actor=acting(user("sachbearbeitung-b")),
                         file_reference=demo["A"].file_reference,
                         reason="Vertretung im Krankheitsfall, Bürger vorsprechend")


@pytest.mark.parametrize("role", [Role.DATA_PROTECTION, Role.ADMINISTRATOR, Role.MAILROOM])
def test_roles_without_unit_see_no_case_file_content(demo, role):
    document = file_document(demo["A"])
    staff("jemand", role=role, unit_code="A", clearance=2)
    assert not _sees("jemand", document)


def test_a_staff_case_named_for_several_persons_shows_each_of_them_its_documents_once(demo):
    """Named persons are matched by a subquery, not a join: a join repeated every row per
    named person, and the DISTINCT that hid it made each list and count of a caseworker
    compare every permitted row (bench/web, the start page's counts)."""
    document = file_document(demo["A"])
    staff("kollegin-a", unit_code="A")
    staff("kollegin-b", unit_code="B")
    case_file_update(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"], staff_case=True)
    for person in ("kollegin-a", "kollegin-b"):
        case_file_name_person(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"],
                              person=user(person))
    for name in ("sachbearbeitung-a", "kollegin-a", "kollegin-b"):
        documents = visible(user(name)).filter(case_file=demo["A"])
        shown = [found.pk for found in documents]
        assert shown.count(document.pk) == 1
        assert len(shown) == documents.count() == len(set(shown))
        assert case_files_visible_to(user(name)).filter(pk=demo["A"].pk).count() == 1
        assert not documents.query.distinct
    assert not visible(user("sachbearbeitung-b")).filter(case_file=demo["A"]).exists()
