"""Telling other apps (webhooks) that follow-ups became due, through the kernel's
follow_up_due signal: once per follow-up and due date, by a periodic run."""
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from archive.signals import follow_up_due

from .models import FollowUp


def follow_ups_announce_due() -> int:
    today = timezone.localdate()
    due = (FollowUp.objects.filter(closed_at__isnull=True, due__lte=today)
           .filter(Q(announced_due__isnull=True) | ~Q(announced_due=F("due")))
           .select_related("case_file", "document__case_file"))
    count = 0
    for follow_up in due.iterator(chunk_size=500):
        case_file = follow_up.case_file or (follow_up.document.case_file
                                            if follow_up.document else None)
        if case_file is None:
            continue
        with transaction.atomic():
            follow_up_due.send(sender=FollowUp, follow_up_id=follow_up.pk,
                               unit_id=case_file.unit_id, due=follow_up.due,
                               case_file_id=case_file.pk, document_id=follow_up.document_id)
            FollowUp.objects.filter(pk=follow_up.pk).update(announced_due=follow_up.due)
        count += 1
    return count
