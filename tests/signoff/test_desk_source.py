"""The "signoff" desk source answers in a fixed number of queries whatever the list length,
and lists a unit step for the unit's members but not for the unit's author."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Unit
from signoff.routes import signoff_route_start, signoff_step_refuse
from tests.archive.helpers import file_document

from .conftest import acting, desk_of

pytestmark = pytest.mark.django_db


def _drafts(case_file, count):
    for number in range(count):
        draft = file_document(case_file, text=f"Entwurf {number}", title=f"Entwurf {number}")
        route = signoff_route_start(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                                    cosigners=["kollegin-a"], final_signer="leitung-a")
        if number % 2:
            signoff_step_refuse(actor=acting("kollegin-a"), route_id=route.pk,
                                comment="Bitte überarbeiten")


def _queries(username) -> tuple[int, int]:
    desk_of(username)  # warm: permission and profile caches of the fixtures
    with CaptureQueriesContext(connection) as captured:
        entries = desk_of(username)
    return len(entries), len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_lists(people):
    _drafts(people["A"], 2)
    few = (_queries("kollegin-a"), _queries("sachbearbeitung-a"))
    _drafts(people["A"], 6)
    many = (_queries("kollegin-a"), _queries("sachbearbeitung-a"))
    assert [entries for entries, _ in few] == [1, 1]
    assert [entries for entries, _ in many] == [4, 4]
    assert [queries for _, queries in few] == [queries for _, queries in many]


def test_a_unit_step_is_on_the_desk_of_the_units_members_except_the_author(people):
    draft = file_document(people["A"], text="Entwurf", title="Entwurf an die Einheit")
    signoff_route_start(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                        cosigners=["A"], final_signer="leitung-a")
    [entry] = desk_of("kollegin-a")
    assert (entry.unit_id, entry.for_user_id, entry.title) == (
        Unit.objects.get(code="A").pk, None, "Entwurf an die Einheit")
    assert desk_of("sachbearbeitung-a") == [] and desk_of("sachbearbeitung-b") == []
