"""Reactions to the archive's signals."""
from .models import DocumentSeen, Handover


def document_seen(sender, *, document_id: int, user_id: int, **kwargs):
    # One statement whether or not it was seen before: a page's query count stays the same.
    DocumentSeen.objects.bulk_create([DocumentSeen(user_id=user_id, document_id=document_id)],
                                     ignore_conflicts=True)


def documents_gone(sender, *, document_ids: list[int], **kwargs):
    """Destroyed documents leave no trace on any desk (the trail keeps what happened)."""
    Handover.objects.filter(document_id__in=document_ids).delete()
    Handover.objects.filter(case_file__destroyed_at__isnull=False).delete()
    DocumentSeen.objects.filter(document_id__in=document_ids).delete()
