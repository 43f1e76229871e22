"""The life of an ingest job: receive (durably, before anything else), enqueue, claim, finish,
and recovery of jobs whose worker vanished. The store knows the task only by its name."""
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from archive.blobstore import blob_put_file, blob_put_stream
from archive.models import Document
from archive.selectors import version_by_original_sha256
from archive.services.events import event_append

from .models import QUARANTINE_STATES, IngestJob, JobState

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# Redis serves priority 0 first: new post is queued at CELERY_TASK_DEFAULT_PRIORITY (which
# Celery applies to apply_async only, so sending by name passes it), the job of a worker that
# died at 0. The filesystem broker ignores priorities.
RECOVERY_PRIORITY = 0


class JobLost(Exception):
    """This worker's claim on the job is gone: its lease ran out and another worker took the
    job over (ingest/leases.py). Whatever it found is dropped; the holder of the claim files."""


def job_receive(
    *, path: Path | None = None, original_name: str, source: str, submitted_by: str = "",
    provenance: dict | None = None, parent: IngestJob | None = None, password: str = "",
    stream: BinaryIO | None = None,
) -> IngestJob:
    """Store the original byte-identical and commit the job; only then is it queued. The
    original is a path or an already opened binary `stream` (the hot folder opens a file
    once, without following links, and hands over exactly what it checked)."""
    stored = blob_put_stream(stream) if stream is not None else blob_put_file(path)
    with transaction.atomic():
        job = IngestJob.objects.create(
            source=source, original_name=original_name[:255], original_sha256=stored.sha256,
            original_size=stored.size, submitted_by=submitted_by, provenance=provenance or {},
            enqueued_at=timezone.now(), parent=parent, password=password[:200],
        )
        # No file name in the trail: names are often personal, and the trail outlives any
        # destruction. The job row keeps the name and is scrubbed when the document goes.
        event_append(action="received", object_type="ingest_job", object_id=job.pk,
                     actor=submitted_by or source,
                     data={"sha256": stored.sha256, "size": stored.size, "source": source})
        transaction.on_commit(lambda: job_enqueue(job.pk))
    return job


PROCESS_TASK = "ingest.process_job"


def job_enqueue(job_id, *, countdown: float = 0, priority: int | None = None) -> None:
    # By name, not by importing the task: the task module reaches OCRmyPDF, and the web,
    # which receives uploads through this module, must not (import-linter checks it).
    try:
        if current_app.conf.task_always_eager:
            # The CLI runs jobs itself when no worker is up: the registered task, by name.
            current_app.tasks[PROCESS_TASK].apply(args=(str(job_id),))
            return
        if priority is None:
            priority = settings.CELERY_TASK_DEFAULT_PRIORITY
        current_app.send_task(PROCESS_TASK, args=(str(job_id),), countdown=countdown or None,
                              priority=priority)
    except Exception:
        # The job is committed; the scheduled recovery will queue it again.
        log.exception("could not queue ingest job %s; it will be retried", job_id)


def job_claim(job_id, *, worker: str) -> IngestJob | None:
    """Take the job if it waits, or if the worker that had it vanished (lease expired)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.JOB_LEASE_SECONDS)
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, lease_until__lt=now)
    taken = IngestJob.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING, lease_until=lease, worker=worker[:200],
        attempts=F("attempts") + 1, step="",
    )
    return IngestJob.objects.get(pk=job_id) if taken else None


def job_workdir(job_id) -> Path:
    """The job's own folder for working copies and its children's temporary files: removed
    when the job ends, and by workdirs_sweep when its worker died."""
    return Path(settings.WORK_DIR) / f"job-{job_id}"


LOOSE_FILE_SECONDS = 3600


def workdirs_sweep() -> int:
    """Remove the folders of jobs that no worker is running (a killed worker leaves its job's
    folder behind: page images, recognised text, copies of the scan). A folder whose job is
    running under a live lease belongs to another worker and stays."""
    work = Path(settings.WORK_DIR)
    if not work.is_dir():
        return 0
    folders = {path.name.removeprefix("job-"): path for path in work.glob("job-*")
               if path.is_dir()}
    running = {str(pk) for pk in IngestJob.objects.filter(
        pk__in=[key for key in folders if _is_uuid(key)], state=JobState.RUNNING,
        lease_until__gt=timezone.now()).values_list("pk", flat=True)}
    removed = 0
    for key, path in folders.items():
        if key not in running:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    # Loose files are received uploads and mails between writing and storing, which takes
    # seconds: one an hour old was left by a process that died. So are the folders of a
    # redaction or an export (minutes at most) and spooled uploads.
    stale = time.time() - LOOSE_FILE_SECONDS
    spool = work / "uploads"
    for path in [*work.iterdir(), *(spool.iterdir() if spool.is_dir() else [])]:
        try:
            if path == spool or path.name.startswith("job-") or path.stat().st_mtime >= stale:
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def job_mine(job: IngestJob):
    """The job's row while this claim still holds it: RUNNING under the same attempt. Every
    write of a running job goes through it, so a worker whose lease ran out while it stalled
    cannot overwrite (or file) what its successor does."""
    return IngestJob.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts)


def job_renew_lease(job: IngestJob) -> bool:
    """Still working: push the lease on, so that only a vanished worker's job is taken over.
    False when the claim is gone."""
    now = timezone.now()
    return bool(job_mine(job).update(
        lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS), updated_at=now))


# Callables (job, step) told of every step this process starts: the CLI shows progress of
# jobs it runs itself, which no polling would catch between two steps.
step_listeners: list = []


def job_set_step(job: IngestJob, step: str) -> None:
    """Progress: the previous step is done, this one runs (seen by the pages, API and CLI)."""
    for listener in step_listeners:
        listener(job, step)
    if job.step and job.step not in job.steps_done:
        job.steps_done = [*job.steps_done, job.step]
    job.step = step
    now = timezone.now()
    if not job_mine(job).update(step=step, steps_done=job.steps_done, updated_at=now,
                                lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS)):
        raise JobLost(job.pk)


def job_retry_later(job: IngestJob, *, code: str, message: str) -> IngestJob:
    """A transient fault: queue the job again with exponential backoff, or give up into
    quarantine once the attempts are used up."""
    if job.attempts >= MAX_ATTEMPTS:
        return job_finish(job, state=JobState.FAILED, code=code, claimed=True,
                          message=f"{message} (nach {job.attempts} Versuchen aufgegeben)")
    delay = settings.INGEST_RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
    now = timezone.now()
    if not job_mine(job).update(
            state=JobState.QUEUED, lease_until=None, enqueued_at=now, code=code, message=message,
            retry_at=now + timedelta(seconds=delay), step=""):
        raise JobLost(job.pk)
    log.warning("job %s: transient %s, retry in %ss", job.pk, code, delay)
    transaction.on_commit(lambda: job_enqueue(job.pk, countdown=delay))
    job.refresh_from_db()
    return job


def job_lock_original(job: IngestJob) -> None:
    """Inside a transaction: serialise every job holding the same original, so that two copies
    arriving at once cannot both be archived. PostgreSQL locks the rows (in one order, no
    deadlock); SQLite's IMMEDIATE transactions already hold the write lock."""
    list(IngestJob.objects.select_for_update().filter(original_sha256=job.original_sha256)
         .order_by("pk").values_list("pk", flat=True))


def job_batch_split_before(job: IngestJob) -> IngestJob | None:
    """An earlier job that already split a batch with these very bytes."""
    return (IngestJob.objects.filter(state=JobState.SPLIT, original_sha256=job.original_sha256)
            .exclude(pk=job.pk).order_by("created_at").first())


@dataclass(frozen=True)
class Duplicate:
    """These bytes were received before: archived as `document`, or split by `batch`."""

    document: Document | None = None
    batch: IngestJob | None = None


def job_duplicate_of(job: IngestJob) -> Duplicate | None:
    """The one duplicate question. A batch is never itself a Version and its parts are new
    bytes each time, so a batch delivered again is known by the earlier job that split it."""
    existing = version_by_original_sha256(job.original_sha256)
    if existing is not None:
        return Duplicate(document=existing.document)
    batch = job_batch_split_before(job)
    return Duplicate(batch=batch) if batch is not None else None


def job_finish(job: IngestJob, *, state: str, code: str = "", message: str = "",
               document=None, pages: int | None = None, claimed: bool = False) -> IngestJob:
    """End the job. `claimed`: the caller is the worker running it, which may end it only
    while its claim holds (raises JobLost otherwise)."""
    with transaction.atomic():
        if claimed and not job_mine(job).select_for_update().exists():
            raise JobLost(job.pk)
        job.state = state
        job.code = code
        job.message = message
        job.document = document
        job.pages = pages
        job.finished_at = timezone.now()
        job.lease_until = None
        job.retry_at = None
        job.password = ""  # never kept longer than needed
        if job.step and job.step not in job.steps_done and state not in QUARANTINE_STATES:
            job.steps_done = [*job.steps_done, job.step]
        job.save()
        if state in QUARANTINE_STATES:
            event_append(action="quarantined", object_type="ingest_job", object_id=job.pk,
                         actor=job.worker or "system", data={"code": code, "message": message})
    return job


def jobs_requeue_stale() -> int:
    """Recover jobs whose message or worker was lost: nothing received may stay unprocessed."""
    now = timezone.now()
    # A queued job legitimately waits behind the queue; only one waiting longer than a job may
    # run lost its message (a broker restarted without its data) and is sent again.
    stale_after = now - timedelta(seconds=settings.INGEST_TIMEOUT_SECONDS + 120)
    count = 0
    workdirs_sweep()
    lost = IngestJob.objects.filter(state=JobState.RUNNING, lease_until__lt=now)
    for job in lost:
        if job.attempts >= MAX_ATTEMPTS:
            try:  # fenced: the recovery loops of several workers may meet here
                job_finish(job, state=JobState.FAILED, code="WORKER_LOST", claimed=True,
                           message=f"Die Verarbeitung brach {job.attempts}-mal ab.")
            except JobLost:
                pass
            continue
        # Only if no one renewed it meanwhile; ahead of new post, so that it is taken up
        # again within seconds, not after the queue in front of it.
        if IngestJob.objects.filter(pk=job.pk, state=JobState.RUNNING, lease_until__lt=now,
                                    attempts=job.attempts).update(state=JobState.QUEUED,
                                                                  enqueued_at=now):
            log.warning("job %s: its worker %s went silent; queued again", job.pk, job.worker)
            job_enqueue(job.pk, priority=RECOVERY_PRIORITY)
            count += 1
    waiting = IngestJob.objects.filter(state=JobState.QUEUED, enqueued_at__lt=stale_after)
    for job in waiting.filter(Q(retry_at__isnull=True) | Q(retry_at__lt=now)):
        IngestJob.objects.filter(pk=job.pk).update(enqueued_at=now)
        job_enqueue(job.pk)
        count += 1
    return count
