from django.db.models import QuerySet

from .models import QUARANTINE_STATES, IngestJob


def jobs_in_quarantine() -> QuerySet[IngestJob]:
    return IngestJob.objects.filter(state__in=QUARANTINE_STATES).order_by("-created_at")


def jobs_recent() -> QuerySet[IngestJob]:
    return IngestJob.objects.select_related("document", "document__case_file")
