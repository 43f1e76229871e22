"""Follow-ups trimmed to what the user may read: the case file's (or the document's) reading
rules decide, so a follow-up never shows more than its file would."""
from django.db.models import Q, QuerySet

from archive.models import CaseFile
from archive.selectors import case_files_visible_to, documents_visible_to

from .models import FollowUp


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    """Open and closed follow-ups on files and documents the user may read: one query (the
    user's principals aside), whatever their number."""
    files = case_files_visible_to(user).values("pk")
    documents = documents_visible_to(user).filter(case_file__isnull=False).values("pk")
    return (FollowUp.objects.filter(Q(case_file__in=files) | Q(document__in=documents))
            .select_related("case_file", "document", "document__case_file", "assignee",
                            "unit"))


def follow_ups_open(user) -> QuerySet[FollowUp]:
    return follow_ups_visible_to(user).filter(closed_at__isnull=True)


def follow_ups_for(user, *, user_ids=(), unit_ids=()) -> QuerySet[FollowUp]:
    """Open follow-ups for these people or these units, of those the user may read."""
    return follow_ups_open(user).filter(Q(assignee_id__in=list(user_ids))
                                        | Q(unit_id__in=list(unit_ids)))


def follow_ups_of_case_file(user, case_file: CaseFile) -> QuerySet[FollowUp]:
    """The open follow-ups on a file and its documents (the file page's box)."""
    return follow_ups_open(user).filter(Q(case_file=case_file)
                                        | Q(document__case_file=case_file))
