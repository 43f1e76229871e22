"""PDF/A that is checked, not claimed (issue 14, point 10): renditions and protocols are
validated after they are made, and a file that fails is flagged on its version and never
declared PDF/A to the archive. The broken files here are valid ones damaged with pikepdf;
each keeps its PDF/A claim in the XMP (asserted), so only validation can tell."""
import io
import uuid

import pikepdf
import pytest
from django.utils import timezone

from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_bytes
from archive.models import Version
from archive.pdfa import pdfa_from_lines
from archive.pdfa_check import pdfa_check
from archive.services.documents import VersionContent, document_file_new
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from retention import protocol
from retention.xdomea.records import _files, version_is_pdfa
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letters import Letter, render_letter
from tests.retention.test_protocol_pdf import PROTOCOL


def _claim(data: bytes) -> tuple[str, str]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as xmp:
        return xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")


def _damaged(data: bytes, *, javascript: bool = False, intent: bool = True) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if javascript:
            pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
                S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')")))
        if not intent:
            del pdf.Root["/OutputIntents"]
        out = io.BytesIO()
        pdf.save(out)
    damaged = out.getvalue()
    assert _claim(damaged) == ("2", "B")  # it still claims PDF/A-2b
    return damaged


def test_our_own_reports_pass_without_an_open_action():
    for data in (protocol.protocol_pdfa(PROTOCOL), pdfa_from_lines("Vermerk", ["Vermerk", "ü"])):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert "/OpenAction" not in pdf.Root
        verdict = pdfa_check(data)
        assert (verdict.status, verdict.findings, verdict.claimed) == ("pass", (), "2B")


def test_a_claim_the_file_breaks_fails_and_one_it_cannot_check_is_not_checked():
    valid = pdfa_from_lines("Bescheid", ["Bescheid", "Text"])
    without_intent = pdfa_check(_damaged(valid, intent=False))
    assert without_intent.status == "fail"
    assert any("6.2.4.3" in finding for finding in without_intent.findings)
    with_script = pdfa_check(_damaged(valid, javascript=True))
    assert with_script.status == "not_checked" and not with_script.passed
    assert any("/OpenAction" in finding for finding in with_script.findings)


def test_no_claim_or_no_pdf_fails_and_never_raises(tmp_path):
    plain = born_digital_pdf(tmp_path / "plain.pdf", ["Nur ein PDF"])
    verdict = pdfa_check(plain)
    assert verdict.status == "fail" and verdict.findings[0].startswith("registratur:no-claim")
    for junk in (b"", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>\n%%EOF", b"\x00" * 100):
        assert pdfa_check(junk).status == "fail"


def _file(case_file, data: bytes) -> Version:
    """File `data` as a rendition that claims PDF/A, with the verdict of validating it."""
    stored, verdict = blob_put_bytes(data), pdfa_check(data)
    content = VersionContent(
        original_sha256=stored.sha256, original_size=stored.size, original_name="b.pdf",
        original_mime="application/pdf", rendition_sha256=stored.sha256,
        rendition_is_pdfa=True, pdfa_check=verdict.status, pdfa_findings=verdict.findings,
        text="Bescheid", text_sha256="0" * 64, page_count=1)
    document = document_file_new(content=content, case_file=case_file, title="Bescheid",
                                 received_at=timezone.now(), actor=system_actor(name="test"))
    return document.versions.get()


@pytest.mark.django_db
def test_a_failing_rendition_is_flagged_on_its_version_and_not_exported_as_pdfa(demo):
    valid = pdfa_from_lines("Bescheid", ["Bescheid", "Text"])
    good = _file(demo["A"], valid)
    assert (good.pdfa_check, good.rendition_is_pdfa, version_is_pdfa(good)) == \
        ("pass", True, True)
    for damaged in (_damaged(valid, intent=False), _damaged(valid, javascript=True)):
        version = _file(demo["A"], damaged)
        assert version.pdfa_check in ("fail", "not_checked") and version.pdfa_findings
        assert not version.rendition_is_pdfa  # the claim alone did not make it PDF/A
        assert not version_is_pdfa(version)
        [exported] = _files(uuid.uuid4(), version.document, True)
        assert exported.pdfa is False
    # A version filed before validation existed keeps its old claim, but is not declared.
    Version.objects.filter(pk=good.pk).update(pdfa_check="not_checked")
    [exported] = _files(uuid.uuid4(), good.document, True)
    assert exported.pdfa is False


@pytest.mark.django_db
def test_a_scanned_letter_gets_a_rendition_that_passes_validation(demo, tmp_path):
    path = render_letter(tmp_path / "brief.png", Letter(paragraphs=["Kurzer Antrag."]))
    job = job_run(job_receive(path=path, original_name=path.name, source="test").pk,
                  worker="test")
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert (version.pdfa_check, version.pdfa_findings, version.rendition_is_pdfa) == \
        ("pass", [], True)
    # The very file stored is the one approved: damaging that file makes it fail.
    stored = blob_path(version.rendition_sha256).read_bytes()
    assert pdfa_check(_damaged(stored, intent=False)).status == "fail"
