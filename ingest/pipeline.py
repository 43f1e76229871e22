"""The pipeline as a short recipe: claim the job, run the steps, commit what they found.

Steps are functions of the context that hand back what they found (parts of a batch, the
attachments of a mail) or raise a refusal; none writes to the database. This module is the one
place that asks whether the bytes came before, creates child jobs and files the document: all
of it in one transaction, under a lock on the original's hash."""
import errno
import logging
import shutil
import time
from pathlib import Path

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from archive.blobstore import blob_path

from .context import Part, Parts, PipelineContext
from .errors import IngestFailed, IngestRefused, IngestTransient
from .jobs import (
    Duplicate,
    JobLost,
    job_claim,
    job_duplicate_of,
    job_finish,
    job_lock_original,
    job_mine,
    job_receive,
    job_renew_lease,
    job_retry_later,
    job_set_step,
    job_workdir,
)
from .leases import LeaseKeeper
from .models import IngestJob, JobState
from .recipe import FILE_STEP, STEP_NAMES
from .steps import filing
from .steps.extract import extract
from .steps.ocr import ocr
from .steps.prepare import prepare
from .steps.split import split
from .steps.thumbnail import thumbnail
from .steps.triage import triage
from .transfer import transfer_note_record

log = logging.getLogger(__name__)

_FUNCTIONS = {"triage": triage, "prepare": prepare, "split": split, "ocr": ocr,
              "extract": extract, "thumbnail": thumbnail}
# In the recipe's order; a name without a function fails at import, not halfway through a job.
STEPS = [(name, _FUNCTIONS[name]) for name in STEP_NAMES if name != FILE_STEP]
# Faults of the surroundings, not of the input: worth another attempt after a pause.
TRANSIENT = (OperationalError, InterfaceError, IngestTransient)
# The same from the file system (blob store, work directory): a full or vanished disk or
# mount. An OSError without one of these (a corrupt image, say) is not retried.
TRANSIENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ESTALE,
                    errno.ENOTCONN, errno.ETIMEDOUT, errno.EAGAIN, errno.EBUSY, errno.EMFILE,
                    errno.ENFILE, errno.ENOMEM}


def _context(job: IngestJob, workdir: Path) -> PipelineContext:
    return PipelineContext(
        job=job, source_path=blob_path(job.original_sha256), workdir=workdir,
        renew=lambda: job_renew_lease(job),
        routed_reference=job.provenance.get("route_reference", ""),
        routed_unit=job.provenance.get("route_unit", ""))


def _process(job: IngestJob, ctx: PipelineContext) -> IngestJob:
    duplicate = job_duplicate_of(job)  # early, to spare the work; asked again when committing
    if duplicate is not None:
        return _finish_duplicate(job, duplicate)
    parts: list[Part] = []
    for name, step in STEPS:
        job_set_step(job, name)
        started = time.monotonic()
        found = step(ctx)
        if name == "ocr" and ctx.page_count:
            job.ocr_seconds = time.monotonic() - started  # saved with the job's end
        if name == "split":
            _record_scan(job, ctx)
        if isinstance(found, Parts):
            parts += found.items
            if found.replaces_original:
                return _commit(job, ctx, parts, archive=False)
    job_set_step(job, FILE_STEP)
    return _commit(job, ctx, parts, archive=True)


def _record_scan(job: IngestJob, ctx: PipelineContext) -> None:
    """The transfer note into the event log, and the flag when pages are missing."""
    note = ctx.scan.get("transfer_note")
    if note:
        transfer_note_record(job, note)
    if ctx.flagged and not job.flagged:
        job.flagged = True
        IngestJob.objects.filter(pk=job.pk).update(flagged=True)


def _commit(job: IngestJob, ctx: PipelineContext, parts: list[Part], *,
            archive: bool) -> IngestJob:
    """The document, the child jobs and the job's end in one transaction. Two copies of one
    file may both have come this far: under the lock on the original's hash, the second finds
    the first's document (or split) and ends as a duplicate."""
    rendition = filing.rendition_store(ctx) if archive else None
    with transaction.atomic():
        job_lock_original(job)
        if not job_mine(job).exists():
            raise JobLost(job.pk)  # our lease ran out and another worker has the job now
        duplicate = job_duplicate_of(job)
        if duplicate is not None:
            return _finish_duplicate(job, duplicate)
        document = filing.file_document(ctx, rendition) if archive else None
        for part in parts:
            job_receive(path=part.path, original_name=part.name, source=job.source,
                        submitted_by=job.submitted_by, provenance=part.provenance, parent=job)
        if not archive:
            return job_finish(job, state=JobState.SPLIT, pages=ctx.scan.get("pages_found"),
                              claimed=True,
                              message=f"In {len(parts)} Dokumente aufgeteilt.")
        IngestJob.objects.filter(pk=job.pk).update(suggestions=ctx.suggestions)
        job.suggestions = ctx.suggestions
        state = JobState.INBOX if document.case_file_id is None else JobState.FILED
        return job_finish(job, state=state, document=document, pages=ctx.page_count,
                          claimed=True)


def _finish_duplicate(job: IngestJob, duplicate: Duplicate) -> IngestJob:
    if duplicate.batch is not None:
        batch = duplicate.batch
        when = timezone.localtime(batch.created_at).strftime("%d.%m.%Y %H:%M")
        return job_finish(job, state=JobState.DUPLICATE, code="DUPLICATE", pages=batch.pages,
                          claimed=True,
                          message=f"Dieser Stapel wurde bereits am {when} aufgeteilt und "
                                  f"archiviert ({batch.children.count()} Dokumente).")
    return job_finish(job, state=JobState.DUPLICATE, code="DUPLICATE", claimed=True,
                      message="Diese Datei ist bereits archiviert.",
                      document=duplicate.document)


def job_run(job_id, *, worker: str) -> IngestJob | None:
    """Process one job. Returns None when another worker has it or it is already done, or
    when another worker took it over while this one stalled past its lease."""
    job = job_claim(job_id, worker=worker)
    if job is None:
        return None
    try:
        with LeaseKeeper(job):
            return _run_claimed(job)
    except JobLost:
        log.warning("job %s: another worker took it over after this one's lease ran out; "
                    "the work done here is dropped", job.pk)
        return None


def _run_claimed(job: IngestJob) -> IngestJob:
    workdir = job_workdir(job.pk)
    ctx = None
    try:
        # A folder left by an earlier attempt of this job holds nothing worth keeping.
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        ctx = _context(job, workdir)
        return _process(job, ctx)
    except IngestRefused as refusal:
        log.info("job %s refused: %s %s", job.pk, refusal.code, refusal.message)
        return job_finish(job, state=JobState.REFUSED, code=refusal.code, message=refusal.message,
                          claimed=True,
                          pages=(ctx.page_count if ctx else 0) or None)
    except TRANSIENT as fault:
        code = getattr(fault, "code", "TRANSIENT_ERROR")
        log.warning("job %s: transient fault at step %s: %s", job.pk, job.step, fault)
        message = fault.message if isinstance(fault, IngestTransient) else \
            "Die Datenbank war vorübergehend nicht erreichbar."
        return job_retry_later(job, code=code, message=f"Vorübergehender Fehler: {message}")
    except IngestFailed as failure:
        log.error("job %s failed: %s %s", job.pk, failure.code, failure.message)
        return job_finish(job, state=JobState.FAILED, code=failure.code, message=failure.message,
                          claimed=True)
    except OSError as fault:
        if fault.errno not in TRANSIENT_ERRNOS:
            return _internal_error(job, fault)
        code = "STORAGE_FULL" if fault.errno in (errno.ENOSPC, errno.EDQUOT) else \
            "STORAGE_UNAVAILABLE"
        log.warning("job %s: storage fault at step %s: %s", job.pk, job.step, fault)
        # strerror only: the exception's text names the file's path on the server.
        reason = fault.strerror or errno.errorcode.get(fault.errno, "")
        return job_retry_later(job, code=code, message=f"Vorübergehender Speicherfehler bei "
                               f"Schritt {job.step}: {reason}")
    except (DatabaseError, JobLost):
        raise  # the database is unusable here, or the job is no longer ours: the lease decides
    except Exception as exc:  # the original stays; the job records why it stopped
        return _internal_error(job, exc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _internal_error(job: IngestJob, exc: Exception) -> IngestJob:
    # The exception's text goes to the log only: it may name paths of the server.
    log.exception("job %s failed unexpectedly", job.pk)
    return job_finish(job, state=JobState.FAILED, code="INTERNAL_ERROR", claimed=True,
                      message=f"Interner Fehler bei Schritt {job.step} "
                              f"({type(exc).__name__}); die Datei ist unverändert aufbewahrt.")
