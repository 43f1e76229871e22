import uuid

from django.db.models import QuerySet

from archive.errors import NotFound
from archive.models import Role
from archive.permissions import user_role

from .models import QUARANTINE_STATES, IngestJob

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
