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
