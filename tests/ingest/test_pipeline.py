"""The pipeline on real files with real OCRmyPDF: text layers are kept rather than OCRed
again, PDFs the PDF/A converter refuses still get a rendition, and the same file twice is not
archived twice."""
import hashlib
import json

import pikepdf
import pytest

from archive.blobstore import blob_path
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from tests.conftest import registratur, wait_for
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letters import Letter, render_letter

LINES = ["Bewilligungsbescheid über Leistungen der Grundsicherung",
         "Sehr geehrte Frau Schäfer, Ihrem Antrag vom 2. Februar wird entsprochen."]


def _ingest(path):
    job = job_receive(path=path, original_name=path.name, source="test")
    return job_run(job.pk, worker="test")


def _image_xobjects(pdf_path) -> int:
    with pikepdf.open(pdf_path) as pdf:
        return sum(len(page.get_images()) for page in pdf.pages)


@pytest.mark.django_db
def test_a_page_with_text_is_not_ocred_again(demo, tmp_path):
    job = _ingest(born_digital_pdf(tmp_path / "bescheid.pdf", LINES))
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    # The exact text of the text layer survives (OCR would not reproduce it character by
    # character), and the page was not rasterised into an image.
    assert LINES[0] in version.text and LINES[1] in version.text
    assert _image_xobjects(blob_path(version.rendition_sha256)) == 0
    assert version.original_sha256 == hashlib.sha256(
        (tmp_path / "bescheid.pdf").read_bytes()).hexdigest()


@pytest.mark.django_db
def test_pdf_refused_by_the_pdfa_converter_still_gets_a_safe_rendition(demo, tmp_path):
    source = born_digital_pdf(tmp_path / "aktiv.pdf", LINES, open_action=True)
    job = _ingest(source)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert LINES[0] in version.text
    with pikepdf.open(blob_path(version.rendition_sha256)) as rendition:
        assert "/OpenAction" not in rendition.Root  # active content stays out of the archive
    notes = " ".join(version.provenance["notes"])
    assert "active content removed" in notes
    if not version.rendition_is_pdfa:
        assert "rendition is a plain PDF" in notes
        # A plain PDF is never called PDF/A: the validator's verdict says why.
        assert version.pdfa_check == "fail" and version.pdfa_findings
    else:
        assert version.pdfa_check == "pass"
    # The original is kept as it came, active content and all.
    with pikepdf.open(blob_path(version.original_sha256)) as original:
        assert "/OpenAction" in original.Root


@pytest.mark.django_db
def test_the_same_file_twice_is_archived_once(demo, tmp_path):
    source = born_digital_pdf(tmp_path / "zweimal.pdf", LINES)
    first = _ingest(source)
    second = _ingest(source)
    assert second.state == JobState.DUPLICATE
    assert second.document_id == first.document_id
    assert first.document.versions.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name, data, code", [
    ("leer.pdf", b"", "EMPTY_FILE"),
    ("brief.pdf", b"Nur Text, kein PDF", "UNSUPPORTED_TYPE"),
    ("kaputt.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>\n%%EOF garbage", "CORRUPT_PDF"),
    ("bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "CORRUPT_IMAGE"),
])
def test_bad_input_is_refused_with_a_stable_code(demo, tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, code)
    assert job.message and job.document is None
    assert blob_path(job.original_sha256).read_bytes() == data  # kept in quarantine


def test_cli_ingest_wait_json_reports_each_file(demo_tx, tmp_path):
    """With no worker running, `ingest --wait` processes in its own process."""
    case_file = demo_tx["B"]
    good = render_letter(tmp_path / "brief.png", Letter(file_reference=case_file.file_reference,
                                                        subject="Antrag auf Grundsicherung"),
                         noise=0.05)
    bad = tmp_path / "notiz.pdf"
    bad.write_text("keine PDF-Datei")
    result = registratur("ingest", str(good), str(bad), "--wait", "--json")
    assert result.returncode == 3, result.stderr  # some input was refused
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    by_file = {line["file"]: line for line in lines}
    assert set(by_file) == {str(good), str(bad)}
    keys = {"file", "status", "document", "file_reference", "pages", "code", "message"}
    assert all(keys <= set(line) for line in lines)
    assert by_file[str(good)]["status"] == "filed", by_file[str(good)]
    assert by_file[str(good)]["file_reference"] == case_file.file_reference
    assert by_file[str(good)]["pages"] == 1 and by_file[str(good)]["code"] is None
    assert by_file[str(bad)]["status"] == "refused"
    assert by_file[str(bad)]["code"] == "UNSUPPORTED_TYPE" and by_file[str(bad)]["document"] is None

    def found() -> int:
        result = registratur("search", "Grundsicherung", "--user", "sachbearbeitung-b", "--json")
        return json.loads(result.stdout)["count"]

    # The index follows the commit; where a worker took the job (a heartbeat left by another
    # test's worker), it does so a moment after the job's outcome.
    assert wait_for(lambda: found() == 1, timeout=30, what="the letter in the index")
