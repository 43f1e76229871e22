"""Uploads through the REST API as the mailroom makes them: an encrypted PDF with its password,
and a scan whose provenance (device, profile, operator, measured resolution and colour) the
archived version keeps."""
import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from tests.conftest import DEMO_PASSWORD, sqlite_only
from tests.fixtures import formats
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = [pytest.mark.django_db, sqlite_only]


def _api(username="poststelle"):
    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _upload_and_run(client, path, content_type, **fields) -> IngestJob:
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)
    response = client.post("/api/ingest/", {"file": [upload], **fields}, format="multipart")
    assert response.status_code == 201, response.content
    job_id = response.json()["job"]
    job_run(job_id, worker="test")
    return IngestJob.objects.get(pk=job_id)


def _locked_pdf(tmp_path):
    plain = born_digital_pdf(tmp_path / "plain.pdf", ["Vertraulicher Bescheid über Wohngeld"])
    locked = tmp_path / "bescheid.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="geheim", owner="eigentümer"))
    return locked


def test_encrypted_pdf_uploaded_with_a_wrong_password_is_refused(demo, tmp_path):
    client = _api()
    job = _upload_and_run(client, _locked_pdf(tmp_path), "application/pdf", password="falsch")
    assert (job.state, job.code) == (JobState.REFUSED, "ENCRYPTED_PDF_WRONG_PASSWORD")
    status = client.get(f"/api/jobs/{job.pk}/").json()
    assert status["state"] == "refused"
    assert "Kennwort passt nicht" in job.message
    assert job.password == ""  # not kept, not even when wrong


def test_encrypted_pdf_uploaded_with_its_password_is_archived(demo, tmp_path):
    client = _api()
    locked = _locked_pdf(tmp_path)
    job = _upload_and_run(client, locked, "application/pdf", password="geheim")
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert "Vertraulicher Bescheid" in version.text
    assert "encryption removed for the rendition" in version.provenance["notes"]
    assert job.password == ""  # forgotten once used
    assert client.get(f"/api/jobs/{job.pk}/").json()["state"] == "inbox"


def _stamped_page() -> Image.Image:
    """A letter with a red received-stamp: a colour scan."""
    page = formats.text_page(["Eingangsstempel", "Grundsicherung"], mode="RGB")
    ImageDraw.Draw(page).rectangle((700, 400, 1000, 600), outline=(200, 0, 0), width=12)
    return page


@pytest.mark.parametrize("mode, expected", [("L", "grayscale"), ("1", "bilevel"),
                                            ("RGB", "colour")])
def test_scan_provenance_records_measurements_and_what_the_upload_said(demo, tmp_path, mode,
                                                                       expected):
    page = _stamped_page() if mode == "RGB" else formats.text_page(
        ["Eingangsstempel", "Grundsicherung"], mode=mode)
    path = tmp_path / f"scan-{mode}.tif"
    page.save(path, dpi=(200, 200), compression="group4" if mode == "1" else "tiff_lzw")
    job = _upload_and_run(_api(), path, "image/tiff", device="Kodak i2900 (Poststelle 2)",
                          profile="Posteingang 200 dpi")
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    scan = version.provenance["scan"]
    # Measured from the image itself ...
    assert scan["resolution_dpi"] == 200
    assert scan["colour_mode"] == expected
    # ... and what the upload said, with who scanned it.
    assert scan["device"] == "Kodak i2900 (Poststelle 2)"
    assert scan["profile"] == "Posteingang 200 dpi"
    assert scan["operator"] == "poststelle"
    assert version.provenance["source"] == "api"
    assert "Grundsicherung" in version.text


def test_a_declared_resolution_that_the_scan_contradicts_is_kept_beside_the_measurement(
        demo, tmp_path):
    path = tmp_path / "scan.tif"
    formats.text_page(["Eingangsstempel", "Grundsicherung"], mode="L").save(
        path, dpi=(200, 200), compression="tiff_lzw")
    job = _upload_and_run(_api(), path, "image/tiff", resolution_dpi="600",
                          colour_mode="grayscale")
    assert job.state == JobState.INBOX, job.message
    scan = job.document.versions.get().provenance["scan"]
    assert scan["resolution_dpi"] == 200  # what the file shows
    assert scan["declared"] == {"resolution_dpi": 600}  # what the operator said
    assert scan["colour_mode"] == "grayscale"
