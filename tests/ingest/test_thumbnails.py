"""Thumbnails: the pipeline draws a small PNG of the rendition's first page that looks like
the page, and a rendition that cannot be drawn costs the picture, never the document."""
import hashlib
import io
import threading

import pytest
from PIL import Image

from archive.blobstore import blob_path
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.steps.thumbnail import WIDTH, thumbnail_render, thumbnail_store
from tests.fixtures.born_digital import born_digital_pdf

LINES = ["Bewilligungsbescheid über Leistungen der Grundsicherung",
         "Sehr geehrte Frau Schäfer, Ihrem Antrag vom 2. Februar wird entsprochen.",
         "Die Leistungen werden ab dem 1. März monatlich im Voraus gezahlt."]
A4_POINTS = (595, 842)


def _ingest(path):
    job = job_receive(path=path, original_name=path.name, source="test")
    return job_run(job.pk, worker="test")


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.django_db
def test_the_pipeline_stores_a_small_png_that_looks_like_the_first_page(demo, tmp_path):
    job = _ingest(born_digital_pdf(tmp_path / "bescheid.pdf", LINES))
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert version.thumbnail_sha256
    data = blob_path(version.thumbnail_sha256).read_bytes()
    assert hashlib.sha256(data).hexdigest() == version.thumbnail_sha256
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = _image(data)
    assert image.format == "PNG" and image.mode == "L"
    assert image.width == WIDTH
    assert abs(image.height - round(WIDTH * A4_POINTS[1] / A4_POINTS[0])) <= 1
    assert len(data) < 20_000  # small: a list of twenty hits stays light
    pixels = image.tobytes()
    dark = [i for i, value in enumerate(pixels) if value < 128]
    # A white page with three lines of text near its top-left corner, nothing else.
    assert sum(1 for value in pixels if value > 230) > 0.95 * len(pixels)
    assert len(dark) > 40
    rows = {i // image.width for i in dark}
    columns = {i % image.width for i in dark}
    text_top = (A4_POINTS[1] - 770 - 12) * WIDTH / A4_POINTS[0]  # baseline 770pt, 12pt font
    assert min(rows) >= text_top - 2 and max(rows) < image.height / 4
    assert min(columns) >= 72 * WIDTH / A4_POINTS[0] - 2  # the left margin stays white


def test_a_thumbnail_is_drawn_at_thumbnail_scale_not_at_scan_resolution(tmp_path, monkeypatch):
    # Not timed (timings belong in benchmarks): what keeps it cheap is that pdfium is asked
    # for a 240-pixel bitmap, not a page at scan resolution that is scaled down afterwards.
    import pypdfium2

    scales = []
    render = pypdfium2.PdfPage.render

    def recording_render(page, *args, **kwargs):
        scales.append(kwargs["scale"])
        return render(page, *args, **kwargs)

    monkeypatch.setattr(pypdfium2.PdfPage, "render", recording_render)
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", LINES)
    assert _image(thumbnail_render(pdf)).width == WIDTH
    [scale] = scales
    assert scale * 72 < 40  # dots per inch: far below any scan's 200 to 600


@pytest.mark.django_db
def test_a_rendition_that_cannot_be_drawn_gets_no_thumbnail_and_no_blob(tmp_path, settings):
    broken = tmp_path / "kaputt.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj<</Type/Catalog>>\n%%EOF garbage")
    before = set(settings.BLOB_DIR.rglob("*")) if settings.BLOB_DIR.exists() else set()
    assert thumbnail_store(broken) == ""
    assert thumbnail_store(None) == ""
    after = set(settings.BLOB_DIR.rglob("*")) if settings.BLOB_DIR.exists() else set()
    assert {p for p in after - before if p.is_file()} == set()


@pytest.mark.django_db
def test_a_failing_thumbnail_does_not_fail_the_job(demo, tmp_path, monkeypatch, caplog):
    def broken_renderer(pdf, **kwargs):
        raise RuntimeError("renderer crashed")

    # Fault injection in the drawing only: triage, OCR and filing run for real.
    monkeypatch.setattr("ingest.steps.thumbnail.thumbnail_render", broken_renderer)
    job = _ingest(born_digital_pdf(tmp_path / "ohne-bild.pdf", LINES))
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert version.thumbnail_sha256 == ""
    assert LINES[0] in version.text and blob_path(version.rendition_sha256).exists()
    assert any("no thumbnail" in note for note in version.provenance["notes"])
    assert "no thumbnail" in caplog.text


def test_thumbnails_drawn_in_several_threads_at_once_do_not_crash(tmp_path):
    """Any threaded caller (a threaded worker pool, the test runner) may draw at once; pdfium
    is not thread-safe, and two threads in it at once crash the process."""
    source = born_digital_pdf(tmp_path / "bescheid.pdf", LINES)
    expected = thumbnail_render(source)
    results: list[bytes] = []

    def draw():
        for _ in range(25):
            results.append(thumbnail_render(source))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 100 and set(results) == {expected}
