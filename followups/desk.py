"""The desk's sources of this app (archive/desk_sources.py): follow-ups due today or earlier,
and deadline warnings (overdue or ending soon) of the responsible caseworker. Both trimmed to
what the desk's user may read, in a fixed number of queries."""
from django.urls import reverse

from archive.desk_sources import DeskEntry, DeskScope

from .deadlines import OK, deadlines_open
from .selectors import follow_ups_for


def follow_up_entries(scope: DeskScope) -> list[DeskEntry]:
    entries = []
    for follow_up in (follow_ups_for(scope.user, user_ids=scope.user_ids,
                                     unit_ids=scope.unit_ids)
                      .filter(due__lte=scope.today).order_by("due", "pk")):
        case_file = follow_up.target_case_file
        url = (reverse("web:document", args=[follow_up.document_id]) if follow_up.document_id
               else reverse("web:case_file", args=[case_file.pk]))
        entries.append(DeskEntry(
            kind="follow_up", key=f"follow_up:{follow_up.pk}", title=follow_up.reason, url=url,
            case_file_id=case_file.pk, document_id=follow_up.document_id, due=follow_up.due,
            overdue=follow_up.due < scope.today,
            detail=f"Wiedervorlage zu {case_file.file_reference}"
                   + (f", Dokument „{follow_up.document.title}“" if follow_up.document_id
                      else ""),
            for_user_id=follow_up.assignee_id, unit_id=follow_up.unit_id,
            done_url=reverse("web:follow_up_close", args=[follow_up.pk]),
            created_at=follow_up.created_at))
    return entries


def deadline_entries(scope: DeskScope) -> list[DeskEntry]:
    entries = []
    for deadline in deadlines_open(scope.user, user_ids=scope.user_ids,
                                   unit_ids=scope.unit_ids, today=scope.today):
        if deadline.risk == OK:
            continue
        document = deadline.document
        entries.append(DeskEntry(
            kind="deadline", key=deadline.key, title=f"{deadline.rule.label}: {document.title}",
            url=reverse("web:document", args=[document.pk]),
            case_file_id=document.case_file_id, document_id=document.pk, due=deadline.end,
            overdue=deadline.risk == "overdue",
            detail=(f"Eingang {deadline.receipt.day:%d.%m.%Y}, Fristende "
                    f"{deadline.end:%d.%m.%Y} ({deadline.case_file.file_reference})"
                    + (", Beispielregel" if deadline.rule.example else "")),
            for_user_id=deadline.responsible_id,
            unit_id=deadline.case_file.unit_id,
            done_url=reverse("web:deadline_done", args=[document.pk, deadline.rule.pk])))
    return entries
