"""What the mailroom does with a file in quarantine. Each action is one event in the trail,
and none of them touches the kept original: it stays in the blob store byte-identical,
whatever happens to the job.

- **Retry** after a fix (LibreOffice installed, the storage back, the password of an
  encrypted PDF now known): the job is queued again as if it had just arrived, with fresh
  attempts.
- **Release** with a reason: the mailroom closes the case of this file (a test page, spam,
  sent back to the sender, delivered again as a better scan). The job leaves the open list
  and is listed as released, with who, when and why; its original stays. Turning a refused
  file into a document anyway is not offered: a refusal means the file could not be read
  safely (too many pages, absurd sizes, encrypted, broken), so there is no text, rendition
  or page count to archive it with.
- **Hand to a unit** with a note: the file is meant for that unit (it knows the client and
  can ask for a readable copy or the password). The job is marked for the unit, as post from
  the unit's hot-folder subfolder is, and processed again: it is filed into the one open case
  file of that unit the text names, or waits in the inbox marked for that unit with the note;
  refused again, it comes back here marked for the unit.
"""
import uuid

from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.guards import require_person
from archive.models import Role, Unit
from archive.permissions import user_role
from archive.services.events import event_append

from .jobs import job_enqueue
from .models import QUARANTINE_STATES, IngestJob, JobState
from .selectors import CLOSED_KEY

HANDED_KEY = "handed_over"
MAX_REASON = 1000


def _job_in_quarantine(actor: Actor, job_id) -> IngestJob:
    """The job, locked, if the actor is the mailroom and the job waits in quarantine. To
    anyone else every job looks unknown."""
    user = require_person(actor)
    if user_role(user) != Role.MAILROOM:
        raise NotFound()
    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound() from None
    job = IngestJob.objects.select_for_update().filter(pk=key).first()
    if job is None:
        raise NotFound()
    if job.state not in QUARANTINE_STATES or CLOSED_KEY in (job.provenance or {}):
        raise Conflict("Die Datei liegt nicht (mehr) offen in der Quarantäne.",
                       code="NOT_IN_QUARANTINE")
    return job


def _text(value: str, *, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, code=code)
    return value[:MAX_REASON]


def _requeue(job: IngestJob, *, password: str = "", provenance: dict | None = None) -> None:
    """Back to the start: queued, no step done, the attempts counted afresh. The original is
    the same blob; nothing is received again."""
    now = timezone.now()
    job.state, job.step, job.steps_done = JobState.QUEUED, "", []
    job.code, job.message, job.attempts = "", "", 0
    job.finished_at = job.retry_at = job.lease_until = None
    job.enqueued_at, job.worker, job.pages = now, "", None
    job.password = password[:200]
    if provenance is not None:
        job.provenance = provenance
    job.save()
    transaction.on_commit(lambda: job_enqueue(job.pk))


def quarantine_retry(*, actor: Actor, job_id, password: str = "") -> IngestJob:
    """Process the kept original again, after the cause was fixed (optionally with the
    password of an encrypted PDF, which is kept only until the job ends)."""
    with transaction.atomic():
        job = _job_in_quarantine(actor, job_id)
        previous = {"state": job.state, "code": job.code}
        _requeue(job, password=password)
        event_append(action="quarantine_retried", object_type="ingest_job", object_id=job.pk,
                     actor=actor, data={"previous": previous, "password_given": bool(password)})
    return job


def quarantine_release(*, actor: Actor, job_id, reason: str) -> IngestJob:
    """Close the job with a reason; the original stays kept and the job stays listed."""
    reason = _text(reason, code="REASON_REQUIRED",
                   message="Bitte geben Sie einen Grund für die Freigabe an.")
    with transaction.atomic():
        job = _job_in_quarantine(actor, job_id)
        job.provenance = {**(job.provenance or {}), CLOSED_KEY: {
            "by": actor.label, "at": timezone.now().isoformat(), "reason": reason,
            "code": job.code}}
        job.save(update_fields=["provenance", "updated_at"])
        event_append(action="quarantine_released", object_type="ingest_job", object_id=job.pk,
                     actor=actor, purpose=reason, data={"code": job.code})
    return job


def quarantine_hand_to_unit(*, actor: Actor, job_id, unit_code: str, note: str) -> IngestJob:
    """Mark the file for a unit with a note and process it again for that unit."""
    note = _text(note, code="NOTE_REQUIRED",
                 message="Bitte geben Sie einen Vermerk für das Sachgebiet an.")
    unit = Unit.objects.filter(code=(unit_code or "").strip()).first()
    if unit is None:
        raise InvalidInput("Unbekanntes Sachgebiet.", code="UNKNOWN_UNIT")
    with transaction.atomic():
        job = _job_in_quarantine(actor, job_id)
        previous = {"state": job.state, "code": job.code}
        provenance = {**(job.provenance or {}), "route_unit": unit.code,
                      "route_source": "Quarantäne",
                      HANDED_KEY: {"unit": unit.code, "note": note, "by": actor.label,
                                   "at": timezone.now().isoformat(), "code": job.code}}
        _requeue(job, provenance=provenance)
        event_append(action="quarantine_handed", object_type="ingest_job", object_id=job.pk,
                     actor=actor, purpose=note, data={"unit": unit.code, "previous": previous})
    return job
