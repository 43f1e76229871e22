"""Inspection and court packages as background jobs: the page asks (`disclosure_request`,
checked as the build checks, nothing read yet), the worker builds (`disclosure_job_run`, the
same `disclosure_build` with progress), the person who asked watches the status and fetches
the finished zip (`disclosure_package_open`, authorized again and logged), and the hourly
cleanup deletes packages past `DISCLOSURE_PACKAGE_DAYS` (`disclosure_packages_expire`).

The finished zip lies in `DISCLOSURE_PACKAGE_DIR` (private to the service account, never
under a served folder), named by the job's random id. A job is seen by the person who asked
for it alone, and only while they may still disclose the file: everybody else gets the unknown
id's 404. The task is queued by its name, so this module does not import the task module."""

import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from archive.actors import Actor, actor_for_user, channel_context
from archive.errors import NotFound, RegistraturError
from archive.guards import require_person
from archive.leases import LeaseKeeper
from archive.services.events import event_append

from ..models import (
    DISCLOSURE_JOB_STEPS,
    DisclosureJob,
    DisclosureJobState,
)
from .disclosure import _case_file_for, disclosure_build, disclosure_check

log = logging.getLogger(__name__)
TASK_NAME = "retention.build_disclosure"
FAILED_MESSAGE = (
    "Das Paket konnte nicht erstellt werden; nichts wurde offengelegt oder eingetragen. "
    "Bitte erneut erstellen oder die Administration verständigen."
)


# Where each step starts and ends on the progress bar (percent): the combined PDF is most of
# the work, the originals are copied, the register's transaction is short.
STEP_SHARES = {"pdf": (1, 58), "check": (60, 70), "originals": (70, 95), "register": (95, 99)}
assert set(STEP_SHARES) == set(DISCLOSURE_JOB_STEPS)


class JobLost(Exception):
    """Another worker claimed the job after this one's lease ran out: this one's work is
    dropped, the holder of the claim records the package."""


def package_path(job: DisclosureJob) -> Path:
    return Path(settings.DISCLOSURE_PACKAGE_DIR) / f"{job.pk}.zip"


def _package_files_remove(job: DisclosureJob) -> None:
    """The finished zip and a partial one a build left behind."""
    package_path(job).unlink(missing_ok=True)
    package_path(job).with_name(f"{job.pk}.part").unlink(missing_ok=True)


def _lease_from_now():
    return timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def disclosure_request(
    *, actor: Actor, case_file_id, document_ids, recipient: str, basis: str, purpose: str,
    basis_text: str = "",
) -> DisclosureJob:
    """Check the request as the build will (who may, the form, the selection) and queue it:
    nothing is read, packed or recorded here. Refusals are those of `disclosure_build`."""
    user = require_person(actor)
    case_file, asked = disclosure_check(
        actor=actor, case_file_id=case_file_id, document_ids=document_ids,
        recipient=recipient, basis=basis, purpose=purpose, basis_text=basis_text,
    )
    with transaction.atomic():
        job = DisclosureJob.objects.create(
            case_file=case_file, requested_by=user, total=len(asked["document_ids"]), **asked
        )
        transaction.on_commit(lambda: disclosure_job_enqueue(job.pk))
    return job


def disclosure_job_enqueue(job_id) -> None:
    try:
        if current_app.conf.task_always_eager:
            # Tests and a worker-less command line run the job here, by the task's name.
            current_app.tasks[TASK_NAME].apply(args=(str(job_id),))
            return
        current_app.send_task(TASK_NAME, args=(str(job_id),))
    except Exception:
        # Nothing would ever pick the job up: say so now, the user can ask again.
        log.exception("could not queue disclosure package %s", job_id)
        DisclosureJob.objects.filter(pk=job_id, state=DisclosureJobState.QUEUED).update(
            state=DisclosureJobState.FAILED, code="QUEUE_UNAVAILABLE",
            finished_at=timezone.now(),
            message="Der Verarbeitungsdienst ist nicht erreichbar; bitte später erneut "
                    "erstellen.",
        )


def _claim(job_id, worker: str) -> DisclosureJob | None:
    """Take the job if it waits, or if the worker that had it vanished (lease expired)."""
    claimable = Q(state=DisclosureJobState.QUEUED) | Q(
        state=DisclosureJobState.RUNNING, lease_until__lt=timezone.now()
    )
    job = DisclosureJob.objects.filter(claimable, pk=job_id).first()
    if job is None:
        return None
    taken = DisclosureJob.objects.filter(claimable, pk=job_id, attempts=job.attempts).update(
        state=DisclosureJobState.RUNNING, worker=worker[:200], lease_until=_lease_from_now(),
        attempts=job.attempts + 1, step="", done=0,
    )
    if not taken:
        return None
    job.refresh_from_db()
    return job


def _mine(job: DisclosureJob) -> QuerySet[DisclosureJob]:
    return DisclosureJob.objects.filter(
        pk=job.pk, state=DisclosureJobState.RUNNING, attempts=job.attempts
    )


def _renewed(job: DisclosureJob) -> bool:
    """The lease pushed on while this claim holds (a single large rendition can take longer
    than the lease between two progress reports)."""
    return bool(_mine(job).update(lease_until=_lease_from_now()))


def disclosure_job_run(job_id, *, worker: str) -> DisclosureJob | None:
    """Build one queued package; every outcome is written to the job. The register entry and
    the job's end commit together, so a finished job always has its entry and its zip."""
    job = _claim(job_id, worker)
    if job is None:
        return None  # done already, or another worker holds it
    target = package_path(job)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f"{job.pk}.part")
    actor = actor_for_user(job.requested_by, channel="web")

    def progress(step: str, done: int, total: int) -> None:
        _mine(job).update(step=step, done=done, total=total, lease_until=_lease_from_now())

    def fence() -> None:
        # Inside the register's transaction: only the holder of the claim records.
        finished = timezone.now()
        if not _mine(job).update(
            state=DisclosureJobState.DONE, step="", finished_at=finished, lease_until=None,
            expires_at=finished + timedelta(days=settings.DISCLOSURE_PACKAGE_DAYS),
        ):
            raise JobLost()
        os.chmod(partial, 0o600)  # the service account's alone, whatever the umask
        os.replace(partial, target)

    try:
        with channel_context(actor), LeaseKeeper(job, renew=_renewed):
            disclosure = disclosure_build(
                actor=actor, case_file_id=job.case_file_id, document_ids=job.document_ids,
                recipient=job.recipient, basis=job.basis, basis_text=job.basis_text,
                purpose=job.purpose, target=partial, progress=progress, fence=fence,
            )
    except JobLost:
        log.warning("disclosure %s: claim lost, package dropped", job.pk)
        partial.unlink(missing_ok=True)
        return None
    except RegistraturError as error:
        return _failed(job, error.code, error.message, partial, target)
    except Exception:
        log.exception("disclosure package %s failed", job.pk)
        return _failed(job, "DISCLOSURE_FAILED", FAILED_MESSAGE, partial, target)
    DisclosureJob.objects.filter(pk=job.pk).update(
        disclosure=disclosure, package_size=target.stat().st_size
    )
    job.refresh_from_db()
    return job


def _failed(job, code: str, message: str, *paths: Path) -> DisclosureJob:
    for path in paths:  # a zip moved into place by a transaction that then failed, too
        path.unlink(missing_ok=True)
    _mine(job).update(
        state=DisclosureJobState.FAILED, code=code, message=message, lease_until=None,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=settings.DISCLOSURE_PACKAGE_DAYS),
    )
    job.refresh_from_db()
    return job


# A build whose worker died is started again this many times in all, then it ends visibly.
MAX_ATTEMPTS = 3
LOST_MESSAGE = ("Die Erstellung brach wiederholt ab; nichts wurde offengelegt oder "
                "eingetragen. Bitte erneut erstellen oder die Administration verständigen.")


def _recover_lost(jobs: QuerySet[DisclosureJob]) -> int:
    """A running job whose lease ran out lost its worker (killed, or the machine went down):
    it is queued again, so the package still comes; after MAX_ATTEMPTS it ends visibly
    instead of showing "wird erstellt" for ever. Nothing was recorded or disclosed by the
    lost attempt (the register entry and the job's end commit together). Asked first,
    changed only if there is one."""
    lost = jobs.filter(state=DisclosureJobState.RUNNING, lease_until__lt=timezone.now())
    if not lost.exists():
        return 0
    lost.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=DisclosureJobState.FAILED, code="WORKER_LOST", finished_at=timezone.now(),
        lease_until=None, message=LOST_MESSAGE,
        expires_at=timezone.now() + timedelta(days=settings.DISCLOSURE_PACKAGE_DAYS))
    again = []
    for job in lost.filter(attempts__lt=MAX_ATTEMPTS):
        # Only while still lost under the same attempt: a worker may claim it meanwhile.
        if DisclosureJob.objects.filter(
                pk=job.pk, state=DisclosureJobState.RUNNING, attempts=job.attempts,
                lease_until__lt=timezone.now()).update(
                    state=DisclosureJobState.QUEUED, lease_until=None, step="", done=0):
            log.warning("disclosure package %s lost its worker; queued again", job.pk)
            again.append(job.pk)
    for job_id in again:
        transaction.on_commit(lambda job_id=job_id: disclosure_job_enqueue(job_id))
    return len(again)


def disclosure_jobs_recover() -> int:
    """The scheduler's minute: builds whose worker died are queued again (or end)."""
    return _recover_lost(DisclosureJob.objects.all())


def disclosure_job_of(*, actor: Actor, case_file_id, job_id, requested: str = "viewed"):
    """One of the actor's own packages of this file, while they may still disclose the file;
    anybody else's (or an unknown id) is the unknown id's 404 and a refused read."""
    user = require_person(actor)
    _case_file_for(user, case_file_id, requested)
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        job_id = None
    jobs = DisclosureJob.objects.filter(pk=job_id, case_file_id=case_file_id, requested_by=user)
    _recover_lost(jobs)
    job = jobs.select_related("disclosure").first()
    if job is None:
        raise NotFound()
    return job


def disclosure_jobs_of(*, user, case_file) -> QuerySet[DisclosureJob]:
    """The user's own packages of a file they have just read (the disclosure page)."""
    jobs = DisclosureJob.objects.filter(case_file=case_file, requested_by=user)
    _recover_lost(jobs)
    return jobs.select_related("disclosure").order_by("-created_at")


def _available(job: DisclosureJob) -> bool:
    return (job.state == DisclosureJobState.DONE and job.expires_at is not None
            and job.expires_at > timezone.now() and package_path(job).is_file())


def disclosure_job_status(job: DisclosureJob) -> dict:
    """State and progress for the status page and its polling: the job's state, no content."""
    if job.state == DisclosureJobState.DONE:
        percent = 100
    elif job.step in STEP_SHARES:
        start, end = STEP_SHARES[job.step]
        percent = round(start + (end - start) * (job.done / job.total if job.total else 0))
    else:
        percent = 0
    return {
        "id": str(job.pk),
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "step": job.step if not job.is_terminal else "",
        "done": job.done,
        "total": job.total,
        "percent": min(percent, 99) if job.state != DisclosureJobState.DONE else 100,
        "finished": job.is_terminal,
        "available": _available(job),
        "disclosure": job.disclosure_id,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
        "code": job.code or None,
        "message": job.message or None,
    }


def disclosure_package_open(*, actor: Actor, case_file_id, job_id) -> tuple[DisclosureJob,
                                                                            BinaryIO]:
    """The finished zip of one of the actor's own packages, authorized again (they must still
    be allowed to disclose the file) and logged as a `disclosure_downloaded` entry on the case
    file. A package that is not finished, expired or gone is the unknown id's 404."""
    job = disclosure_job_of(actor=actor, case_file_id=case_file_id, job_id=job_id,
                            requested="downloaded")
    if not _available(job):
        raise NotFound()
    handle = open(package_path(job), "rb")  # noqa: SIM115 (the response closes it)
    try:
        event_append(
            action="disclosure_downloaded", object_type="case_file", object_id=job.case_file_id,
            actor=actor, purpose=job.purpose,
            data={"file_reference": job.case_file.file_reference,
                  "disclosure": job.disclosure_id,
                  "package_sha256": job.disclosure.package_sha256 if job.disclosure else ""},
        )
    except BaseException:
        handle.close()
        raise
    return job, handle


def disclosure_packages_expire(*, now=None) -> int:
    """Delete finished (and failed) packages past their time with their job, and any file in
    the package folder that no job names (a worker killed between writing and recording).
    The register entry stays: it is the record of what left the authority."""
    now = now or timezone.now()
    expired = list(DisclosureJob.objects.filter(expires_at__lte=now))
    for job in expired:
        _package_files_remove(job)
    DisclosureJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    folder = Path(settings.DISCLOSURE_PACKAGE_DIR)
    if folder.is_dir():
        known = {str(pk) for pk in DisclosureJob.objects.values_list("pk", flat=True)}
        stale = now.timestamp() - 24 * 3600
        for path in folder.iterdir():
            if path.stem not in known and path.stat().st_mtime < stale:
                path.unlink(missing_ok=True)
    return len(expired)


def disclosure_jobs_forget(case_file_ids: list[int]) -> None:
    """A destroyed file keeps no package and no request text here."""
    for job in DisclosureJob.objects.filter(case_file_id__in=case_file_ids):
        _package_files_remove(job)
    DisclosureJob.objects.filter(case_file_id__in=case_file_ids).delete()
