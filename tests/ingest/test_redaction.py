"""Redaction makes a new version whose pixels and text no longer hold what was blacked out;
caseworkers see that version, the earlier one needs the permission to see unredacted
versions. Real OCR on a generated scan, and tesseract on the resulting pixels. The worker's
task is called directly, as the worker would run it."""
import subprocess

import pytest
from django.test import Client
from PIL import Image

from archive.blobstore import blob_path
from archive.errors import InvalidInput, NotFound
from ingest.jobs import job_receive
from ingest.models import JobState, RedactionJob, RedactionState
from ingest.pipeline import job_run
from ingest.redaction_jobs import DPI, MM_PER_INCH, Box, redaction_request
from ingest.tasks import redact
from tests.archive.helpers import file_document, grant
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.letters import A4_300DPI, LINE_HEIGHT, MARGIN_TOP, Letter, render_letter

pytestmark = pytest.mark.django_db
SECRET = "DE89370400440532013000"  # an IBAN to black out


def _pixels_text(pdf, tmp_path) -> str:
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "px")], check=True)
    image = next(tmp_path.glob("px-*.png"))
    return subprocess.run(["tesseract", str(image), "-", "-l", "deu"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def scanned(demo, tmp_path):
    letter = Letter(file_reference=demo["A"].file_reference,
                    paragraphs=[f"Bitte überweisen Sie auf mein Konto {SECRET} bei der",
                                "Stadtsparkasse. Der Bescheid vom 3. März liegt bei."])
    scan = render_letter(tmp_path / "brief.png", letter, skew=0.0, noise=0.03)
    job = job_run(job_receive(path=scan, original_name=scan.name, source="test").pk,
                  worker="test")
    assert job.state == JobState.FILED, job.message
    row = next(i for i, line in enumerate(letter.lines()) if SECRET in line)
    top_px = MARGIN_TOP + row * LINE_HEIGHT - 15
    box = Box(page=1, x=0, y=top_px / DPI * MM_PER_INCH, width=210,
              height=(LINE_HEIGHT + 5) / DPI * MM_PER_INCH)
    return job.document, box


def _band_mean(thumbnail_sha256: str, box: Box) -> float:
    """Mean grey of the box's middle rows (5 % to 95 % of the width) in a thumbnail."""
    image = Image.open(blob_path(thumbnail_sha256))
    per_mm = image.width / (A4_300DPI[0] / DPI * MM_PER_INCH)
    middle = round((box.y + box.height / 2) * per_mm)
    left, right = round(image.width * 0.05), round(image.width * 0.95)
    band = image.convert("L").crop((left, middle - 1, right, middle + 1)).tobytes()
    return sum(band) / len(band)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _redact(document, boxes, *, version=1, reason="Bankdaten für die Akte nicht erforderlich",
            username="sachbearbeitung-a"):
    """Ask as the web does, then run the queued task as the worker does."""
    job = redaction_request(user=user(username), document_id=document.pk, version=version,
                            boxes=boxes, reason=reason)
    assert job.state == RedactionState.QUEUED
    redact(str(job.pk))
    job.refresh_from_db()
    return job


def test_redaction_removes_text_and_pixels_and_hides_the_original(scanned, tmp_path):
    """One scan, one redaction (OCR is the expensive part); every consequence checked."""
    document, box = scanned
    first = document.versions.get(number=1)
    assert SECRET in _digits(first.text)  # the precondition: OCR read the IBAN
    job = _redact(document, [box])
    assert (job.state, job.code, job.result_version) == (RedactionState.DONE, "", 2), job.message
    assert job.steps_done == ["rasterise", "paint", "ocr", "extract", "store"]
    version = document.versions.get(number=2)
    assert version.provenance["redaction_of_version"] == 1
    assert version.provenance["reason"] == "Bankdaten für die Akte nicht erforderlich"
    assert version.provenance["boxes"] == [box.__dict__]
    assert version.page_count == 1 and version.rendition_is_pdfa
    assert SECRET not in _digits(version.text)
    assert "Stadtsparkasse" in version.text  # the rest is still there
    pixels = _pixels_text(blob_path(version.rendition_sha256), tmp_path)
    assert SECRET not in _digits(pixels) and "Stadtsparkasse" in pixels
    first.refresh_from_db()
    assert SECRET in _digits(first.text)  # the old version is unchanged

    # The new version's thumbnail is drawn from the redacted rendition: the band is black
    # there, while the earlier version's thumbnail (still its own) shows a line of text.
    assert version.thumbnail_sha256 and first.thumbnail_sha256
    assert version.thumbnail_sha256 != first.thumbnail_sha256
    redacted_band = _band_mean(version.thumbnail_sha256, box)
    assert redacted_band < 50, redacted_band
    assert _band_mean(first.thumbnail_sha256, box) > 150

    # Caseworkers see the redacted version; the original needs the permission.
    client = Client()
    client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert SECRET not in _digits(page.split('id="text"')[1])
    assert client.get(f"/dokumente/{document.pk}/versionen/1.pdf").status_code == 404
    grant("sachbearbeitung-a", "view_unredacted")
    privileged = Client()
    privileged.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert privileged.get(f"/dokumente/{document.pk}/versionen/1.pdf").status_code == 200
    other = Client()
    other.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    assert other.get(f"/dokumente/{document.pk}/versionen/2.pdf").status_code == 404


def test_redaction_needs_a_reason_and_pages_that_exist(demo):
    document = file_document(demo["A"], store=True)
    box = Box(page=1, x=0, y=0, width=10, height=10)
    with pytest.raises(InvalidInput) as refused:
        redaction_request(user=user("sachbearbeitung-a"), document_id=document.pk, version=1,
                          boxes=[box], reason=" ")
    assert refused.value.code == "REASON_REQUIRED"
    with pytest.raises(InvalidInput) as refused:
        redaction_request(user=user("sachbearbeitung-a"), document_id=document.pk, version=1,
                          boxes=[], reason="x")
    assert refused.value.code == "REASON_REQUIRED"
    with pytest.raises(InvalidInput) as refused:
        redaction_request(user=user("sachbearbeitung-a"), document_id=document.pk, version=1,
                          boxes=[Box(page=5, x=0, y=0, width=10, height=10)], reason="x")
    assert refused.value.code == "PAGE_RANGE"
    with pytest.raises(NotFound):
        redaction_request(user=user("sachbearbeitung-b"), document_id=document.pk, version=1,
                          boxes=[box], reason="x")
    assert not RedactionJob.objects.exists()


def test_a_destroyed_documents_redaction_jobs_keep_nothing_personal(demo):
    """The reason and the boxes say what was in the document; they go with it."""
    from archive.models import Document
    from archive.signals import documents_destroyed

    document = file_document(demo["A"], store=True)
    job = RedactionJob.objects.create(
        document=document, requested_by=user("sachbearbeitung-a"), version=1,
        reason="Kontonummer von Frau Müller", boxes=[{"page": 1, "x": 0, "y": 0,
                                                      "width": 5, "height": 5}],
        state=RedactionState.REFUSED, message="Version 1 ist nicht mehr aktuell")
    documents_destroyed.send(sender=Document, document_ids=[document.pk])
    job.refresh_from_db()
    assert (job.reason, job.boxes, job.message) == ("", [], "")
    assert job.state == RedactionState.REFUSED  # the fact of the job stays
