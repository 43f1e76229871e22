"""API v1 for the specialist procedures (issue 15, points 1-3): case files found, created,
closed and reopened, documents and versions read and downloaded, a decision filed as outgoing
post in one call; every read through the access function and logged with channel "api" and
the token's name; a token of another unit sees nothing; errors are RFC 9457 problems."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from archive.actors import actor_for_user
from archive.models import CaseFile, Direction, Document, Event
from archive.services.casefiles import case_file_update
from archive.services.processes import process_create
from archive.services.staff import staff_set
from identity.tokens import token_create
from ingest.models import IngestJob
from ingest.pipeline import job_run
from tests.archive.helpers import file_document, grant
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def _token(name: str, account: str, unit: str, actions=("read", "manage", "ingest")) -> str:
    staff_set(
        actor=actor_for_user(user("admin")), username=account, role="caseworker", units=[unit]
    )
    _, raw = token_create(
        actor=actor_for_user(user("admin")),
        name=name,
        username=account,
        units=[unit],
        actions=list(actions),
    )
    return raw


def _api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def world(demo):
    case_file = demo["A"]
    case_file_update(
        actor=actor_for_user(user("sachbearbeitung-a")),
        case_file=case_file,
        client_number="KD-4711",
        subject_name="Erika Musterfrau",
    )
    document = file_document(case_file, text="Bewilligungsbescheid Wohngeld", store=True)
    return {
        "A": case_file,
        "B": demo["B"],
        "document": document,
        "token_a": _token("Fachverfahren Wohngeld", "fv-wohngeld", "A"),
        "token_b": _token("Fachverfahren Grundsicherung", "fv-grusi", "B"),
    }


def _last_event(**filters) -> Event:
    return Event.objects.filter(**filters).order_by("-seq").first()


def test_api_index_docs_and_schema(world, client):
    api = _api(world["token_a"])
    index = api.get("/api/")
    assert index.status_code == 200 and index.json()["versions"] == {"v1": "/api/v1/"}
    assert api.get("/api/v1/").json()["case_files"] == "/api/v1/case-files/"
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/case-files/" in schema["paths"]
    assert schema["paths"]["/api/search/"]["get"]["deprecated"] is True
    assert schema["components"]["securitySchemes"]["serviceToken"]["scheme"] == "bearer"
    problem = schema["paths"]["/api/v1/case-files/{case_file_id}/"]["get"]["responses"]["404"]
    assert PROBLEM in problem["content"]
    # The browsable documentation loads Swagger UI from our own static files, no CDN.
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
    script = [part for part in html.split('"') if part.endswith("swagger-ui-bundle.js")][0]
    asset = client.get(script)
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content)


def test_find_a_case_file_by_client_number_reference_or_person_is_a_logged_list(world):
    api = _api(world["token_a"])
    reference = world["A"].file_reference
    for query in (
        {"client_number": "kd-4711"},
        {"file_reference": reference},
        {"person": "musterfrau"},
    ):
        response = api.get("/api/v1/case-files/", query)
        assert response.status_code == 200, response.content
        assert [row["file_reference"] for row in response.json()["results"]] == [reference]
    listed = _last_event(action="listed", object_type="case_file_list")
    assert listed.data["case_files"] == [world["A"].pk]
    assert (
        listed.data["via"]["channel"] == "api"
        and listed.data["via"]["client"] == "Fachverfahren Wohngeld"
    )
    assert api.get("/api/v1/case-files/", {"client_number": "nope"}).json()["results"] == []


def test_cursor_pagination_walks_every_file_once(world):
    for n in range(4):
        CaseFile.objects.create(
            file_reference=f"50.20.1-2026-9{n:05d}",
            unit=world["A"].unit,
            plan_unit=world["A"].plan_unit,
            title=f"Akte {n}",
        )
    api = _api(world["token_a"])
    seen, url = [], "/api/v1/case-files/?limit=2"
    while url:
        page = api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == CaseFile.objects.filter(unit=world["A"].unit).count()


def test_create_close_and_reopen_a_case_file(world):
    api = _api(world["token_a"])
    created = api.post(
        "/api/v1/case-files/",
        {
            "plan_unit": world["A"].plan_unit.code,
            "unit": "A",
            "title": "Wohngeld Becker",
            "subject_name": "Thomas Becker",
            "client_number": "KD-1",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    case_file = CaseFile.objects.get(pk=created.json()["id"])
    assert (case_file.unit.code, case_file.client_number) == ("A", "KD-1")
    assert (
        _last_event(action="created", object_type="case_file").data["via"]["client"]
        == "Fachverfahren Wohngeld"
    )
    closed = api.post(f"/api/v1/case-files/{case_file.pk}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = api.post(f"/api/v1/case-files/{case_file.pk}/close/", {}, format="json")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert again.json()["code"] == "CASE_FILE_CLOSED"
    refused = api.post(
        f"/api/v1/case-files/{case_file.pk}/reopen/", {"reason": "Widerspruch"}, format="json"
    )
    assert refused.status_code == 403  # reopening is the team lead's permission
    grant("fv-wohngeld", "reopen_casefile")
    reopened = api.post(
        f"/api/v1/case-files/{case_file.pk}/reopen/", {"reason": "Widerspruch"}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    # A unit outside the token's scope is refused like an unknown one.
    outside = api.post(
        "/api/v1/case-files/",
        {"plan_unit": world["A"].plan_unit.code, "unit": "B", "title": "x"},
        format="json",
    )
    assert outside.status_code == 404


def test_documents_versions_text_and_downloads_are_logged_reads(world):
    api = _api(world["token_a"])
    document = world["document"]
    listing = api.get(f"/api/v1/case-files/{world['A'].pk}/documents/")
    assert document.pk in [row["id"] for row in listing.json()["results"]]
    detail = api.get(f"/api/v1/documents/{document.pk}/")
    assert detail.status_code == 200 and detail.json()["versions"][0]["number"] == 1
    assert detail.json()["direction"] == "incoming"
    text = api.get(f"/api/v1/documents/{document.pk}/versions/1/")
    assert text.json()["text"] == "Bewilligungsbescheid Wohngeld"
    original = api.get(f"/api/v1/documents/{document.pk}/versions/1/original/")
    assert (
        b"".join(original.streaming_content) == b"%PDF-1.7 Original: Bewilligungsbescheid Wohngeld"
    )
    pdf = api.get(f"/api/v1/documents/{document.pk}/versions/1/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    downloads = Event.objects.filter(
        action="downloaded", object_type="document", object_id=str(document.pk)
    )
    assert downloads.count() == 2
    assert {event.data["via"]["client"] for event in downloads} == {"Fachverfahren Wohngeld"}
    assert api.get(f"/api/v1/documents/{document.pk}/versions/7/").status_code == 404


def test_processes_and_follow_ups_of_a_file(world):
    api = _api(world["token_a"])
    made = api.post(
        f"/api/v1/case-files/{world['A'].pk}/processes/", {"title": "Antrag 2027"}, format="json"
    )
    assert made.status_code == 201
    titles = [
        row["title"]
        for row in api.get(f"/api/v1/case-files/{world['A'].pk}/processes/").json()["results"]
    ]
    assert "Antrag 2027" in titles
    follow_ups = api.get(f"/api/v1/case-files/{world['A'].pk}/follow-ups/")
    assert follow_ups.status_code == 200 and follow_ups.json()["results"] == []


def test_a_token_of_another_unit_sees_nothing_of_a(world):
    api_b = _api(world["token_b"])
    a, document = world["A"], world["document"]
    listed = api_b.get("/api/v1/case-files/").json()["results"]
    assert listed and all(row["unit"] == "B" for row in listed)
    assert api_b.get("/api/v1/case-files/", {"client_number": "KD-4711"}).json()["results"] == []
    for path in (
        f"/api/v1/case-files/{a.pk}/",
        f"/api/v1/case-files/{a.pk}/documents/",
        f"/api/v1/case-files/{a.pk}/processes/",
        f"/api/v1/documents/{document.pk}/",
        f"/api/v1/documents/{document.pk}/versions/1/original/",
    ):
        foreign, missing = (
            api_b.get(path),
            api_b.get(
                path.replace(str(a.pk) if "case-files" in path else str(document.pk), "987654")
            ),
        )
        assert foreign.status_code == missing.status_code == 404, path
        assert foreign.json() | {"instance": ""} == missing.json() | {"instance": ""}
    closing = api_b.post(f"/api/v1/case-files/{a.pk}/close/", {}, format="json")
    assert closing.status_code == 404 and not CaseFile.objects.get(pk=a.pk).is_closed
    refused = _last_event(action="read_refused")
    assert refused.data["via"]["client"] == "Fachverfahren Grundsicherung"


def test_problem_details_for_invalid_input_unknown_paths_and_no_token(world):
    api = _api(world["token_a"])
    invalid = api.get("/api/v1/case-files/", {"birth_date": "gestern", "state": "halb"})
    body = invalid.json()
    assert invalid.status_code == 400 and invalid["Content-Type"] == PROBLEM
    assert (
        body["code"] == "INVALID_INPUT" and body["type"] == "urn:registratur:problem:INVALID_INPUT"
    )
    assert set(body["errors"]) == {"birth_date", "state"} and body["status"] == 400
    assert body["title"] == "ungültige Eingabe"
    unknown = api.get("/api/v1/nichts/")
    assert unknown.status_code == 404 and unknown["Content-Type"] == PROBLEM
    anonymous = APIClient().get("/api/v1/case-files/")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "NOT_AUTHENTICATED"
    assert anonymous["WWW-Authenticate"] == "Bearer"
    reader = _api(_token("nur lesen", "fv-leser", "A", actions=("read",)))
    scope = reader.post("/api/v1/case-files/", {}, format="json")
    assert scope.status_code == 403 and scope.json()["code"] == "TOKEN_SCOPE"


def test_holds_are_for_the_data_protection_officer(world):
    officer = APIClient()
    assert officer.login(username="datenschutz", password=DEMO_PASSWORD)
    assert officer.get("/api/v1/holds/").status_code == 200
    assert _last_event(action="listed", object_type="hold_list").data["via"]["channel"] == "api"
    assert _api(world["token_a"]).get("/api/v1/holds/").status_code == 403


def test_a_decision_is_filed_as_outgoing_post_into_the_named_file_and_process(world, tmp_path):
    api = _api(world["token_a"])
    process = process_create(
        actor=actor_for_user(user("sachbearbeitung-a")), case_file=world["A"], title="Wohngeld 2027"
    )
    letter = born_digital_pdf(
        tmp_path / "bescheid.pdf", ["Bescheid über Wohngeld", "Ihr Antrag wird bewilligt."]
    )
    response = api.post(
        "/api/v1/documents/",
        {
            "file": SimpleUploadedFile("bescheid.pdf", letter.read_bytes(), "application/pdf"),
            "file_reference": world["A"].file_reference,
            "document_type": "bescheid",
            "process": process.pk,
            "direction": "outgoing",
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content
    (job,) = response.json()["jobs"]
    job_run(job["id"], worker="test")
    status = api.get(job["url"]).json()
    assert status["state"] == "filed", status
    document = Document.objects.get(pk=status["outcome"]["document"])
    assert (
        document.case_file_id,
        document.process_id,
        document.document_type,
        document.direction,
    ) == (world["A"].pk, process.pk, "bescheid", Direction.OUTGOING)
    assert (
        IngestJob.objects.get(pk=job["id"]).provenance["route_source"]
        == "API (Fachverfahren Wohngeld)"
    )
    # Into a file of another unit: refused like an unknown reference, nothing received.
    before = IngestJob.objects.count()
    foreign = api.post(
        "/api/v1/documents/",
        {
            "file": SimpleUploadedFile("b.pdf", letter.read_bytes(), "application/pdf"),
            "file_reference": world["B"].file_reference,
            "document_type": "bescheid",
        },
        format="multipart",
    )
    assert foreign.status_code == 400
    assert foreign.json()["code"] == "FILE_REFERENCE_NOT_AVAILABLE"
    assert IngestJob.objects.count() == before


def test_the_unversioned_endpoints_still_answer(world):
    api = _api(_token("alt", "fv-alt", "A", actions=("read", "search")))
    response = api.get(f"/api/documents/{world['document'].pk}/")
    assert response.status_code == 200 and "version" in json.loads(response.content)
    missing = api.get("/api/documents/987654/")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
