"""The follow-up box of the case file page and the document page: one include, so the pages'
own views stay as they are."""
from django import template
from django.utils import timezone

from archive.guards import may_work_on
from followups.selectors import follow_ups_of_case_file

from ..followup_forms import FollowUpForm, assignee_choices

register = template.Library()


@register.inclusion_tag("web/_follow_ups.html", takes_context=True)
def follow_ups_box(context, case_file, document=None):
    """The open follow-ups on the file (on the document page: on that document) and, for
    whoever may change the file, the form for a new one. The page itself was the logged read
    of the file; this shows nothing the file page does not already allow."""
    user = context["request"].user
    editable = may_work_on(user, case_file) and not case_file.is_closed
    follow_ups = follow_ups_of_case_file(user, case_file)
    if document is not None:
        follow_ups = follow_ups.filter(document=document)
    kind, object_id = ("dokument", document.pk) if document is not None else ("akte",
                                                                             case_file.pk)
    return {
        "request": context["request"], "csrf_token": context.get("csrf_token"),
        "follow_ups": list(follow_ups.order_by("due", "pk")), "editable": editable,
        "today": timezone.localdate(), "kind": kind, "object_id": object_id,
        "form": FollowUpForm(choices=assignee_choices(case_file, user),
                             auto_id=f"id_follow_up_{kind}_%s") if editable else None,
    }
