"""Celery tasks: thin wrappers around the pipeline and the job recovery."""
import os
import socket

from celery import shared_task

from .classification.tasks import train_classifier  # noqa: F401  (registers the task)
from .imap import imap_poll
from .jobs import PROCESS_TASK, jobs_requeue_stale
from .pipeline import job_run
from .redaction import redaction_run


@shared_task(name=PROCESS_TASK)
def process_job(job_id: str) -> None:
    # Host and process: several workers (and pool processes) may share a host.
    job_run(job_id, worker=f"celery@{socket.gethostname()}:{os.getpid()}")


@shared_task(name="ingest.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    return jobs_requeue_stale()


@shared_task(name="ingest.poll_imap")
def poll_imap() -> int:
    return len(imap_poll())


@shared_task(name="ingest.redact")
def redact(job_id: str) -> None:
    redaction_run(job_id, worker=f"celery@{socket.gethostname()}")
