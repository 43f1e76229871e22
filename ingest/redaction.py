"""Redaction (Schwärzung), the worker side: black out areas of pages and make a new version
whose image and text layer no longer hold what was blacked out. The pages are rasterised,
painted over and OCRed afresh, so nothing of the old text layer survives; the earlier
versions stay, readable only with the permission to see unredacted versions.

Only the Celery task imports this module (it reaches OCRmyPDF); the request side, which the
web imports, is `ingest.redaction_jobs`."""
import hashlib
import logging
import shutil
import tempfile
import time
from pathlib import Path

import img2pdf
import pypdfium2
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from ocrmypdf import ExitCode
from PIL import Image, ImageDraw

from archive.actors import actor_for_user
from archive.blobstore import blob_path, blob_put_file
from archive.errors import RegistraturError
from archive.models import Document
from archive.pdfa_check import pdfa_check
from archive.selectors import version_latest
from archive.services.documents import VersionContent, version_add

from .errors import IngestFailed, failed
from .leases import LeaseKeeper
from .models import RedactionJob, RedactionState
from .redaction_jobs import DPI, Box, lease_from_now, redaction_check, version_not_current
from .steps.extract import pdf_text
from .steps.limits import out_of_memory
from .steps.ocr import (
    RETRY_WITH_FALLBACK,
    ocr_arguments,
    raise_for_exit_code,
    run_ocrmypdf,
)
from .steps.pdfium import PDFIUM_LOCK
from .steps.thumbnail import thumbnail_store

log = logging.getLogger(__name__)
# Refusals whose message quotes OCRmyPDF's own output.
DETAIL_IN_LOG_ONLY = {"OCR_FAILED", "OCR_MISSING_DEPENDENCY"}


def _rasterise(pdf: Path, workdir: Path) -> list[Path]:
    """Each page as a greyscale PNG at DPI. pdfium (already used for thumbnails and barcodes)
    renders in-process, one page at a time, so neither a poppler subprocess nor a second PDF
    renderer is needed; it is not thread-safe, hence the lock."""
    pages = []
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            for index in range(len(document)):
                page = document[index]
                try:
                    bitmap = page.render(scale=DPI / 72, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                    bitmap.close()  # inside the lock, not whenever the collector gets to it
                finally:
                    page.close()
                path = workdir / f"page-{index + 1:05d}.png"
                image.save(path, format="PNG", dpi=(DPI, DPI), compress_level=1)
                pages.append(path)
        finally:
            document.close()
    return pages


def _paint(pages: list[Path], boxes: list[Box], target: Path) -> None:
    """Black out the boxes and wrap the pages into one PDF. img2pdf (already used for images)
    embeds the PNGs losslessly at their resolution; Pillow's PDF writer would store every
    greyscale page as a JPEG."""
    for number, path in enumerate(pages, start=1):
        on_page = [box for box in boxes if box.page == number]
        if on_page:
            with Image.open(path) as opened:
                image = opened.convert("L")
            draw = ImageDraw.Draw(image)
            for box in on_page:
                draw.rectangle(box.pixels(DPI), fill=0)
            image.save(path, format="PNG", dpi=(DPI, DPI), compress_level=1)
    target.write_bytes(img2pdf.convert([str(path) for path in pages]))
    for path in pages:
        path.unlink()  # the unpainted pictures go at once


def _ocr(job: RedactionJob, painted: Path, rendition: Path) -> None:
    """OCR with the very arguments ingest uses; should PDF/A fail, a plain PDF like ingest."""
    def renew():
        RedactionJob.objects.filter(pk=job.pk, state=RedactionState.RUNNING).update(
            lease_until=lease_from_now())

    deadline = time.monotonic() + settings.INGEST_TIMEOUT_SECONDS
    code, stderr = run_ocrmypdf(ocr_arguments(output_type="pdfa-2"), painted, rendition,
                                renew, deadline)
    if code in RETRY_WITH_FALLBACK and not out_of_memory(code, stderr):
        code, stderr = run_ocrmypdf(ocr_arguments(output_type="pdf"), painted, rendition,
                                    renew, deadline)
    if code != ExitCode.ok:
        raise_for_exit_code(code, stderr)


def _set_step(job: RedactionJob, step: str) -> None:
    if job.step and job.step not in job.steps_done:
        job.steps_done = [*job.steps_done, job.step]
    job.step = step
    RedactionJob.objects.filter(pk=job.pk).update(step=step, steps_done=job.steps_done,
                                                  lease_until=lease_from_now(),
                                                  updated_at=timezone.now())


def _finish(job: RedactionJob, *, state: str, code: str = "", message: str = "",
            result_version: int | None = None) -> RedactionJob:
    if state == RedactionState.DONE and job.step and job.step not in job.steps_done:
        job.steps_done = [*job.steps_done, job.step]
    RedactionJob.objects.filter(pk=job.pk).update(
        state=state, code=code, message=message, result_version=result_version,
        steps_done=job.steps_done, lease_until=None, finished_at=timezone.now(),
        updated_at=timezone.now())
    job.refresh_from_db()
    return job


def _claim(job_id, worker: str) -> RedactionJob | None:
    """Take the job if it waits, or if the worker that had it vanished (lease expired)."""
    claimable = Q(state=RedactionState.QUEUED) | Q(state=RedactionState.RUNNING,
                                                   lease_until__lt=timezone.now())
    taken = RedactionJob.objects.filter(claimable, pk=job_id).update(
        state=RedactionState.RUNNING, worker=worker[:200], lease_until=lease_from_now(),
        step="", steps_done=[])
    return RedactionJob.objects.select_related("requested_by").get(pk=job_id) if taken else None


def _store(job: RedactionJob, painted: Path, rendition: Path, text: str, boxes: list[Box]):
    """Add the redacted version, but only onto the version the boxes were drawn on. The
    check and the new version share one transaction holding the document's row (on SQLite
    the write lock); the number the new version got, and the unique version number, catch a
    writer that slips past the check."""
    original, output = blob_put_file(painted), blob_put_file(rendition)
    # Drawn from the redacted rendition: the earlier version's picture shows what was
    # blacked out and is never reused.
    # The rendition is our own painted pages, OCRed: validated here, in the worker.
    thumbnail_sha256, pdfa = thumbnail_store(rendition), pdfa_check(rendition)
    user = job.requested_by
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=job.document_id).first()
        document, source = redaction_check(user=user, document_id=job.document_id,
                                           version=job.version, boxes=boxes, reason=job.reason)
        content = VersionContent(
            original_sha256=original.sha256, original_size=original.size,
            original_name=f"geschwaerzt-v{source.number}.pdf", original_mime="application/pdf",
            rendition_sha256=output.sha256, rendition_is_pdfa=pdfa.passed,
            pdfa_check=pdfa.status, pdfa_findings=pdfa.findings, text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            page_count=source.page_count, thumbnail_sha256=thumbnail_sha256,
            provenance={"redaction_of_version": source.number, "reason": job.reason,
                        "boxes": job.boxes, "redaction_job": str(job.pk)})
        version = version_add(actor=actor_for_user(user), document_id=document.pk,
                              content=content)
        if version.number != source.number + 1:
            # A version filed by another process (which does not take the document's row)
            # committed between the check and the insert: undo, the boxes were not drawn
            # on it.
            raise version_not_current(job.version, version.number - 1)
        return version


def redaction_run(job_id, *, worker: str) -> RedactionJob | None:
    """Carry out one queued redaction; every outcome is written to the job."""
    job = _claim(job_id, worker)
    if job is None:
        return None  # done already, or another worker holds it
    with LeaseKeeper(job, renew=_renew):
        return _run_claimed(job)


def _renew(job: RedactionJob) -> bool:
    """The lease of a redaction still running (ingest/leases.py renews it while it runs)."""
    return bool(RedactionJob.objects.filter(pk=job.pk, state=RedactionState.RUNNING).update(
        lease_until=lease_from_now()))


def _run_claimed(job: RedactionJob) -> RedactionJob:
    boxes = [Box(**box) for box in job.boxes]
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="redact-", dir=settings.WORK_DIR))
    try:
        # Asked for a while ago: the file may have closed, or another version come in.
        _, source = redaction_check(user=job.requested_by, document_id=job.document_id,
                                    version=job.version, boxes=boxes, reason=job.reason)
        _set_step(job, "rasterise")
        pages = _rasterise(blob_path(source.rendition_sha256), workdir)
        _set_step(job, "paint")
        painted = workdir / "geschwaerzt.pdf"
        _paint(pages, boxes, painted)
        _set_step(job, "ocr")
        rendition = workdir / "rendition.pdf"
        _ocr(job, painted, rendition)
        _set_step(job, "extract")
        text = pdf_text(rendition).strip()
        _set_step(job, "store")
        try:
            version = _store(job, painted, rendition, text, boxes)
        except IntegrityError:
            # Another version took the next number while this one was being stored.
            latest = version_latest(job.document)
            raise version_not_current(job.version, latest.number) from None
        return _finish(job, state=RedactionState.DONE, result_version=version.number)
    except RegistraturError as error:
        message = error.message
        if error.code in DETAIL_IN_LOG_ONLY:
            # OCRmyPDF's last line of output may name files and programs of the server.
            log.warning("redaction %s: %s %s", job.pk, error.code, error.message)
            message = "Die Texterkennung der geschwärzten Fassung ist fehlgeschlagen; das " \
                      "Dokument ist unverändert."
        # Failed: the system's fault (OCR crashed or failed on the page it was given, a
        # program missing); refused: the request no longer holds (another version, a closed
        # file) or a limit was hit.
        state = (RedactionState.FAILED
                 if isinstance(error, IngestFailed) or error.code in DETAIL_IN_LOG_ONLY
                 else RedactionState.REFUSED)
        return _finish(job, state=state, code=error.code, message=message)
    except Exception:
        log.exception("redaction %s failed", job.pk)
        error = failed("REDACTION_FAILED", "Die Schwärzung ist fehlgeschlagen; das Dokument "
                       "ist unverändert.")
        return _finish(job, state=RedactionState.FAILED, code=error.code,
                       message=error.message)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
