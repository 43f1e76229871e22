"""Receivers of the archive's signals (connected in apps.py)."""
from .models import DeadlineDone
from .services import follow_ups_forget


def forget_destroyed(sender, document_ids, **kwargs):
    """A destroyed document leaves nothing here: its follow-ups (their reasons may name
    people) and its done marks go with it."""
    follow_ups_forget(document_ids=document_ids)
    DeadlineDone.objects.filter(document_id__in=document_ids).delete()
