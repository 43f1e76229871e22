"""The memory limit of the OCR child, reached where it matters: OCRmyPDF starts, reads the
page and runs out while rasterising it. And how a child's end is read: only running out of
memory is MEMORY_LIMIT; a crash says it was one."""
import signal
import time

import pytest
from django.test import override_settings
from ocrmypdf import ExitCode
from PIL import Image, ImageDraw, ImageFont

from archive.blobstore import blob_path
from ingest.context import PipelineContext
from ingest.errors import IngestFailed, IngestRefused
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.steps.ocr import ocr, raise_for_exit_code
from tests.conftest import sqlite_only
from tests.fixtures import formats

# Measured on Debian 12 with OCRmyPDF 17, one OCR job and two malloc arenas (as the OCR
# child runs): a small page is archived from 300 MB of address space on (20 of 20 runs;
# below 240 MB unpaper cannot load its libraries); the large page below runs out while being
# rasterised at up to 600 MB. 400 MB sits in between.
LIMIT_MB = 400


def _large_page(path, *, pixels=14000, dpi=600):
    """A 23-inch square drawing at 600 dpi (196 megapixels, under the pixel limit): small as
    a file, large once rasterised."""
    image = Image.new("L", (pixels, pixels), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(formats.FONT, 200)
    for top in range(100, pixels - 300, 1200):
        draw.text((200, top), "Bauzeichnung Grundsicherung", fill=0, font=font)
    image.save(path, resolution=dpi)
    return path


def _run(path):
    job = job_receive(path=path, original_name=path.name, source="test")
    return job_run(job.pk, worker="test")


@sqlite_only
@pytest.mark.django_db
def test_ocr_that_outgrows_the_memory_limit_is_refused_and_the_original_kept(demo, tmp_path):
    small = formats.save_pdf(tmp_path / "brief.pdf", [formats.text_page(["Speicherlimit"])])
    large = _large_page(tmp_path / "plan.pdf")
    with override_settings(INGEST_MEMORY_MB=LIMIT_MB, OCR_JOBS=1):
        # The limit lets OCRmyPDF import, start and finish a page: OCR really runs under it.
        control = _run(small)
        assert control.state == JobState.INBOX, control.message
        assert "Speicherlimit" in control.document.versions.get().text
        job = _run(large)
    assert (job.state, job.code) == (JobState.REFUSED, "MEMORY_LIMIT"), job.message
    assert job.step == "ocr"  # triage, preparation and splitting were done; OCR ran out
    assert f"{LIMIT_MB} MB" in job.message
    assert job.document is None
    assert blob_path(job.original_sha256).read_bytes() == large.read_bytes()


KILLED = -signal.SIGKILL


@pytest.mark.parametrize("code, stderr, expected", [
    # Running out of memory, in every way it shows.
    (KILLED, "", "MEMORY_LIMIT"),  # the kernel's OOM killer
    (ExitCode.other_error, "Traceback ...\nMemoryError", "MEMORY_LIMIT"),
    (ExitCode.child_process_error,
     "[tesseract] Error in pixCreateNoInit: pixdata_malloc fail for data", "MEMORY_LIMIT"),
    (-signal.SIGABRT, "terminate called after throwing an instance of 'std::bad_alloc'",
     "MEMORY_LIMIT"),
    (127, "error while loading shared libraries: libx.so: failed to map segment",
     "MEMORY_LIMIT"),
    # Crashes are crashes: not the memory limit.
    (-signal.SIGSEGV, "", "OCR_CRASHED"),
    (-signal.SIGABRT, "Assertion failed", "OCR_CRASHED"),
    (-signal.SIGBUS, "", "OCR_CRASHED"),
    # What OCRmyPDF itself reports.
    (ExitCode.encrypted_pdf, "", "ENCRYPTED_PDF"),
    (ExitCode.input_file, "", "CORRUPT_INPUT"),
    (ExitCode.missing_dependency, "unpaper not found", "OCR_MISSING_DEPENDENCY"),
    (ExitCode.other_error, "PriorOcrFoundError", "OCR_FAILED"),
])
def test_exit_codes_are_read_honestly(code, stderr, expected):
    with pytest.raises((IngestRefused, IngestFailed)) as raised:
        raise_for_exit_code(code, stderr)
    assert raised.value.code == expected
    assert raised.value.message


def test_a_crash_is_a_failure_naming_the_signal_not_a_refusal_of_the_input():
    with pytest.raises(IngestFailed) as raised:
        raise_for_exit_code(-signal.SIGSEGV, "")
    assert raised.value.code == "OCR_CRASHED"
    assert "SIGSEGV" in raised.value.message
    assert "Speicher" not in raised.value.message


def test_an_ocr_attempt_does_not_restart_the_jobs_clock(tmp_path):
    """The fallback routes (sanitised copy, plain PDF) share the job's time limit: once it is
    used up, no further OCR run starts and the job is refused, whatever is left to try."""
    scan = formats.save_pdf(tmp_path / "scan.pdf", [formats.text_page(["Zeitlimit"])])
    ctx = PipelineContext(job=None, source_path=scan, workdir=tmp_path, kind="pdf",
                          deadline=time.monotonic() - 1)
    with pytest.raises(IngestRefused) as refusal:
        ocr(ctx)
    assert refusal.value.code == "TIMEOUT"
    assert not (tmp_path / "rendition.pdf").exists()
