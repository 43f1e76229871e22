"""The desk's parts of other pages: the case file's caseworker and hand-over forms, the
document's hand-over form. Kept out of those views so that each page stays one read."""
from django import template
from django.contrib.auth import get_user_model

from archive.guards import may_work_on
from archive.models import Role

register = template.Library()


def _colleagues(user):
    return (get_user_model().objects.filter(is_active=True, staff_profile__role=Role.CASEWORKER)
            .exclude(pk=user.pk).order_by("username")
            .only("username", "first_name", "last_name"))


@register.inclusion_tag("web/_desk_casefile.html", takes_context=True)
def desk_case_file(context, case_file):
    user = context["request"].user
    works = may_work_on(user, case_file)
    unit = case_file.unit
    members = []
    if works and not case_file.is_closed:
        members = list(get_user_model().objects.filter(
            is_active=True, staff_profile__role=Role.CASEWORKER,
            staff_profile__units=unit).order_by("username"))
    return {"case_file": case_file, "works": works, "members": members,
            "default": unit.default_caseworker,
            # A closed file shows no form at all (it is read-only until reopened).
            "colleagues": _colleagues(user) if works and not case_file.is_closed else [],
            "csrf_token": context.get("csrf_token"), "request": context["request"]}


@register.inclusion_tag("web/_desk_document.html", takes_context=True)
def desk_document(context, document):
    user = context["request"].user
    works = (document.case_file is not None and not document.case_file.is_closed
             and may_work_on(user, document.case_file))
    return {"document": document, "works": works,
            "colleagues": _colleagues(user) if works else [],
            "csrf_token": context.get("csrf_token")}
