"""Each of the desk's own sources answers in a fixed number of queries whatever the length of
its list (issue 13.10; bench/desk measured them at 100,000 documents). The readable check of a
hand-over and of a signing step is per row (by key), and new post is reached through the
caseworker's files: the lists must still leave out what the user may not read."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.actors import actor_for_user
from desk.scope import desk_scope
from desk.services.handovers import handover_create
from desk.sources import handed_entries, new_post_entries
from tests.archive.helpers import file_document
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _measured(source, username):
    person = user(username)  # fresh: nothing cached on the object
    scope = desk_scope(person)
    with CaptureQueriesContext(connection) as captured:
        entries = source(scope)
    return len(entries), len(captured.captured_queries)


def test_new_post_takes_as_many_queries_for_ten_letters_as_for_one(team):
    file_document(team["A"], title="Brief 0")
    few = _measured(new_post_entries, "sachbearbeitung-a")
    for n in range(1, 10):
        file_document(team["A"], title=f"Brief {n}")
    file_document(team["B"], title="Brief der Einheit B")
    many = _measured(new_post_entries, "sachbearbeitung-a")
    assert (few[0], many[0]) == (1, 10)
    assert few[1] == many[1]
    # and unit B's caseworker, whose unit's file has no caseworker, sees only B's letter
    assert _measured(new_post_entries, "sachbearbeitung-b")[0] == 1


def test_hand_overs_take_as_many_queries_for_ten_as_for_one(team):
    def hand(document=None, case_file=None, note=""):
        handover_create(actor=actor_for_user(team["colleague"]), to_username="sachbearbeitung-a",
                        document_id=document.pk if document else None,
                        case_file_id=case_file.pk if case_file else None, note=note)

    hand(document=file_document(team["A"], title="Brief 0"))
    few = _measured(handed_entries, "sachbearbeitung-a")
    for n in range(1, 8):
        hand(document=file_document(team["A"], title=f"Brief {n}"), note=f"Notiz {n}")
    hand(case_file=team["A"])
    hand(case_file=team["A"], note="noch einmal")
    many = _measured(handed_entries, "sachbearbeitung-a")
    assert (few[0], many[0]) == (1, 10)
    assert few[1] == many[1]
