"""Intake through the API and the pages: upload returns a job id whose per-step progress and
outcome can be polled; jobs, sheets and the review are trimmed to who may see them."""
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from archive.selectors import events_for_object
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf
from web.views.mailroom import page_mismatch

pytestmark = pytest.mark.django_db


def _api(username):
    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _page(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _upload(client, path, **fields):
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/pdf")
    return client.post("/api/ingest/", {"file": [upload], **fields}, format="multipart")


def test_upload_returns_a_job_that_can_be_polled_step_by_step(demo, tmp_path):
    case_file = demo["A"]
    pdf = born_digital_pdf(tmp_path / "antrag.pdf",
                           ["Antrag auf Wohngeld", f"Aktenzeichen {case_file.file_reference}"])
    client = _api("poststelle")
    response = _upload(client, pdf, device="Scanner 3", pages_declared=1)
    assert response.status_code == 201, response.content
    job_id = response.json()["job"]
    queued = client.get(f"/api/jobs/{job_id}/").json()
    assert queued["state"] == "queued" and queued["progress"]["percent"] == 0
    assert [step["name"] for step in queued["progress"]["steps"]] == [
        "triage", "prepare", "split", "ocr", "extract", "thumbnail", "file"]
    job_run(job_id, worker="test")
    done = client.get(f"/api/jobs/{job_id}/").json()
    assert done["state"] == "filed", done
    assert all(step["done"] for step in done["progress"]["steps"])
    assert done["outcome"]["file_reference"] == case_file.file_reference
    assert done["suggestions"]["file_reference"]["confidence"] >= 0.9
    version = IngestJob.objects.get(pk=job_id).document.versions.get()
    assert version.provenance["scan"]["device"] == "Scanner 3"
    assert version.provenance["scan"]["operator"] == "poststelle"


def test_a_job_is_invisible_to_other_users(demo, tmp_path):
    pdf = born_digital_pdf(tmp_path / "brief.pdf", ["Vertraulich"])
    job_id = _upload(_api("sachbearbeitung-a"), pdf).json()["job"]
    assert _api("sachbearbeitung-a").get(f"/api/jobs/{job_id}/").status_code == 200
    assert _api("poststelle").get(f"/api/jobs/{job_id}/").status_code == 200
    other = _api("sachbearbeitung-b").get(f"/api/jobs/{job_id}/")
    unknown = _api("sachbearbeitung-b").get("/api/jobs/00000000-0000-0000-0000-000000000000/")
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    assert APIClient().get(f"/api/jobs/{job_id}/").status_code in (401, 403)
    assert _api("datenschutz").post("/api/ingest/", {}, format="multipart").status_code == 404


def test_upload_page_sheets_and_review_are_trimmed(demo):
    assert _page("poststelle").get("/posteingang/hochladen/").status_code == 200
    assert _page("datenschutz").get("/posteingang/hochladen/").status_code == 404
    assert _page("sachbearbeitung-a").get("/posteingang/pruefen/").status_code == 404
    own, other = demo["A"], demo["B"]
    sheet = _page("sachbearbeitung-a").get(f"/akten/{own.pk}/deckblatt.pdf")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert _page("sachbearbeitung-a").get(f"/akten/{other.pk}/deckblatt.pdf").status_code == 404
    assert _page("poststelle").get("/posteingang/trennblatt.pdf").status_code == 200


def test_confirming_or_correcting_a_suggestion_is_one_logged_action(demo, tmp_path):
    wrong, right = demo["A"], demo["B"]
    pdf = born_digital_pdf(tmp_path / "zwei.pdf", [
        "Widerspruch", f"Az. {wrong.file_reference} und {right.file_reference}"])
    job_id = _upload(_api("poststelle"), pdf).json()["job"]
    job = job_run(job_id, worker="test")
    assert job.state == JobState.INBOX  # two references: not confident enough to file
    assert job.suggestions["file_reference"]["confidence"] < 0.8
    client = _page("poststelle")
    review = client.get("/posteingang/pruefen/")
    assert wrong.file_reference in review.content.decode()
    assert _page("sachbearbeitung-b").post(
        f"/posteingang/pruefen/{job.document_id}/",
        {"file_reference": right.file_reference}).status_code == 404
    response = client.post(f"/posteingang/pruefen/{job.document_id}/",
                           {"file_reference": right.file_reference})
    assert response.status_code == 302
    job.document.refresh_from_db()
    assert job.document.case_file == right
    moved = events_for_object("document", job.document_id).get(action="moved")
    assert moved.actor == "poststelle" and "korrigiert" in moved.clear_purpose


def test_the_inbox_shows_the_mailroom_a_page_count_flag_and_no_one_else(demo, tmp_path):
    flagged_pdf = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag auf Wohngeld"])
    plain_pdf = born_digital_pdf(tmp_path / "anderer.pdf", ["Nachreichung"])
    flagged = job_run(_upload(_api("poststelle"), flagged_pdf, pages_declared=2).json()["job"],
                      worker="test")
    plain = job_run(_upload(_api("poststelle"), plain_pdf).json()["job"], worker="test")
    assert flagged.flagged and flagged.state == plain.state == JobState.INBOX
    page = _page("poststelle").get("/posteingang/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Seitenzahl prüfen") == 1
    assert "2 Seiten angegeben, 1 gefunden" in html
    row = html.split(f"/dokumente/{flagged.document_id}/")[1].split("</tr>")[0]
    assert "Seitenzahl prüfen" in row
    review = _page("poststelle").get("/posteingang/pruefen/").content.decode()
    assert review.count("2 Seiten angegeben, 1 gefunden") == 1
    other = _page("sachbearbeitung-b")
    assert other.get("/posteingang/").status_code == 404
    assert other.get(f"/dokumente/{flagged.document_id}/").status_code == 404


def _two_reference_letter(demo, tmp_path, name):
    first, second = demo["A"], demo["B"]
    pdf = born_digital_pdf(tmp_path / name, [
        "Widerspruch", f"Az. {first.file_reference} und {second.file_reference}"])
    job = job_run(_upload(_api("poststelle"), pdf).json()["job"], worker="test")
    assert job.state == JobState.INBOX
    assert job.suggestions["file_reference"]["value"] == first.file_reference
    return job.document


def test_confirming_the_suggestion_files_it_as_one_logged_action(demo, tmp_path):
    document = _two_reference_letter(demo, tmp_path, "bestaetigen.pdf")
    # The form as the page sends it: the suggestion and the recognised fields, unchanged.
    response = _page("poststelle").post(f"/posteingang/pruefen/{document.pk}/", {
        "file_reference": demo["A"].file_reference, "title": document.title,
        "sender": document.sender, "letter_date": ""})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.case_file == demo["A"]
    events = events_for_object("document", document.pk)
    (moved,) = events.filter(action="moved")
    assert moved.actor == "poststelle" and moved.clear_purpose == "Poststelle: Vorschlag bestätigt"
    assert not events.filter(action="changed").exists()


def test_the_mailroom_corrects_subject_sender_and_date_when_filing(demo, tmp_path):
    document = _two_reference_letter(demo, tmp_path, "berichtigen.pdf")
    client = _page("poststelle")
    form = {"file_reference": demo["B"].file_reference, "title": "Widerspruch gegen Bescheid",
            "sender": "Erika Mustermann", "letter_date": "2026-03-14"}
    bad = client.post(f"/posteingang/pruefen/{document.pk}/", {**form, "letter_date": "31.02."})
    assert bad.status_code == 400
    document.refresh_from_db()
    assert document.case_file is None and document.title != form["title"]  # neither happened
    assert client.post(f"/posteingang/pruefen/{document.pk}/", form).status_code == 302
    document.refresh_from_db()
    assert (document.case_file, document.title, document.sender, document.letter_date) == (
        demo["B"], "Widerspruch gegen Bescheid", "Erika Mustermann", date(2026, 3, 14))
    events = events_for_object("document", document.pk)
    # Corrected and filed is one action, and one event in the trail.
    assert not events.filter(action="changed").exists()
    moved = events.get(action="moved")
    assert moved.actor == "poststelle"
    assert set(moved.clear_data["changes"]) == {"title", "sender", "letter_date"}
    assert "korrigiert" in moved.clear_purpose
    assert "berichtigt: Betreff, Absender, Briefdatum" in moved.clear_purpose


def test_a_part_of_a_flagged_batch_carries_the_batchs_counts():
    # The shape split gives a part: its own scan, the batch's note under "batch".
    note = {"pages_declared": 6, "pages_found": 5, "pages_match": False}
    part = {"scan": {"pages_found": 1},
            "batch": {"name": "stapel.pdf", "flagged": True, "scan": {"transfer_note": note}}}
    assert page_mismatch(part) == {"declared": 6, "found": 5, "batch": "stapel.pdf"}
    matching = {"scan": {"transfer_note": {**note, "pages_found": 6, "pages_match": True}}}
    assert page_mismatch(matching) is None


def test_a_duplicate_names_the_existing_document_only_to_who_may_see_it(demo, tmp_path):
    """The same letter already filed in Sachgebiet B: a caseworker of A who uploads it learns
    that it is archived, not where; a caseworker of B is told which document it is."""
    case_file_b = demo["B"]
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", [
        "Bescheid über Grundsicherung", f"Aktenzeichen {case_file_b.file_reference}"])
    first = _upload(_api("sachbearbeitung-b"), pdf).json()["job"]
    filed = job_run(first, worker="test")
    assert filed.state == JobState.FILED and filed.document.case_file == case_file_b

    statuses = {}
    for username in ("sachbearbeitung-a", "sachbearbeitung-b"):
        client = _api(username)
        job_id = _upload(client, pdf).json()["job"]
        job_run(job_id, worker="test")
        statuses[username] = client.get(f"/api/jobs/{job_id}/").json()

    foreign = statuses["sachbearbeitung-a"]
    # Neutral: nothing says the letter was archived somewhere the submitter cannot see.
    assert foreign["state"] == "duplicate" and "bereits" in foreign["outcome"]["message"]
    assert "archiviert" not in foreign["outcome"]["message"]
    assert (foreign["outcome"]["document"], foreign["outcome"]["file_reference"]) == (None, None)
    assert all(line["document"] is None and line["file_reference"] is None
               for line in foreign["outcomes"])
    assert case_file_b.file_reference not in str(foreign)
    own = statuses["sachbearbeitung-b"]["outcome"]
    assert (own["document"], own["file_reference"]) == (filed.document_id,
                                                        case_file_b.file_reference)
