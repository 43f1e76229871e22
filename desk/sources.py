"""The desk's own sources: new post in one's files, and what colleagues handed over. Each is
trimmed to what the scope's user may read and takes a fixed number of queries."""
from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from archive.desk_sources import DeskEntry, DeskScope
from archive.models import Version
from archive.selectors import case_files_visible_to, documents_visible_to

from .models import DocumentSeen, Handover

# Post filed within this many days counts as new until opened; older post is simply filed.
NEW_POST_DAYS = 30


def _new_post_since(today):
    return timezone.make_aware(datetime.combine(today - timedelta(days=NEW_POST_DAYS - 1),
                                                time.min))


def new_post_documents(scope: DeskScope):
    """Documents filed recently into open files whose caseworker (the file's, else the unit's
    default) is the user or someone they stand in for, or, with no caseworker at all, into
    files of the user's units; not yet seen by the user."""
    owner = Coalesce("case_file__responsible_id", "case_file__unit__default_caseworker_id")
    unassigned = Q(case_file__responsible__isnull=True,
                   case_file__unit__default_caseworker__isnull=True,
                   case_file__unit_id__in=scope.unit_ids)
    seen = DocumentSeen.objects.filter(user=scope.user).values("document_id")
    # What the user filed themselves (a note, a draft, an upload) is not news to them.
    own = Version.objects.filter(document=OuterRef("pk"), number=1, created_by=scope.user)
    return (documents_visible_to(scope.user)
            .filter(case_file__isnull=False, case_file__closed_at__isnull=True,
                    created_at__gte=_new_post_since(scope.today))
            .annotate(owner_id=owner)
            .filter(Q(owner_id__in=scope.user_ids) | unassigned)
            .exclude(pk__in=seen)
            .exclude(Exists(own)))


def new_post_entries(scope: DeskScope) -> list[DeskEntry]:
    entries = []
    for document in new_post_documents(scope).order_by("-created_at", "-pk"):
        entries.append(DeskEntry(
            kind="new_post", key=f"new_post:{document.pk}", title=document.title,
            url=reverse("web:document", args=[document.pk]),
            case_file_id=document.case_file_id, document_id=document.pk,
            detail=document.case_file.file_reference,
            for_user_id=document.owner_id, unit_id=document.case_file.unit_id,
            done_url=reverse("web:desk_done"), created_at=document.created_at))
    return entries


def handovers_open(scope: DeskScope):
    """Open hand-overs to the user (or to whom they stand in for) of what the user may read."""
    return (Handover.objects.filter(to_user_id__in=scope.user_ids, done_at__isnull=True)
            .filter(Q(case_file__in=case_files_visible_to(scope.user).values("pk"))
                    | Q(document__in=documents_visible_to(scope.user).values("pk")))
            .select_related("from_user", "case_file", "document", "document__case_file")
            .annotate(owner_id=F("to_user_id")))


def handed_entries(scope: DeskScope) -> list[DeskEntry]:
    entries = []
    for handover in handovers_open(scope).order_by("-created_at", "-pk"):
        giver = handover.from_user.get_full_name() or handover.from_user.username
        if handover.document_id:
            document = handover.document
            title, url = document.title, reverse("web:document", args=[document.pk])
            case_file_id = document.case_file_id
        else:
            title = f"{handover.case_file.file_reference} {handover.case_file.title}"
            url = reverse("web:case_file", args=[handover.case_file_id])
            case_file_id = handover.case_file_id
        detail = f"von {giver}" + (f": {handover.note}" if handover.note else "")
        entries.append(DeskEntry(
            kind="handed", key=f"handed:{handover.pk}", title=title, url=url,
            case_file_id=case_file_id, document_id=handover.document_id, detail=detail,
            for_user_id=handover.to_user_id, done_url=reverse("web:desk_done"),
            created_at=handover.created_at))
    return entries
