"""Celery tasks: thin wrappers around the pipeline and the job recovery."""
import socket

from celery import shared_task

from .classification.tasks import train_classifier  # noqa: F401  (registers the task)
from .jobs import jobs_requeue_stale
from .pipeline import job_run


@shared_task(name="ingest.process_job")
def process_job(job_id: str) -> None:
    job_run(job_id, worker=f"celery@{socket.gethostname()}")


@shared_task(name="ingest.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    return jobs_requeue_stale()


@shared_task(name="ingest.poll_imap")
def poll_imap() -> int:
    from .imap import imap_poll

    return len(imap_poll())
