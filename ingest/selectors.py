import uuid

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT

from archive.errors import NotFound
from archive.models import Document, Role, Version
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


# A quarantined job that the mailroom closed with a reason ("released") stays a job with its
# kept original; this key of its provenance says who closed it, when and why.
CLOSED_KEY = "quarantine_closed"


def jobs_quarantine_open() -> QuerySet[IngestJob]:
    """Refused or failed, and nobody has dealt with it yet: the mailroom's work."""
    return jobs_in_quarantine().exclude(provenance__has_key=CLOSED_KEY)


def jobs_quarantine_closed() -> QuerySet[IngestJob]:
    """Released with a reason: kept, listed, no longer waiting for anyone."""
    return jobs_in_quarantine().filter(provenance__has_key=CLOSED_KEY)


def _first_version(field: str):
    """The value at `field` (a path into the first version's provenance) as text."""
    return Subquery(Version.objects.filter(document=OuterRef("pk")).order_by("number")
                    .annotate(value=KT(f"provenance__{field}")).values("value")[:1])


def _routing() -> dict:
    return {"route_unit": _first_version("route_unit"),
            "suggested_reference": _first_version("recognition__file_reference__value")}


def inbox_with_routing(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Inbox documents with what ingest recorded on their first version, for sorting and
    filtering in the database: the unit the post was handed in for (`route_unit`) and the
    suggested file reference (`suggested_reference`), each document carrying both."""
    return documents.annotate(**_routing())


def inbox_routable(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The same names for filtering and sorting only: the database reads a version's
    provenance only where a filter or the order asks for it, not for every document of the
    inbox before it picks a page (bench/web: 11 of the inbox page's 28 ms at 2,000 letters)."""
    return documents.alias(**_routing())


def with_suggestion(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Of documents given routing by inbox_with_routing or inbox_routable, those with a
    suggested case file: the
    review queue, where confirming the suggestion is one action."""
    return documents.exclude(suggested_reference__isnull=True).exclude(suggested_reference="")
