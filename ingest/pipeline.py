"""The pipeline as a short recipe: claim the job, run the steps, record the outcome."""
import errno
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction

from archive.blobstore import blob_path
from archive.selectors import version_by_original_sha256

from .context import PipelineContext
from .errors import IngestFailed, IngestRefused, IngestTransient
from .jobs import job_claim, job_finish, job_lock_original, job_retry_later, job_set_step
from .models import IngestJob, JobState
from .reporting import duplicate_message
from .steps.extract import extract
from .steps.filing import file_document
from .steps.ocr import ocr
from .steps.prepare import prepare
from .steps.split import BatchSplit, DuplicateBatch, batch_seen_before, split, split_commit
from .steps.thumbnail import thumbnail
from .steps.triage import DuplicateOriginal, triage

log = logging.getLogger(__name__)



def _triage(ctx: PipelineContext) -> None:
    triage(ctx)
    batch_seen_before(ctx)  # the same batch again: its parts are archived already


STEPS = [("triage", _triage), ("prepare", prepare), ("split", split), ("ocr", ocr),
         ("extract", extract), ("thumbnail", thumbnail)]
# Faults of the surroundings, not of the input: worth another attempt after a pause.
TRANSIENT = (OperationalError, InterfaceError, IngestTransient)
# The same from the file system (blob store, work directory): a full or vanished disk or
# mount. An OSError without one of these (a corrupt image, say) is not retried.
TRANSIENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ESTALE,
                    errno.ENOTCONN, errno.ETIMEDOUT, errno.EAGAIN, errno.EBUSY, errno.EMFILE,
                    errno.ENFILE, errno.ENOMEM}


def _context(job: IngestJob, workdir: Path) -> PipelineContext:
    ctx = PipelineContext(job=job, source_path=blob_path(job.original_sha256), workdir=workdir)
    ctx.routed_reference = job.provenance.get("route_reference", "")
    ctx.routed_unit = job.provenance.get("route_unit", "")
    return ctx


def _process(job: IngestJob, ctx: PipelineContext) -> IngestJob:
    try:
        for name, step in STEPS:
            job_set_step(job, name)
            step(ctx)
    except BatchSplit as batch:
        return _finish_split(job, ctx, batch)
    job_set_step(job, "file")
    document = file_document(ctx)
    IngestJob.objects.filter(pk=job.pk).update(suggestions=ctx.suggestions)
    job.suggestions = ctx.suggestions
    state = JobState.INBOX if document.case_file_id is None else JobState.FILED
    return job_finish(job, state=state, document=document, pages=ctx.page_count)


def _finish_split(job: IngestJob, ctx: PipelineContext, batch: BatchSplit) -> IngestJob:
    """The parts and the batch's end in one transaction, under a lock on the batch's hash: of
    two copies that passed triage together, the second finds the first split and stops."""
    with transaction.atomic():
        job_lock_original(job)
        existing = version_by_original_sha256(job.original_sha256)
        if existing is not None:
            raise DuplicateOriginal(existing.document)
        batch_seen_before(ctx)
        parts = split_commit(job, batch)
        return job_finish(job, state=JobState.SPLIT, pages=ctx.scan.get("pages_found"),
                          message=f"In {parts} Dokumente aufgeteilt.")


def job_run(job_id, *, worker: str) -> IngestJob | None:
    """Process one job. Returns None when another worker has it or it is already done."""
    job = job_claim(job_id, worker=worker)
    if job is None:
        return None
    workdir = ctx = None
    try:
        Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"job-{job.pk}-", dir=settings.WORK_DIR))
        ctx = _context(job, workdir)
        return _process(job, ctx)
    except DuplicateOriginal as duplicate:
        return job_finish(job, state=JobState.DUPLICATE, code="DUPLICATE",
                          message="Diese Datei ist bereits archiviert.",
                          document=duplicate.document)
    except DuplicateBatch as duplicate:
        return job_finish(job, state=JobState.DUPLICATE, code="DUPLICATE",
                          message=duplicate_message(duplicate.batch), pages=duplicate.batch.pages)
    except IngestRefused as refusal:
        log.info("job %s refused: %s %s", job.pk, refusal.code, refusal.message)
        return job_finish(job, state=JobState.REFUSED, code=refusal.code, message=refusal.message,
                          pages=(ctx.page_count if ctx else 0) or None)
    except TRANSIENT as fault:
        code = getattr(fault, "code", "TRANSIENT_ERROR")
        return job_retry_later(job, code=code, message=f"Vorübergehender Fehler: {fault}")
    except IngestFailed as failure:
        log.error("job %s failed: %s %s", job.pk, failure.code, failure.message)
        return job_finish(job, state=JobState.FAILED, code=failure.code, message=failure.message)
    except OSError as fault:
        if fault.errno not in TRANSIENT_ERRNOS:
            return _internal_error(job, fault)
        code = "STORAGE_FULL" if fault.errno in (errno.ENOSPC, errno.EDQUOT) else \
            "STORAGE_UNAVAILABLE"
        log.warning("job %s: storage fault at step %s: %s", job.pk, job.step, fault)
        return job_retry_later(job, code=code, message=f"Vorübergehender Speicherfehler bei "
                               f"Schritt {job.step}: {fault.strerror or fault}")
    except DatabaseError:
        raise  # the database is unusable here; the lease brings the job back
    except Exception as exc:  # the original stays; the job records why it stopped
        return _internal_error(job, exc)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def _internal_error(job: IngestJob, exc: Exception) -> IngestJob:
    log.exception("job %s failed unexpectedly", job.pk)
    return job_finish(job, state=JobState.FAILED, code="INTERNAL_ERROR",
                      message=f"Interner Fehler bei Schritt {job.step}: {exc}")
