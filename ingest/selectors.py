import uuid

from django.db.models import QuerySet

from archive.errors import NotFound
from archive.models import Role
from archive.permissions import user_role

from .models import QUARANTINE_STATES, STEP_NAMES, IngestJob

# Who sees every job: the mailroom, which sorts all post. Everyone else, administrators
# included, sees only what they handed in: jobs carry names and recognised content.
SEES_ALL_JOBS = {Role.MAILROOM}


def jobs_in_quarantine() -> QuerySet[IngestJob]:
    return IngestJob.objects.filter(state__in=QUARANTINE_STATES).order_by("-created_at")


def jobs_recent() -> QuerySet[IngestJob]:
    return IngestJob.objects.select_related("document", "document__case_file")


def jobs_visible_to(user) -> QuerySet[IngestJob]:
    jobs = jobs_recent()
    if user_role(user) in SEES_ALL_JOBS:
        return jobs
    return jobs.filter(submitted_by=user.username) if user.username else jobs.none()


def job_visible_or_404(user, job_id) -> IngestJob:
    """Unknown and not yours look the same."""
    try:
        return jobs_visible_to(user).get(pk=uuid.UUID(str(job_id)))
    except (IngestJob.DoesNotExist, ValueError):
        raise NotFound() from None


def job_progress(job: IngestJob) -> dict:
    """Per-step progress for the pages, the API and the CLI."""
    done = [step for step in STEP_NAMES if step in job.steps_done]
    if job.is_terminal and job.state not in QUARANTINE_STATES:
        done = [step for step in STEP_NAMES if step in job.steps_done or step == job.step]
    return {
        "steps": [{"name": step, "done": step in done,
                   "running": step == job.step and not job.is_terminal} for step in STEP_NAMES],
        "percent": 100 if job.is_terminal else round(100 * len(done) / len(STEP_NAMES)),
    }
