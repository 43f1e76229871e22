"""Bad input on any form or parameter gets the form back with a German message, never a
server error (issue #10.10): every field of every form, and every GET parameter a page
reads, is sent values a user can type or a link can carry."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from archive.models import BreakGlass, FilePlanUnit
from ingest.models import IngestJob, JobState
from retention.models import ErasureRequest, LegalHold
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db

# What a user can type or a link can carry: no number, a number that is a digit only to
# Unicode, beyond 64 bits, dates outside any calendar arithmetic, a NUL character, more text
# than any column holds, and what breaks parsers.
NASTY = ["", "x", "²", "-1", "99999999999999999999999999", "0001-01-01", "01.01.0001",
         "9999-12-31", "\x00", "ä" * 600, "(" * 500]


DPO, A, ADMIN, B, MAILROOM = ("datenschutz", "sachbearbeitung-a", "admin", "sachbearbeitung-b",
                               "poststelle")
# (user, method, url, valid data, fields to spoil); {names} are filled from `objects`.
TARGETS = [
    (DPO, "get", "/datenschutz/bericht/",
     {"kind": "case_file", "subject": "{ref}", "start": "2026-01-01", "end": "2026-12-31"},
     ["kind", "subject", "start", "end", "format"]),
    (DPO, "get", "/datenschutz/auskunft.pdf", {"person": "Müller"}, ["person"]),
    # The search page and API: tests/web/test_search_input.py.
    (A, "get", "/dokumente/{document}/", {}, ["zweck"]),
    (A, "get", "/dokumente/{document}/original", {}, ["zweck"]),
    (A, "get", "/dokumente/{document}/vorschau.png", {}, ["g", "zweck"]),
    (A, "get", "/dokumente/{document}/pdf", {}, ["g"]),
    (A, "get", "/akten/{case_file}/", {}, ["zweck"]),
    (A, "get", "/akten/{case_file}/export.zip", {}, ["zweck"]),
    (A, "post", "/dokumente/{document}/angaben", {"title": "T"},
     ["title", "document_type", "sender", "letter_date"]),
    (A, "post", "/dokumente/{document}/verschieben", {"file_reference": "{ref}"},
     ["file_reference", "reason"]),
    (A, "post", "/dokumente/{document}/berichtigen", {"document_type": "bescheid"},
     ["document_type", "file_reference", "to_inbox", "reason"]),
    # Without a reason: a valid form would redact, which is not what is probed here.
    (A, "post", "/dokumente/{document}/schwaerzen",
     {"page": "1", "x": "1", "y": "1", "width": "1", "height": "1"},
     ["page", "x", "y", "width", "height"]),
    (A, "post", "/akten/neu/", {"plan_unit": "{plan_unit}", "unit": "{unit}", "title": "T"},
     ["plan_unit", "unit", "title", "subject_name", "subject_birth_date", "client_number"]),
    (A, "post", "/akten/{case_file}/aendern", {"title": "T", "confidentiality": "0"},
     ["title", "subject_name", "client_number", "confidentiality", "staff_case"]),
    (A, "post", "/akten/{case_file}/freigeben", {"unit": "{unit_b}", "reason": "Vertretung"},
     ["unit", "reason", "valid_until"]),
    (A, "post", "/akten/{case_file}/freigabe-entziehen", {"share": "1"}, ["share"]),
    (A, "post", "/akten/{case_file}/person", {"username": A}, ["username"]),
    (A, "post", "/akten/{case_file}/vorgang", {"title": "V"}, ["title"]),
    (A, "post", "/akten/{case_file}/vorgang-zda", {"process": "1"}, ["process"]),
    (A, "post", "/akten/{case_file}/vorgang-verschieben",
     {"process": "1", "file_reference": "{ref}"}, ["process", "file_reference"]),
    (A, "post", "/akten/{case_file}/bestritten", {"note": "n"}, ["note"]),
    (A, "post", "/akten/{case_file}/wiederaufnahme", {"reason": "r"}, ["reason"]),
    (B, "post", "/notfallzugriff/",
     {"file_reference": "{ref}", "reason": "Vertretung im Urlaub der Kollegin"},
     ["file_reference", "reason"]),
    (ADMIN, "post", "/aktenplan/neu", {"code": "50.20.7", "title": "T"},
     ["code", "title", "retention_schedule"]),
    (DPO, "post", "/datenschutz/aussonderung/vorschlagen", {"case_file": "1"}, ["case_file"]),
    (DPO, "post", "/datenschutz/sperren/neu",
     {"file_reference": "{ref}", "reason": "Klage", "mandate": "SG 1"},
     ["file_reference", "reason", "mandate"]),
    (DPO, "post", "/datenschutz/sperren/{hold}/aufheben", {"reason": "r"}, ["reason"]),
    (DPO, "post", "/datenschutz/loeschantraege/neu",
     {"file_reference": "{ref}", "received_on": "2026-11-01"},
     ["file_reference", "received_on", "note"]),
    (DPO, "post", "/datenschutz/loeschantraege/{erasure}/entscheiden", {"reason": "r"},
     ["reason"]),
    (DPO, "post", "/datenschutz/notfallzugriffe/{opening}/pruefen", {"note": "ok"}, ["note"]),
    (MAILROOM, "get", "/posteingang/", {}, ["sachgebiet", "typ", "vorschlag", "sortierung",
                                            "seite"]),
    (MAILROOM, "post", "/posteingang/ablegen",
     {"dokument": "{inbox_document}", "file_reference": "{ref}"},
     ["dokument", "file_reference", "ziel", "bestaetigen", "query"]),
    (A, "get", "/neue-post/", {}, ["sortierung", "seite"]),
    (MAILROOM, "get", "/quarantaene/", {}, ["sortierung", "seite"]),
    (MAILROOM, "post", "/quarantaene/{quarantined}/sachgebiet", {"unit": "A", "note": "n"},
     ["unit", "note"]),
    (MAILROOM, "post", "/quarantaene/{quarantined}/erneut", {}, ["password"]),
    (MAILROOM, "post", "/quarantaene/{quarantined}/freigeben", {"reason": "r"}, ["reason"]),
    (MAILROOM, "post", "/posteingang/hochladen/", {},
     ["device", "profile", "pages_declared", "password"]),
    (MAILROOM, "post", "/posteingang/pruefen/{inbox_document}/", {"file_reference": "{ref}"},
     ["file_reference", "title", "sender", "letter_date", "document_type"]),
    # The upload page posts its scan fields to the API.
    (MAILROOM, "post", "/api/ingest/", {},
     ["device", "profile", "resolution_dpi", "colour_mode", "pages_declared"]),
]


@pytest.fixture
def objects(demo):
    opening = BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                                        reason="Vertretung", expires_at=demo["A"].created_at)
    hold = LegalHold.objects.create(case_file=demo["B"], reason="Prüfung", mandate="RPA 1",
                                    placed_by="datenschutz")
    erasure = ErasureRequest.objects.create(case_file=demo["B"], received_on="2026-11-01",
                                            recorded_by="datenschutz")
    return {"document": file_document(demo["A"], store=True).pk, "case_file": demo["A"].pk,
            "ref": demo["A"].file_reference, "unit": demo["A"].unit_id,
            "unit_b": demo["B"].unit_id, "plan_unit": FilePlanUnit.objects.get(
                code="50.30.1").pk, "inbox_document": file_document(None).pk,
            "hold": hold.pk, "erasure": erasure.pk, "opening": opening.pk,
            "quarantined": IngestJob.objects.create(
                source="upload", original_name="kaputt.pdf", original_sha256="1" * 64,
                original_size=1, state=JobState.REFUSED, code="EMPTY_FILE").pk}


def _client(username):
    client = Client(raise_request_exception=False)
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t[1]}:{t[2]}"
                         if isinstance(t, tuple) else None)
def test_no_form_field_or_parameter_gives_a_server_error(objects, target):
    username, method, url, valid, fields = target
    url = url.format(**objects)
    valid = {key: value.format(**objects) for key, value in valid.items()}
    client = _client(username)
    failures = []
    for field in fields:
        for value in NASTY:
            data = {**valid, field: value}
            if url in ("/api/ingest/", "/posteingang/hochladen/"):
                # with a file, so that the scan fields are read
                data["file"] = SimpleUploadedFile("brief.pdf", b"%PDF-1.7 Brief")
            response = getattr(client, method)(url, data)
            if response.status_code >= 500:
                failures.append(f"{field}={value[:30]!r}: {response.status_code}")
    assert failures == []


def test_a_report_from_the_year_one_gives_the_form_back_with_a_german_message(objects):
    response = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": objects["ref"], "start": "0001-01-01",
        "end": "2026-12-31"})
    assert response.status_code == 200
    assert "Bitte ein Datum ab dem 01.01.1900 angeben." in response.content.decode()
    reversed_period = _client("datenschutz").get("/datenschutz/bericht/", {
        "kind": "user", "subject": "admin", "start": "2026-12-31", "end": "2026-01-01"})
    assert "Das Ende des Zeitraums liegt vor seinem Anfang." in reversed_period.content.decode()


def test_a_nul_character_is_refused_in_german_on_pages_and_api(objects):
    client = _client("sachbearbeitung-a")
    page = client.get(f"/dokumente/{objects['document']}/", {"zweck": "a\x00b"})
    assert page.status_code == 400
    assert "unzulässiges Steuerzeichen" in page.content.decode()
    api = client.get("/api/search/", {"q": "a\x00b"})
    assert api.status_code == 400 and api.json()["code"] == "INPUT_CONTROL_CHARACTER"


def test_an_id_that_is_no_number_is_unknown_not_a_crash(objects):
    client = _client("sachbearbeitung-a")
    for action, field in (("freigabe-entziehen", "share"), ("vorgang-zda", "process")):
        for value in ("", "x", "²"):
            response = client.post(f"/akten/{objects['case_file']}/{action}", {field: value})
            assert response.status_code == 404, (action, value)
