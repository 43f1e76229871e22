"""Scheduled retention work: the nightly due list and the execution of approved lists; the
inspection and court packages asked for on the pages, and the cleanup of expired ones."""
import os
import socket

from celery import shared_task

from archive.actors import system_actor
from archive.services.events import event_append

from .services.disclosure_jobs import TASK_NAME as BUILD_DISCLOSURE
from .services.disclosure_jobs import (
    disclosure_job_run,
    disclosure_jobs_recover,
    disclosure_packages_expire,
)
from .services.disposal import disposal_execute_approved, retention_due


@shared_task(name="retention.nightly")
def nightly() -> int:
    due = retention_due()
    # The DPO's page lists what is due; the event makes the notice part of the trail.
    event_append(action="disposal_due", object_type="retention", object_id="nightly",
                 actor=system_actor("scheduler"), data={"count": len(due),
                                          "case_files": [item.case_file.pk for item in due]})
    return len(due)


@shared_task(name="retention.execute_approved")
def execute_approved() -> list[int]:
    return disposal_execute_approved(actor=system_actor("scheduler"))


@shared_task(name=BUILD_DISCLOSURE)
def build_disclosure(job_id: str) -> None:
    disclosure_job_run(job_id, worker=f"celery@{socket.gethostname()}:{os.getpid()}")


@shared_task(name="retention.expire_disclosure_packages")
def expire_disclosure_packages() -> int:
    return disclosure_packages_expire()


@shared_task(name="retention.recover_disclosure_builds")
def recover_disclosure_builds() -> int:
    return disclosure_jobs_recover()
