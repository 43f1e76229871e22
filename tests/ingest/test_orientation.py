"""A page put on the scanner sideways comes out readable, with real OCR: a short note gives
tesseract's orientation detection little text, so its confidence stays below OCRmyPDF's own
default threshold, and the pipeline must still turn the page upright."""
import pytest
from django.test import override_settings
from PIL import Image

from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from tests.conftest import sqlite_only
from tests.fixtures.letters import Letter, render_pages

pytestmark = sqlite_only

# Sender and recipient block only: about ten lines, like a slip or a half-page notice.
NOTE_HEIGHT = 1000


@pytest.mark.django_db
def test_a_short_note_scanned_sideways_is_read(demo, tmp_path):
    page = render_pages(Letter())[0].crop((0, 0, 2480, NOTE_HEIGHT))
    path = tmp_path / "notiz-quer.png"
    page.rotate(90, expand=True, resample=Image.Resampling.BICUBIC).save(path, dpi=(300, 300))
    job = job_receive(path=path, original_name=path.name, source="test")
    with override_settings(OCR_LANGUAGES=["deu"]):  # the note's language; half the OCR time
        job = job_run(job.pk, worker="test")
    assert job.state in (JobState.INBOX, JobState.FILED), job.message
    text = job.document.versions.get().text
    for word in ("Landeshauptstadt", "Sozialreferat", "Werinherstraße", "Grüner Weg"):
        assert word in text, text
