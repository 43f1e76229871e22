"""The document type where a document appears: the mailroom's review (suggestion with its
confidence and reasons, corrected in the one filing action), the document page (German name,
a correction of type and filing in one step) and the REST API (shown and correctable)."""
import json
from dataclasses import replace

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import system_actor
from archive.models import Event
from archive.selectors import READ_ACTIONS, events_for_object
from archive.services.casefiles import case_file_create
from archive.services.documents import document_file_new
from tests.archive.helpers import content, grant
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db

MODEL = "20261202-120000-ab12"


def recognised(case_file, *, kind="antrag", confidence=0.62, text="Antrag auf Wohngeld"):
    provenance = {"recognition": {
        "file_reference": {"value": None, "confidence": 0.0,
                           "reason": "kein bekanntes Aktenzeichen im Text"},
        "sender": {"value": "Jobcenter Leipzig", "confidence": 0.9},
        "document_type": {"value": kind, "confidence": confidence, "model_version": MODEL,
                          "reasons": ["Wörter „Antrag“, „beantrage“"]},
        "person": {"value": "Erika Mustermann", "confidence": 0.71,
                   "reasons": ["Geburtsdatum 01.02.1980"]},
    }}
    return document_file_new(content=replace(content(text), provenance=provenance),
                             case_file=case_file, title="Schreiben", received_at=timezone.now(),
                             document_type=kind, sender="Jobcenter Leipzig",
                             actor=system_actor("ingest", "poststelle"))


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _row(html: str, document_id: int) -> str:
    return html.split(f"/dokumente/{document_id}/")[1].split("</tr>")[0]


def test_the_review_shows_the_type_suggestion_with_its_confidence_and_reasons(demo):
    document = recognised(None)
    html = _client("poststelle").get("/posteingang/pruefen/").content.decode()
    row = _row(html, document.pk)
    assert "Antrag" in row and "0,62" in row and f"Modell {MODEL}" in row
    assert "Wörter „Antrag“, „beantrage“" in row
    assert "Erika Mustermann" in row and "Geburtsdatum 01.02.1980" in row
    form = lxml.html.fromstring(html).xpath(
        f'//form[@action="/posteingang/pruefen/{document.pk}/"]')[0]
    select = form.xpath('.//select[@name="document_type"]')[0]
    assert select.value == "antrag"
    assert "Widerspruchsbescheid" in select.text_content()


def test_filing_with_a_corrected_type_is_one_event_that_says_so(demo):
    document = recognised(None)
    before = Event.objects.filter(object_type="document").count()
    response = _client("poststelle").post(f"/posteingang/pruefen/{document.pk}/", {
        "file_reference": demo["A"].file_reference, "document_type": "widerspruch"})
    assert response.status_code == 302
    assert Event.objects.filter(object_type="document").count() == before + 1
    moved = events_for_object("document", document.pk).get(action="moved")
    assert "Dokumenttyp korrigiert (Vorschlag: Antrag)" in moved.clear_purpose
    assert moved.clear_data["document_type"] == {
        "from": "antrag", "to": "widerspruch", "suggested": "antrag", "taken": False,
        "confidence": 0.62, "model_version": MODEL}
    assert moved.clear_data["review"] == {"file_reference": {"suggested": None, "taken": False}}
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (demo["A"], "widerspruch")


def test_filing_as_suggested_records_that_the_type_was_taken(demo):
    document = recognised(None)
    _client("poststelle").post(f"/posteingang/pruefen/{document.pk}/", {
        "file_reference": demo["B"].file_reference, "document_type": "antrag"})
    moved = events_for_object("document", document.pk).get(action="moved")
    assert "Dokumenttyp" not in moved.clear_purpose
    assert moved.clear_data["document_type"]["taken"] is True
    assert moved.clear_data["document_type"]["model_version"] == MODEL


def test_an_unknown_type_in_the_review_files_nothing(demo):
    document = recognised(None)
    response = _client("poststelle").post(f"/posteingang/pruefen/{document.pk}/", {
        "file_reference": demo["A"].file_reference, "document_type": "erfunden"})
    assert response.status_code == 400
    assert "DOCUMENT_TYPE_UNKNOWN" in response.content.decode()
    document.refresh_from_db()
    assert document.in_inbox and document.document_type == "antrag"


def test_the_document_page_shows_the_types_german_name_and_who_may_correct_it(demo):
    document = recognised(demo["A"], kind="mietvertrag", confidence=0.91)
    page = _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/").content.decode()
    tree = lxml.html.fromstring(page)
    row = tree.xpath('//tr[@id="document-type"]')[0].text_content()
    assert "Mietvertrag / Mietbescheinigung" in row and "0,91" in row
    assert tree.xpath(f'//form[@action="/dokumente/{document.pk}/berichtigen"]')
    # Shared for reading only: the type is shown, the correction is not offered.
    from archive.actors import actor_for_user
    from archive.services.casefiles import case_file_share

    case_file_share(actor=actor_for_user(grant("sachbearbeitung-a", "share_casefile")),
                    case_file=demo["A"],
                    unit=demo["B"].unit, reason="Vertretung")
    shared = _client("sachbearbeitung-b").get(f"/dokumente/{document.pk}/", {
        "zweck": "Vertretung im Urlaub"}).content.decode()  # a read by share states why
    assert "Mietvertrag / Mietbescheinigung" in shared
    assert "/berichtigen" not in shared
    refused = _client("sachbearbeitung-b").post(f"/dokumente/{document.pk}/berichtigen",
                                                {"document_type": "bescheid"})
    assert refused.status_code == 404


def test_a_wrong_auto_filing_is_corrected_on_the_document_page_in_one_step(demo):
    worker = user("sachbearbeitung-a")
    from archive.actors import actor_for_user

    right = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Richtige Akte", actor=actor_for_user(worker))
    document = recognised(demo["A"])
    client = _client("sachbearbeitung-a")
    last = Event.objects.order_by("-seq").first().seq
    response = client.post(f"/dokumente/{document.pk}/berichtigen", {
        "document_type": "bescheid", "file_reference": right.file_reference,
        "reason": "falsche Akte"}, follow=True)
    assert "Die Berichtigung wurde gespeichert." in response.content.decode()
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (right, "bescheid")
    # One change in the trail (the page shown afterwards is a read, logged as such).
    written = Event.objects.filter(seq__gt=last).exclude(action__in=READ_ACTIONS)
    assert [(e.action, e.object_id, e.clear_purpose) for e in written] == [
        ("moved", str(document.pk), "falsche Akte")]
    # Unknown and foreign file references are refused alike, in German with a code.
    foreign = client.post(f"/dokumente/{document.pk}/berichtigen",
                          {"file_reference": demo["B"].file_reference}, follow=True)
    unknown = client.post(f"/dokumente/{document.pk}/berichtigen",
                          {"file_reference": "50.20.1-2026-999999"}, follow=True)
    for answer in (foreign, unknown):
        assert "FILE_REFERENCE_NOT_AVAILABLE" in answer.content.decode()
    bad_type = client.post(f"/dokumente/{document.pk}/berichtigen",
                           {"document_type": "erfunden"}, follow=True)
    assert "DOCUMENT_TYPE_UNKNOWN" in bad_type.content.decode()
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (right, "bescheid")


def test_handing_post_back_to_the_mailroom_leaves_the_caseworker_on_the_case_file(demo):
    document = recognised(demo["A"])
    response = _client("sachbearbeitung-a").post(f"/dokumente/{document.pk}/berichtigen", {
        "to_inbox": "on", "reason": "betrifft Sachgebiet B"})
    assert response.status_code == 302
    assert response["Location"] == f"/akten/{demo['A'].pk}/"
    document.refresh_from_db()
    assert document.in_inbox
    review = _client("poststelle").get("/posteingang/pruefen/").content.decode()
    assert f"/dokumente/{document.pk}/" in review


def _api(username):
    from rest_framework.test import APIClient

    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_the_api_shows_the_type_and_corrects_it_with_one_event(demo):
    document = recognised(demo["A"])
    client = _api("sachbearbeitung-a")
    shown = client.get(f"/api/documents/{document.pk}/").json()
    assert (shown["document_type"], shown["document_type_name"]) == ("antrag", "Antrag")
    assert shown["document_type_suggestion"] == {
        "value": "antrag", "name": "Antrag", "confidence": 0.62, "model_version": MODEL,
        "reasons": ["Wörter „Antrag“, „beantrage“"]}
    before = Event.objects.count()
    answer = client.patch(f"/api/documents/{document.pk}/",
                          {"document_type": "einkommensnachweis", "reason": "Lohnabrechnung"},
                          format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"id": document.pk, "file_reference": demo["A"].file_reference,
                             "document_type": "einkommensnachweis",
                             "document_type_name": "Einkommensnachweis"}
    assert Event.objects.count() == before + 1
    changed = Event.objects.order_by("-seq").first()
    assert (changed.action, changed.clear_data["via"]["channel"]) == ("changed", "api")
    assert changed.clear_data["changes"] == {"document_type": ["antrag", "einkommensnachweis"]}
    refused = client.patch(f"/api/documents/{document.pk}/", {"document_type": "erfunden"},
                           format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "DOCUMENT_TYPE_UNKNOWN"


def test_the_api_correction_of_a_foreign_document_looks_like_a_missing_one(demo):
    document = recognised(demo["A"])
    client = _api("sachbearbeitung-b")
    foreign = client.patch(f"/api/documents/{document.pk}/", {"document_type": "bescheid"},
                           format="json")
    missing = client.patch("/api/documents/987654/", {"document_type": "bescheid"},
                           format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    document.refresh_from_db()
    assert document.document_type == "antrag"


def test_the_api_schema_documents_the_correction(demo):
    schema = _api("sachbearbeitung-a").get("/api/schema/", {"format": "json"})
    spec = json.loads(schema.content)
    operation = spec["paths"]["/api/documents/{document_id}/"]["patch"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = body.rsplit("/", 1)[-1]
    assert {"document_type", "file_reference", "to_inbox", "reason"} <= set(
        spec["components"]["schemas"][name]["properties"])
    shown = spec["components"]["schemas"]["Document"]["properties"]
    assert {"document_type", "document_type_name", "document_type_suggestion"} <= set(shown)


@pytest.mark.parametrize("body", [
    {"document_type": "\x00"}, {"document_type": "ä" * 600}, {"document_type": ["antrag"]},
    {"document_type": 7}, {"file_reference": "x" * 600}, {"file_reference": None},
    {"to_inbox": "vielleicht"}, {"reason": {"a": 1}}, [], "antrag"])
def test_no_correction_body_gives_a_server_error_or_changes_anything(demo, body):
    document = recognised(demo["A"])
    answer = _api("sachbearbeitung-a").patch(f"/api/documents/{document.pk}/", body,
                                             format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"]
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (demo["A"], "antrag")


def test_the_review_reads_the_pipelines_provenance_as_written(demo):
    """The shape ingest writes: "reason" as a list, "rules" as the version when no model
    decided, the person with birth date and client number and one reason."""
    provenance = {"recognition": {
        "document_type": {"value": "bescheid", "confidence": 0.55, "model_version": "rules",
                          "source": "rules", "reason": ["Bescheid: im Kopf/Betreff „Bescheid“",
                                                        "noch kein gelerntes Modell"],
                          "auto_file": False, "name": "Bescheid", "process": None},
        "person": {"name": "Max Beispiel", "birth_date": "1971-05-03",
                   "client_number": "K-4711", "file_reference": None, "confidence": 0.4,
                   "reason": "Name und Geburtsdatum passen auf zwei Akten"},
    }}
    document = document_file_new(content=replace(content("Bescheid"), provenance=provenance),
                                 case_file=None, title="Bescheid", received_at=timezone.now(),
                                 document_type="bescheid",
                                 actor=system_actor("ingest", "poststelle"))
    row = _row(_client("poststelle").get("/posteingang/pruefen/").content.decode(), document.pk)
    assert "Regeln der Dokumenttypen" in row and "Modell rules" not in row
    assert "noch kein gelerntes Modell" in row and "0,55" in row
    assert "Max Beispiel" in row and "1971-05-03" in row and "K-4711" in row
    assert "Name und Geburtsdatum passen auf zwei Akten" in row
    _client("poststelle").post(f"/posteingang/pruefen/{document.pk}/", {
        "file_reference": demo["A"].file_reference, "document_type": "bescheid"})
    moved = events_for_object("document", document.pk).get(action="moved")
    assert moved.clear_data["document_type"] == {
        "from": "bescheid", "to": "bescheid", "suggested": "bescheid", "taken": True,
        "confidence": 0.55, "model_version": "rules"}


def test_the_mailroom_files_and_types_unfiled_post_from_the_document_page(demo):
    document = recognised(None)
    client = _client("poststelle")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert f'action="/dokumente/{document.pk}/berichtigen"' in page
    response = client.post(f"/dokumente/{document.pk}/berichtigen", {
        "document_type": "vollmacht", "file_reference": demo["B"].file_reference})
    # Filed out of the mailroom's sight: back to the inbox, not to a page it may not see.
    assert (response.status_code, response["Location"]) == (302, "/posteingang/")
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (demo["B"], "vollmacht")
    (moved,) = events_for_object("document", document.pk).filter(action="moved")
    assert moved.clear_data["document_type"]["taken"] is False
    assert client.get(f"/dokumente/{document.pk}/").status_code == 404


def test_a_correction_that_leaves_out_the_type_keeps_it(demo):
    worker = user("sachbearbeitung-a")
    from archive.actors import actor_for_user

    right = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Richtige Akte", actor=actor_for_user(worker))
    document = recognised(demo["A"])
    _client("sachbearbeitung-a").post(f"/dokumente/{document.pk}/berichtigen",
                                      {"file_reference": right.file_reference})
    document.refresh_from_db()
    assert (document.case_file, document.document_type) == (right, "antrag")
    moved = events_for_object("document", document.pk).get(action="moved")
    assert "changes" not in moved.clear_data and "document_type" not in moved.clear_data


def test_post_the_pipeline_filed_wrongly_is_corrected_in_one_logged_step(demo, tmp_path):
    """Real intake: a letter quoting the wrong file reference is auto-filed there; the
    caseworker puts it into the right file with the right type in one step, the classifier
    learns the corrected type from that event."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ingest.classification.training_data import training_set
    from ingest.models import JobState
    from ingest.pipeline import job_run
    from tests.fixtures.born_digital import born_digital_pdf

    worker = user("sachbearbeitung-a")
    from archive.actors import actor_for_user

    right = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Richtige Akte", actor=actor_for_user(worker))
    pdf = born_digital_pdf(tmp_path / "brief.pdf", [
        "Antrag auf Wohngeld", f"Aktenzeichen {demo['A'].file_reference}",
        "Hiermit beantrage ich Wohngeld."])
    upload = SimpleUploadedFile(pdf.name, pdf.read_bytes(), content_type="application/pdf")
    job_id = _api("poststelle").post("/api/ingest/", {"file": [upload]},
                                     format="multipart").json()["job"]
    job = job_run(job_id, worker="test")
    assert job.state == JobState.FILED and job.document.case_file == demo["A"]
    document = job.document
    suggested = document.document_type
    assert suggested  # recognition typed it
    last = Event.objects.order_by("-seq").first().seq
    response = _client("sachbearbeitung-a").post(f"/dokumente/{document.pk}/berichtigen", {
        "file_reference": right.file_reference, "document_type": "widerspruch",
        "reason": "gehört zur Akte Richtige Akte"})
    assert response.status_code == 302
    written = [e for e in Event.objects.filter(seq__gt=last).order_by("seq")
               if e.action not in READ_ACTIONS and e.action != "login"]
    assert [(e.action, e.object_id) for e in written] == [("moved", str(document.pk))]
    (moved,) = written
    assert (moved.clear_data["from"], moved.clear_data["to"]) == (demo["A"].file_reference,
                                                      right.file_reference)
    assert moved.clear_data["document_type"]["suggested"] == suggested
    assert moved.clear_data["document_type"]["taken"] is False
    data = training_set()
    assert (document.pk, "widerspruch") in set(zip(data.document_ids, data.types, strict=True))
