"""Staff administration: roles, units, clearance and the permissions that gate sensitive
actions. Every change is logged with old and new values."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_admin_or_operator
from ..models import Role, StaffProfile, Unit
from .events import event_append

GRANTABLE = {"reopen_casefile", "share_casefile", "manage_fileplan", "view_unredacted"}


def staff_set(*, actor: Actor, username: str, role: str | None = None,
              units: list[str] | None = None, clearance: int | None = None,
              personnel_administration: bool | None = None, grant: list[str] | None = None,
              revoke: list[str] | None = None, password: str | None = None):
    require_admin_or_operator(actor, "Personal und Berechtigungen pflegt die Administration.")
    if role is not None and role not in Role.values:
        raise InvalidInput(f"Unbekannte Rolle {role!r}; möglich: {', '.join(Role.values)}.")
    unknown = set(grant or []) | set(revoke or [])
    if unknown - GRANTABLE:
        raise InvalidInput(f"Unbekannte Berechtigung: {', '.join(sorted(unknown - GRANTABLE))}.")
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username)
        if created and not role:
            raise InvalidInput("Eine neue Person braucht eine Rolle (--role).")
        if password:
            user.set_password(password)
            user.save()
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": role})
        before = _describe(profile)
        if role is not None:
            profile.role = role
        if clearance is not None:
            profile.clearance = clearance
        if personnel_administration is not None:
            profile.personnel_administration = personnel_administration
        profile.save()
        if units is not None:
            found = list(Unit.objects.filter(code__in=units))
            if len(found) != len(set(units)):
                raise InvalidInput("Unbekannte Organisationseinheit.")
            profile.units.set(found)
        for codename in grant or []:
            user.user_permissions.add(Permission.objects.get(codename=codename))
        for codename in revoke or []:
            user.user_permissions.remove(Permission.objects.get(codename=codename))
        after = _describe(profile)
        changes = {key: [before.get(key), value] for key, value in after.items()
                   if before.get(key) != value}
        event_append(action="created" if created else "changed", object_type="staff",
                     object_id=user.pk, actor=actor,
                     data={"username": username, "changes": changes,
                           "password_set": bool(password)})
    return user


def _describe(profile: StaffProfile) -> dict:
    if profile.pk is None:
        return {}
    return {
        "role": profile.role,
        "units": sorted(profile.units.values_list("code", flat=True)),
        "clearance": profile.clearance,
        "personnel_administration": profile.personnel_administration,
        "permissions": sorted(profile.user.user_permissions.values_list("codename", flat=True)),
    }
