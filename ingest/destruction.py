"""When documents are destroyed, the ingest jobs that brought them keep nothing personal:
no file name, message, provenance or suggestions. The hash stays, so that a re-delivery
is noticed. Redaction jobs lose their reason, boxes and message the same way."""
from .models import IngestJob, RedactionJob


def scrub_jobs_of_destroyed_documents(sender, *, document_ids, **kwargs):
    IngestJob.objects.filter(document_id__in=list(document_ids)).update(
        original_name="", message="", provenance={}, suggestions={}, password="")
    RedactionJob.objects.filter(document_id__in=list(document_ids)).update(
        reason="", boxes=[], message="")
