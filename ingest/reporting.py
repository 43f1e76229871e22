"""How a finished job is reported to the CLI and the pages: the keys of DESIGN.md."""
from .models import IngestJob, JobState


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
    }


def job_status(job: IngestJob) -> dict:
    """The job as the API and the upload page show it, children included."""
    from .selectors import job_progress

    return {
        "id": str(job.pk),
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "step": job.step or None,
        "progress": job_progress(job),
        "attempts": job.attempts,
        "flagged": job.flagged,
        "suggestions": job.suggestions,
        "outcome": job_outcome(job) if job.is_terminal else None,
        "children": [job_status(child) for child in job.children.order_by("created_at")],
    }
