"""The upload page without JavaScript: the form posts to the page, the files are received as
jobs like uploads through the API, and the page lists them with their state; nobody else
sees those jobs through the same address."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db


def _page(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _rows(html: str) -> list[str]:
    return html.split('id="files"')[1].split("</table>")[0].split("<tr")[2:]


def test_files_posted_without_script_become_jobs_listed_on_the_page(demo, tmp_path):
    letter = born_digital_pdf(tmp_path / "antrag.pdf", ["Antrag auf Wohngeld"])
    client = _page("poststelle")
    response = client.post("/posteingang/hochladen/", {
        "file": [SimpleUploadedFile("antrag.pdf", letter.read_bytes()),
                 SimpleUploadedFile("leer.pdf", b"")],
        "device": "Scanner 3"})
    assert response.status_code == 302
    jobs = IngestJob.objects.order_by("created_at")
    assert [job.original_name for job in jobs] == ["antrag.pdf", "leer.pdf"]
    assert all(job.source == "upload" and job.submitted_by == "poststelle" for job in jobs)
    assert jobs[0].provenance["scan"]["device"] == "Scanner 3"
    location = response["Location"]
    assert location.startswith("/posteingang/hochladen/?auftrag=")
    waiting = _rows(client.get(location).content.decode())
    assert len(waiting) == 2 and "antrag.pdf" in waiting[0] and "0 %" in waiting[0]
    for job in jobs:
        job_run(job.pk, worker="test")
    done = _rows(client.get(location).content.decode())
    filed = IngestJob.objects.get(original_name="antrag.pdf")
    assert filed.state == JobState.INBOX
    assert "100 %" in done[0] and f"/dokumente/{filed.document_id}/" in done[0]
    assert "EMPTY_FILE" in done[1]
    # The same address shows a caseworker nothing of the mailroom's jobs.
    assert _rows(_page("sachbearbeitung-b").get(location).content.decode()) == []


def test_a_post_without_files_says_why_and_others_get_404(demo):
    response = _page("poststelle").post("/posteingang/hochladen/", {}, follow=True)
    assert "Keine Datei übermittelt. (NO_FILE)" in response.content.decode()
    assert not IngestJob.objects.exists()
    assert _page("datenschutz").post("/posteingang/hochladen/", {}).status_code == 404
