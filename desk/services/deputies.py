"""Vertretung und Abwesenheit: each caseworker names their deputies and records when they are
away. Only for themselves; every change is one event on the user."""
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from archive.actors import Actor
from archive.errors import InvalidInput, NotFound
from archive.guards import require_person
from archive.models import Role
from archive.permissions import user_role
from archive.services.events import event_append

from ..models import Absence, Deputy

# An absence is recorded for at most this long (a longer one is a matter for the unit).
ABSENCE_MAX_DAYS = 366


def _caseworker(actor: Actor):
    user = require_person(actor)
    if user_role(user) != Role.CASEWORKER:
        raise NotFound()
    return user


def deputy_candidates(user):
    return (get_user_model().objects.filter(is_active=True,
                                            staff_profile__role=Role.CASEWORKER)
            .exclude(pk=user.pk).order_by("username"))


def deputy_add(*, actor: Actor, username: str) -> Deputy:
    user = _caseworker(actor)
    deputy = deputy_candidates(user).filter(username=username).first()
    if deputy is None:
        raise InvalidInput("Vertreten kann nur eine andere aktive Sachbearbeiterin oder ein "
                           "anderer aktiver Sachbearbeiter.", code="DEPUTY_NOT_ELIGIBLE")
    with transaction.atomic():
        found, created = Deputy.objects.get_or_create(absentee=user, deputy=deputy)
        if created:
            event_append(action="deputy_named", object_type="staff", object_id=user.pk,
                         actor=actor, data={"deputy": deputy.username})
    return found


def deputy_remove(*, actor: Actor, deputy_id) -> None:
    user = _caseworker(actor)
    found = Deputy.objects.filter(pk=deputy_id, absentee=user).select_related("deputy").first()
    if found is None:
        raise NotFound()
    with transaction.atomic():
        found.delete()
        event_append(action="deputy_removed", object_type="staff", object_id=user.pk,
                     actor=actor, data={"deputy": found.deputy.username})


def absence_add(*, actor: Actor, starts_on: date, ends_on: date) -> Absence:
    user = _caseworker(actor)
    if starts_on is None or ends_on is None:
        raise InvalidInput("Bitte Beginn und Ende der Abwesenheit angeben.",
                           code="DATE_REQUIRED")
    if ends_on < starts_on or (ends_on - starts_on).days >= ABSENCE_MAX_DAYS:
        raise InvalidInput("Das Ende der Abwesenheit muss nach ihrem Beginn liegen, "
                           f"höchstens {ABSENCE_MAX_DAYS} Tage.", code="ABSENCE_INVALID")
    with transaction.atomic():
        absence = Absence.objects.create(user=user, starts_on=starts_on, ends_on=ends_on)
        event_append(action="absence_recorded", object_type="staff", object_id=user.pk,
                     actor=actor, data={"from": starts_on.isoformat(),
                                        "to": ends_on.isoformat()})
    return absence


def absence_remove(*, actor: Actor, absence_id) -> None:
    user = _caseworker(actor)
    absence = Absence.objects.filter(pk=absence_id, user=user).first()
    if absence is None:
        raise NotFound()
    with transaction.atomic():
        absence.delete()
        event_append(action="absence_removed", object_type="staff", object_id=user.pk,
                     actor=actor, data={"from": absence.starts_on.isoformat(),
                                        "to": absence.ends_on.isoformat()})
