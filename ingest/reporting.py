"""How a finished job is reported to the CLI and the pages: the keys of DESIGN.md."""
from archive.permissions import user_role
from archive.selectors import case_files_visible_to, documents_visible_to

from .jobs import job_batch_split_before
from .models import QUARANTINE_STATES, IngestJob, JobState
from .recipe import recipe
from .selectors import SEES_ALL_JOBS

# What a submitter is told of a file received before that they may not see: nothing of where
# the earlier copy lies, or when and into how many documents a batch was split.
NEUTRAL_DUPLICATE = "Diese Datei liegt bereits vor und wurde nicht erneut abgelegt."


PERSON_KEYS = ("name", "birth_date", "client_number", "file_reference", "sender_reference",
               "confidence", "reason")
# What the letter itself says of the person: its submitter may always be told that.
PERSON_FROM_LETTER = ("name", "birth_date", "client_number", "sender_reference")


def _recognised(job: IngestJob, document) -> dict:
    """Type (with its confidence), sender and person: the document's own type and sender (a
    person may have corrected them since), the confidences and the person from this job's
    recognition. A type stated on the command line is certain."""
    suggestions = job.suggestions or {}
    suggested = suggestions.get("document_type") or {}
    type_key = (document.document_type or None) if document is not None else None
    confidence = suggested.get("confidence") if type_key and \
        suggested.get("value") == type_key else None
    confirmed = (job.provenance or {}).get("confirmed") or {}
    if type_key and confirmed.get("document_type") == type_key:
        confidence = 1.0
    person = suggestions.get("person") or {}
    return {
        "document_type": type_key,
        "document_type_confidence": confidence,
        "sender": ((document.sender if document is not None else "")
                   or (suggestions.get("sender") or {}).get("value") or None),
        "person": {key: person.get(key) for key in PERSON_KEYS}
        if any(person.get(key) for key in PERSON_KEYS[:5]) else None,
    }


def job_outcome(job: IngestJob, *, file: str | None = None) -> dict:
    document = job.document
    case_file = document.case_file if document is not None else None
    status = {JobState.FAILED: "refused"}.get(job.state, job.state)
    return {
        "file": file or job.original_name,
        "status": status,
        "document": document.pk if document is not None else None,
        "file_reference": case_file.file_reference if case_file is not None else None,
        "pages": job.pages,
        "code": job.code or None,
        "message": job.message or None,
        "job": str(job.pk),
        **_recognised(job, document),
    }


def job_progress(job: IngestJob) -> dict:
    """Per-step progress for the pages, the API and the CLI, against the pipeline's recipe. A
    step counts as done once the job moved past it; 100 % only when the job is at its end."""
    steps = recipe()
    done = [step for step in steps if step in job.steps_done]
    if job.is_terminal and job.state not in QUARANTINE_STATES:
        done = [step for step in steps if step in job.steps_done or step == job.step]
    return {
        "steps": [{"name": step, "done": step in done,
                   "running": step == job.step and not job.is_terminal} for step in steps],
        "percent": 100 if job.is_terminal else round(100 * len(done) / len(steps)),
    }


def job_outcomes(job: IngestJob, *, file: str | None = None) -> list[dict]:
    """The outcome as lines: a batch delivered again names each document its first delivery
    became (status "duplicate"), one line per part."""
    outcome = job_outcome(job, file=file)
    if job.state != JobState.DUPLICATE or job.document_id is not None:
        return [outcome]
    batch = job_batch_split_before(job)
    if batch is None:
        return [outcome]
    lines = []
    for part in batch.children.select_related("document__case_file").order_by("created_at"):
        earlier = job_outcome(part)
        lines.append({**outcome, "document": earlier["document"],
                      "file_reference": earlier["file_reference"], "pages": part.pages,
                      "part": part.original_name})
    return lines or [outcome]


def _trimmed(outcome: dict, job: IngestJob, user) -> dict:
    """Where a delivery went is its submitter's to know; a document someone else's delivery
    became (a duplicate's original) is named only to who may see it: need-to-know holds for
    the fact that another unit holds this letter too."""
    outcome = _person_trimmed(outcome, user)
    document_id = outcome["document"]
    own_delivery = (job.state in (JobState.FILED, JobState.INBOX)
                    and job.submitted_by == user.username)
    if document_id is None or own_delivery or \
            documents_visible_to(user).filter(pk=document_id).exists():
        return outcome
    # the earlier document's type and sender are its unit's (corrected, perhaps): nothing
    hidden = {**outcome, "document": None, "file_reference": None, "person": None,
              "document_type": None, "document_type_confidence": None, "sender": None}
    if job.state == JobState.DUPLICATE:
        hidden["message"] = NEUTRAL_DUPLICATE
    return hidden


def _person_trimmed(outcome: dict, user) -> dict:
    """Which case file the person has (and the match's reason, which tells whether and how
    many files fit) only to who may see that file or sorts all post; anyone else is told only
    what the letter itself says."""
    person = outcome.get("person")
    if not person or user_role(user) in SEES_ALL_JOBS or (
            person.get("file_reference") and case_files_visible_to(user).filter(
                file_reference=person["file_reference"]).exists()):
        return outcome
    return {**outcome, "person": {key: (person.get(key) if key in PERSON_FROM_LETTER else None)
                                  for key in PERSON_KEYS}}


def _suggestions_for(job: IngestJob, user) -> dict:
    """Recognition's reasons say whether a quoted reference exists and whose it is: the
    mailroom's to read. A submitter sees them only for post filed where they work."""
    if user is None or user_role(user) in SEES_ALL_JOBS:
        return job.suggestions
    if job.state != JobState.FILED:
        return {}
    person = (job.suggestions or {}).get("person") or {}
    if person and not (person.get("file_reference") and case_files_visible_to(user).filter(
            file_reference=person["file_reference"]).exists()):
        # the person may have a file elsewhere (a name the letter mentions): not theirs to know
        hidden = {key: None for key in ("file_reference", "confidence", "reason", "candidates",
                                        "unit")}
        return {**job.suggestions, "person": {**person, **hidden}}
    return job.suggestions


def job_status(job: IngestJob, *, user=None) -> dict:
    """The job as the API and the upload page show it to `user`, children included."""
    outcomes = job_outcomes(job) if job.is_terminal else []
    outcome = job_outcome(job) if job.is_terminal else None
    if user is not None:
        outcomes = [_trimmed(line, job, user) for line in outcomes]
        outcome = _trimmed(outcome, job, user) if outcome else None
        if outcome and job.state == JobState.DUPLICATE and \
                any(line["message"] == NEUTRAL_DUPLICATE for line in outcomes):
            outcome["message"] = NEUTRAL_DUPLICATE  # a batch: some earlier part is hidden
    return {
        "id": str(job.pk),
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "step": job.step or None,
        "progress": job_progress(job),
        "attempts": job.attempts,
        "flagged": job.flagged,
        "suggestions": _suggestions_for(job, user),
        "outcome": outcome,
        "outcomes": outcomes,
        "children": [job_status(child, user=user)
                     for child in job.children.order_by("created_at")],
    }
