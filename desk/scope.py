"""Whose items a user's desk shows today: their own, those of absent colleagues who named
them as deputy, and the unassigned items of their units."""
from django.contrib.auth import get_user_model
from django.utils import timezone

from archive.desk_sources import DeskScope
from archive.models import Role
from archive.permissions import user_role

from .models import Absence


def display_name(user) -> str:
    return user.get_full_name() or user.username


def absent_user_ids(today) -> set[int]:
    return set(Absence.objects.filter(starts_on__lte=today, ends_on__gte=today)
               .values_list("user_id", flat=True))


def desk_scope(user, today=None) -> DeskScope:
    """Two queries: the colleagues absent today who named this user, and the user's units."""
    today = today or timezone.localdate()
    absent = (get_user_model().objects.filter(
        is_active=True, deputies__deputy=user, absences__starts_on__lte=today,
        absences__ends_on__gte=today).exclude(pk=user.pk).distinct()
        .only("pk", "username", "first_name", "last_name"))
    deputising_for = {colleague.pk: display_name(colleague) for colleague in absent}
    unit_ids: tuple[int, ...] = ()
    if user_role(user) == Role.CASEWORKER:
        unit_ids = tuple(user.staff_profile.units.values_list("pk", flat=True))
    return DeskScope(user=user, today=today,
                     user_ids=(user.pk, *sorted(deputising_for)), unit_ids=unit_ids,
                     deputising_for=deputising_for)
