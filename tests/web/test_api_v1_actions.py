"""API v1, the actions its first cut left out (issue 15, point 1): follow-ups created, moved
and closed, file notes written and corrected, processes closed, and a v1 search with the
page's trimming, logging and count fields. Each goes through the service that authorizes the
actor; a token of another unit gets the 404 of an unknown id and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from archive.models import Document, Event, Process
from followups.models import FollowUp
from search.backends import get_backend
from search.indexing import documents_index
from tests.archive.helpers import file_document
from tests.web.test_api_v1 import _api, _last_event, _token, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_follow_ups_created_on_a_file_and_a_document_moved_and_closed(world):  # noqa: F811
    api = _api(world["token_a"])
    a, document = world["A"], world["document"]
    on_file = api.post(
        f"/api/v1/case-files/{a.pk}/follow-ups/",
        {"due": _later(7), "reason": "Unterlagen nachfordern"},
        format="json",
    )
    assert on_file.status_code == 201, on_file.content
    body = on_file.json()
    assert body["case_file"] == a.pk and body["assignee"] == "fv-wohngeld"
    on_document = api.post(
        f"/api/v1/documents/{document.pk}/follow-ups/",
        {"due": _later(3), "reason": "Frist prüfen", "unit": "A"},
        format="json",
    )
    assert on_document.status_code == 201, on_document.content
    assert on_document.json()["document"] == document.pk
    assert on_document.json()["unit"] == "A" and on_document.json()["assignee"] is None
    listed = api.get(f"/api/v1/case-files/{a.pk}/follow-ups/").json()["results"]
    assert {row["id"] for row in listed} == {body["id"], on_document.json()["id"]}

    moved = api.post(f"/api/v1/follow-ups/{body['id']}/move/",
                     {"due": _later(14), "reason": "Kur bis Monatsende"}, format="json")
    assert _last_event(action="follow_up_moved").clear_purpose == "Kur bis Monatsende"
    assert moved.status_code == 200 and moved.json()["due"] == _later(14)
    event = _last_event(action="follow_up_moved")
    assert event.data["from"] == _later(7) and event.data["via"]["channel"] == "api"
    past = api.post(f"/api/v1/follow-ups/{body['id']}/move/", {"due": _later(-1)}, format="json")
    assert past.status_code == 400 and past.json()["code"] == "FOLLOW_UP_DUE_PAST"
    closed = api.post(f"/api/v1/follow-ups/{body['id']}/close/", format="json")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    again = api.post(f"/api/v1/follow-ups/{body['id']}/close/", format="json")
    assert again.status_code == 409 and again.json()["code"] == "FOLLOW_UP_CLOSED"
    reader = _api(_token("nur lesen", "fv-leser", "A", actions=("read",)))
    scope = reader.post(f"/api/v1/follow-ups/{on_document.json()['id']}/close/", format="json")
    assert scope.status_code == 403 and scope.json()["code"] == "TOKEN_SCOPE"


def test_follow_ups_of_another_unit_are_unknown(world):  # noqa: F811
    api_a, api_b = _api(world["token_a"]), _api(world["token_b"])
    a, document = world["A"], world["document"]
    made = api_a.post(
        f"/api/v1/case-files/{a.pk}/follow-ups/", {"due": _later(2), "reason": "x"}, format="json"
    ).json()
    before = FollowUp.objects.count()
    for path, data in (
        (f"/api/v1/case-files/{a.pk}/follow-ups/", {"due": _later(2), "reason": "x"}),
        (f"/api/v1/documents/{document.pk}/follow-ups/", {"due": _later(2), "reason": "x"}),
        (f"/api/v1/follow-ups/{made['id']}/move/", {"due": _later(9)}),
        (f"/api/v1/follow-ups/{made['id']}/close/", {}),
        ("/api/v1/follow-ups/987654/close/", {}),
    ):
        response = api_b.post(path, data, format="json")
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND", path
    assert api_b.get(f"/api/v1/case-files/{a.pk}/follow-ups/").status_code == 404
    assert FollowUp.objects.count() == before
    untouched = FollowUp.objects.get(pk=made["id"])
    assert untouched.due.isoformat() == _later(2) and untouched.closed_at is None


def test_a_file_note_is_written_as_a_pdfa_document_and_corrected_by_a_new_version(world):  # noqa: F811
    a = world["A"]
    api = _api(_token("Notizen", "fv-notizen", "A", actions=("read", "manage", "correct")))
    today = timezone.localdate().isoformat()
    written = api.post(
        f"/api/v1/case-files/{a.pk}/file-notes/",
        {"kind": "telefonat", "noted_on": today, "text": "Kundin rief an: Nachweis folgt."},
        format="json",
    )
    assert written.status_code == 201, written.content
    note = written.json()
    assert note["medium"] == "file_note" and note["case_file"] == a.pk
    assert [v["number"] for v in note["versions"]] == [1]
    assert note["versions"][0]["rendition_is_pdfa"] is True
    notes = api.get(f"/api/v1/case-files/{a.pk}/documents/", {"medium": "file_note"}).json()
    assert [row["id"] for row in notes["results"]] == [note["id"]]
    text = api.get(f"/api/v1/documents/{note['id']}/versions/1/").json()["text"]
    assert "Nachweis folgt" in text

    corrected = api.post(
        f"/api/v1/file-notes/{note['id']}/corrections/",
        {
            "kind": "telefonat",
            "noted_on": today,
            "text": "Kundin rief an: Nachweis folgt bis Freitag.",
            "reason": "Frist ergänzt",
        },
        format="json",
    )
    assert corrected.status_code == 201, corrected.content
    assert corrected.json()["number"] == 2
    second = api.get(f"/api/v1/documents/{note['id']}/versions/2/").json()["text"]
    assert "bis Freitag" in second
    first = Document.objects.get(pk=note["id"]).versions.get(number=1)
    assert "Nachweis folgt" in first.text and "bis Freitag" not in first.text  # it stays
    not_a_note = api.post(
        f"/api/v1/file-notes/{world['document'].pk}/corrections/",
        {"kind": "telefonat", "noted_on": today, "text": "x", "reason": "y"},
        format="json",
    )
    assert not_a_note.status_code == 400 and not_a_note.json()["code"] == "NOT_A_FILE_NOTE"
    future = api.post(
        f"/api/v1/case-files/{a.pk}/file-notes/",
        {"kind": "telefonat", "noted_on": _later(1), "text": "x"},
        format="json",
    )
    assert future.status_code == 400 and future.json()["code"] == "NOTE_DATE_IN_FUTURE"
    # The world's token may manage but not correct: the scope is respected.
    scope = _api(world["token_a"]).post(
        f"/api/v1/file-notes/{note['id']}/corrections/",
        {"kind": "telefonat", "noted_on": today, "text": "x", "reason": "y"},
        format="json",
    )
    assert scope.status_code == 403 and scope.json()["code"] == "TOKEN_SCOPE"

    other = _api(_token("Notizen B", "fv-notizen-b", "B", actions=("read", "manage", "correct")))
    documents = Document.objects.count()
    for path, data in (
        (
            f"/api/v1/case-files/{a.pk}/file-notes/",
            {"kind": "telefonat", "noted_on": today, "text": "x"},
        ),
        (
            f"/api/v1/file-notes/{note['id']}/corrections/",
            {"kind": "telefonat", "noted_on": today, "text": "x", "reason": "y"},
        ),
    ):
        response = other.post(path, data, format="json")
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND", path
    assert Document.objects.count() == documents
    assert Document.objects.get(pk=note["id"]).versions.count() == 2


def test_a_process_is_closed_and_another_unit_cannot(world):  # noqa: F811
    api, api_b = _api(world["token_a"]), _api(world["token_b"])
    a = world["A"]
    process = api.post(
        f"/api/v1/case-files/{a.pk}/processes/", {"title": "Antrag 2027"}, format="json"
    ).json()
    foreign = api_b.post(f"/api/v1/case-files/{a.pk}/processes/{process['id']}/close/")
    assert foreign.status_code == 404 and Process.objects.get(pk=process["id"]).closed_at is None
    elsewhere = api.post(f"/api/v1/case-files/{world['B'].pk}/processes/{process['id']}/close/")
    assert elsewhere.status_code == 404
    closed = api.post(f"/api/v1/case-files/{a.pk}/processes/{process['id']}/close/")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    assert _last_event(action="closed", object_type="process").object_id == str(process["id"])
    again = api.post(f"/api/v1/case-files/{a.pk}/processes/{process['id']}/close/")
    assert again.status_code == 409
    reopen = f"/api/v1/case-files/{a.pk}/processes/{process['id']}/reopen/"
    assert api_b.post(reopen, {"reason": "Nachforderung"}, format="json").status_code == 404
    assert api.post(reopen, {}, format="json").status_code == 400
    reopened = api.post(reopen, {"reason": "Nachforderung"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["closed_at"] is None
    assert _last_event(action="reopened", object_type="process").clear_purpose == "Nachforderung"
    assert api.post(reopen, {"reason": "noch einmal"}, format="json").status_code == 409


@pytest.fixture
def indexed(world, settings, tmp_path):  # noqa: F811
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    extra = [
        file_document(world["A"], text=f"Wohngeld Nachweis qwzsuchwort Nummer {n}").pk
        for n in range(2)
    ]
    documents_index([world["document"].pk, *extra])
    yield {**world, "found": {world["document"].pk, *extra}}
    get_backend.cache_clear()


def test_v1_search_is_trimmed_logged_counted_and_paged(indexed):
    api = _api(_token("Suche A", "fv-suche-a", "A", actions=("search",)))
    first = api.get("/api/v1/search/", {"q": "wohngeld", "limit": 2})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["count"] == 3 and body["count_exact"] is True and body["count_text"] == "3"
    assert len(body["results"]) == 2 and body["previous"] is None
    searched = _last_event(action="searched")
    assert searched.data["documents"] == [hit["document"] for hit in body["results"]]
    assert searched.data["via"] == {"channel": "api", "client": "Suche A"}
    rest = api.get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None and rest["previous"]
    shown = {hit["document"] for hit in body["results"] + rest["results"]}
    assert shown == indexed["found"]

    other = _api(_token("Suche B", "fv-suche-b", "B", actions=("search",)))
    hidden = other.get("/api/v1/search/", {"q": "wohngeld"}).json()
    assert hidden == {
        "count": 0,
        "count_exact": True,
        "count_text": "0",
        "next": None,
        "previous": None,
        "results": [],
    }
    # Facets on request: counted over what the caller may read only, labelled in German.
    faceted = api.get("/api/v1/search/", {"q": "wohngeld", "facets": "true"}).json()
    units = faceted["facets"]["unit"]
    assert units == [{"value": str(indexed["A"].unit_id), "label": indexed["A"].unit.name,
                      "count": 3}]
    assert faceted["facets"]["case_file"][0]["label"] == indexed["A"].file_reference
    nothing = other.get("/api/v1/search/", {"q": "wohngeld", "facets": "true"}).json()
    assert nothing["count"] == 0 and not any(nothing["facets"].values())
    refused = api.get("/api/v1/search/", {"q": "wohngeld", "limit": 0})
    assert refused.status_code == 400 and refused.json()["code"] == "INVALID_INPUT"
    logged = _last_event(action="searched")
    assert logged.data["refused"] == "INVALID_INPUT" and logged.clear_data["query"] == "wohngeld"
    reader = _api(_token("nur lesen", "fv-leser", "A", actions=("read",)))
    scope = reader.get("/api/v1/search/", {"q": "wohngeld"})
    assert scope.status_code == 403 and scope.json()["code"] == "TOKEN_SCOPE"
    # Two pages, B's empty search, the two faceted ones and the refused one; the token's
    # refusal ran no search. The query text is sealed (archive/sealing.py): count through the
    # reading accessor.
    assert sum(e.clear_data.get("query") == "wohngeld"
               for e in Event.objects.filter(action="searched")) == 6
