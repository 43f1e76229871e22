"""Staff administration: roles, units, clearance and the permissions that gate sensitive
actions. Every change is logged with old and new values; a password never is, only that one
was set."""
from collections.abc import Iterable

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from ..actors import Actor, actor_for_user
from ..errors import InvalidInput, PermissionDenied
from ..guards import require_admin_or_operator
from ..models import Confidentiality, Role, StaffProfile, Unit
from .casefiles import address_clean
from .events import event_append

# Permissions on StaffProfile that a feature app checks and creates itself (in its migration,
# as the kernel adds none for them), granted here like the model's own.
APP_PERMISSIONS = {"sign_off": "Schlusszeichnen (Zeichnungsrecht)",
                   "view_unit_deadlines": "Fristen der Organisationseinheit einsehen"}
GRANTABLE = {"reopen_casefile", "share_casefile", "manage_fileplan", "view_unredacted",
             *APP_PERMISSIONS}


def app_permission_ensure(codename: str, apps=None) -> None:
    """Create one of APP_PERMISSIONS on StaffProfile. The kernel adds no migration for an
    app's permission, so the app calls this from its migration and after every migrate (a
    test database's flush removes what a migration created; Django recreates only Meta
    permissions)."""
    if apps is None:
        from django.apps import apps
    try:
        content_type_model = apps.get_model("contenttypes", "ContentType")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    content_type, _ = content_type_model.objects.get_or_create(app_label="archive",
                                                               model="staffprofile")
    permission_model.objects.get_or_create(content_type=content_type, codename=codename,
                                           defaults={"name": APP_PERMISSIONS[codename]})


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
            _refuse_directory_password(user)
            _valid_password(password, user)  # the same policy as the pages
            user.set_password(password)
            user.save()
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": role})
        before = _describe(profile)
        _refuse_directory_change(profile, before, role, units)
        _profile_apply(profile, role=role, clearance=clearance,
                       personnel_administration=personnel_administration)
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
        "first_name": profile.user.first_name,
        "last_name": profile.user.last_name,
        "email": profile.user.email,
        "role": profile.role,
        "units": sorted(profile.units.values_list("code", flat=True)),
        "clearance": profile.clearance,
        "personnel_administration": profile.personnel_administration,
        "permissions": sorted(profile.user.user_permissions.values_list("codename", flat=True)),
    }


# --- the administration's pages ---------------------------------------------------------

DENIED = "Personal und Berechtigungen pflegt die Administration."
NAME_FIELDS = ("first_name", "last_name", "email")
PRIVATE_ADDRESS = ("private_street", "private_postcode", "private_city")
# A staff member's private address is HR data: the trail of staff administration is not
# sealed (archive/sealing.py), so its entry records only that the address changed.
NOT_RECORDED = "nicht protokolliert"


def _private_address(given: dict) -> dict:
    """The private address fields given (None leaves one alone), cleaned."""
    given = {field: value for field, value in given.items() if value is not None}
    if not given:
        return {}
    clean = address_clean(**{field.removeprefix("private_"): value
                             for field, value in given.items()})
    return {field: clean[field.removeprefix("private_")] for field in given}


def _address_of(profile: StaffProfile) -> tuple:
    return tuple(getattr(profile, field) for field in PRIVATE_ADDRESS)


def _valid_username(username: str) -> str:
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        username = ""
    if not username or len(username) > 150:
        raise InvalidInput("Der Benutzername ist ungültig: bis zu 150 Buchstaben, Ziffern und "
                           "@ . + - _, ohne Leerzeichen.", code="USER_NAME_INVALID")
    return username


def _valid_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="PASSWORD_INVALID") from None


def _valid_profile(role, clearance, permissions) -> None:
    if role is not None and role not in Role.values:
        raise InvalidInput(f"Unbekannte Rolle {role!r}.", code="ROLE_UNKNOWN")
    if clearance is not None and clearance not in Confidentiality.values:
        raise InvalidInput("Die Freigabestufe ist ungültig.", code="CLEARANCE_INVALID")
    unknown = set(permissions or ()) - GRANTABLE
    if unknown:
        raise InvalidInput(f"Unbekannte Berechtigung: {', '.join(sorted(unknown))}.",
                           code="PERMISSION_UNKNOWN")


def _units(codes: Iterable[str]) -> list[Unit]:
    codes = set(codes)
    found = list(Unit.objects.filter(code__in=codes))
    if len(found) != len(codes):
        raise InvalidInput("Unbekannte Organisationseinheit.", code="UNIT_UNKNOWN")
    return found


def _set_permissions(user, permissions: Iterable[str]) -> None:
    """Exactly these of the grantable permissions; others (none today) stay as they are."""
    wanted = set(permissions)
    held = set(user.user_permissions.filter(codename__in=GRANTABLE)
               .values_list("codename", flat=True))
    grantable = Permission.objects.filter(content_type__app_label="archive")
    if wanted - held:
        user.user_permissions.add(*grantable.filter(codename__in=wanted - held))
    if held - wanted:
        user.user_permissions.remove(*grantable.filter(codename__in=held - wanted))


def _record(*, actor, user, action, before, password_set=False, extra=None,
            address_before=("", "", "")):
    profile = StaffProfile.objects.get(user=user)
    after = {**_describe(profile), "active": user.is_active}
    changes = {key: [before.get(key), value] for key, value in after.items()
               if before.get(key) != value}
    if _address_of(profile) != tuple(address_before):
        changes["private_address"] = [NOT_RECORDED, NOT_RECORDED]
    if not changes and not password_set:
        return None
    return event_append(action=action, object_type="staff", object_id=user.pk, actor=actor,
                        data={"username": user.username, "changes": changes,
                              "password_set": password_set, **(extra or {})})


def user_create(*, actor: Actor, username: str, role: str, password: str | None = None,
                first_name: str = "", last_name: str = "", email: str = "",
                units: Iterable[str] = (), clearance: int = 0,
                personnel_administration: bool = False,
                permissions: Iterable[str] = (), private_street: str = "",
                private_postcode: str = "", private_city: str = ""):
    """A new member of staff, with an initial password or none (then the person sets one
    through a one-time link, `user_password_link`). The event records who was created with
    which rights, and whether a password was set."""
    require_admin_or_operator(actor, DENIED)
    username = _valid_username(username)
    permissions = list(permissions)
    _valid_profile(role, clearance, permissions)
    if role is None:
        raise InvalidInput("Eine neue Person braucht eine Rolle.", code="ROLE_UNKNOWN")
    address = _private_address({"private_street": private_street,
                                "private_postcode": private_postcode,
                                "private_city": private_city})
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username__iexact=username).exists():
            raise InvalidInput(f"Den Benutzernamen „{username}“ gibt es schon.",
                               code="USER_NAME_TAKEN")
        found_units = _units(units)
        user = user_model(username=username, first_name=first_name.strip(),
                          last_name=last_name.strip(), email=email.strip())
        if password:
            _valid_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        profile = StaffProfile.objects.create(
            user=user, role=role, clearance=clearance,
            personnel_administration=personnel_administration, **address)
        profile.units.set(found_units)
        _set_permissions(user, permissions)
        # One event for the creation; without a password it says that a link was issued
        # (never the link itself, see password_link_parts).
        _record(actor=actor, user=user, action="created", before={},
                password_set=bool(password), extra={"password_link": not password})
    return user


def user_update(*, actor: Actor, user, role: str | None = None, units: Iterable[str] | None = None,
                clearance: int | None = None, personnel_administration: bool | None = None,
                permissions: Iterable[str] | None = None, password: str | None = None,
                private_street: str | None = None, private_postcode: str | None = None,
                private_city: str | None = None, **names):
    """Changes what is given (None leaves a field alone); one event lists old and new values.
    An administrator cannot take the role from themselves, so that the last one cannot lock
    the administration out."""
    require_admin_or_operator(actor, DENIED)
    if set(names) - set(NAME_FIELDS):
        raise InvalidInput("Nur Name, E-Mail, Rolle, Einheiten, Freigabe und Berechtigungen "
                           "sind änderbar.")
    permissions = None if permissions is None else list(permissions)
    _valid_profile(role, clearance, permissions)
    address = _private_address({"private_street": private_street,
                                "private_postcode": private_postcode,
                                "private_city": private_city})
    if (role is not None and role != Role.ADMINISTRATOR and actor.user is not None
            and actor.user.pk == user.pk):
        raise PermissionDenied("Die eigene Administratorrolle kann man sich nicht selbst "
                               "entziehen.", code="USER_SELF_DEMOTE")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        profile, _created = StaffProfile.objects.get_or_create(
            user=user, defaults={"role": role or Role.CASEWORKER})
        before = {**_describe(profile), "active": user.is_active}
        address_before = _address_of(profile)
        _refuse_directory_change(profile, before, role, units)
        for field, value in names.items():
            if value is not None:
                setattr(user, field, value.strip())
        if password:
            _refuse_directory_password(user)
            _valid_password(password, user)
            user.set_password(password)
        user.save()
        _profile_apply(profile, role=role, clearance=clearance,
                       personnel_administration=personnel_administration)
        if address:
            for field, value in address.items():
                setattr(profile, field, value)
            profile.save(update_fields=list(address))
        if units is not None:
            profile.units.set(_units(units))
        if permissions is not None:
            _set_permissions(user, permissions)
        _record(actor=actor, user=user, action="changed", before=before,
                password_set=bool(password), address_before=address_before)
    return user


def _set_active(*, actor: Actor, user, active: bool):
    require_admin_or_operator(actor, DENIED)
    if not active and actor.user is not None and actor.user.pk == user.pk:
        raise PermissionDenied("Das eigene Benutzerkonto kann man nicht deaktivieren.",
                               code="USER_SELF_DEACTIVATE")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            event_append(action="reactivated" if active else "deactivated",
                         object_type="staff", object_id=user.pk, actor=actor,
                         data={"username": user.username,
                               "changes": {"active": [not active, active]}})
    return user


def user_deactivate(*, actor: Actor, user):
    """The person can no longer sign in (running sessions end with the next request); the
    account stays, since the trail names it."""
    return _set_active(actor=actor, user=user, active=False)


def user_reactivate(*, actor: Actor, user):
    return _set_active(actor=actor, user=user, active=True)


# --- one-time links to set a password ------------------------------------------------------

LINK_INVALID = "Der Link zum Setzen des Kennworts ist ungültig, abgelaufen oder schon benutzt."


def user_password_link(*, actor: Actor, user) -> tuple[str, str]:
    """A one-time link (its two path parts) with which the person sets a password of their
    own, so that nobody else ever knows it. Issuing one ends the current password and every
    earlier link: the token depends on the stored password, which is replaced by an unusable
    one, and setting a password through the link ends the link too. It expires after
    PASSWORD_RESET_TIMEOUT. The event records that a link was issued, never the link."""
    require_admin_or_operator(actor, DENIED)
    _refuse_directory_password(user)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        event_append(action="password_link_issued", object_type="staff", object_id=user.pk,
                     actor=actor, data={"username": user.username})
    return password_link_parts(user)


def password_link_parts(user) -> tuple[str, str]:
    """The link of a person who has no usable password yet: one just created without one
    (the creation's event records that a link was issued), or one whose link was issued by
    `user_password_link`. Refused for anyone with a password, so that it can never open an
    account that is in use."""
    _refuse_directory_password(user)
    if user.has_usable_password():
        raise InvalidInput("Für diese Person wurde kein Link zum Setzen des Kennworts "
                           "ausgestellt.", code="PASSWORD_LINK_NONE")
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def user_for_password_link(uidb64: str, token: str):
    """The person a link is for, or a refusal that says nothing about whether they exist."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError, OverflowError):
        pk = None
    user = get_user_model().objects.filter(pk=pk).first() if pk else None
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidInput(LINK_INVALID, code="PASSWORD_LINK_INVALID")
    return user


def user_password_set_with_link(*, uidb64: str, token: str, password: str, channel: str = "web"):
    """The person sets their password; the event names them as the actor."""
    with transaction.atomic():
        user = user_for_password_link(uidb64, token)
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):  # used meanwhile
            raise InvalidInput(LINK_INVALID, code="PASSWORD_LINK_INVALID")
        _valid_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        event_append(action="password_set", object_type="staff", object_id=user.pk,
                     actor=actor_for_user(user, channel), data={"username": user.username})
    return user


def _profile_apply(profile, *, role, clearance, personnel_administration) -> None:
    """Role, clearance and the staff-administration flag, each only where given."""
    if role is not None:
        profile.role = role
    if clearance is not None:
        profile.clearance = clearance
    if personnel_administration is not None:
        profile.personnel_administration = personnel_administration
    profile.save()


# --- accounts of the city's directory (LDAP / Active Directory) ---------------------------

DIRECTORY_PASSWORD = ("Diese Person meldet sich mit ihrem Konto im Verzeichnis der Stadt an; "
                      "ein Kennwort in der Registratur gibt es für sie nicht.")


def is_directory_account(user) -> bool:
    profile = StaffProfile.objects.filter(user=user).only("directory_dn").first()
    return bool(profile and profile.directory_dn)


def _refuse_directory_password(user) -> None:
    if user.pk is not None and is_directory_account(user):
        raise InvalidInput(DIRECTORY_PASSWORD, code="DIRECTORY_ACCOUNT")


def _refuse_directory_change(profile, before: dict, role, units) -> None:
    """Role and units of a directory account are the directory's: a change here would be
    undone at the next login, so it is refused (clearance and permissions stay here)."""
    if not profile.directory_dn:
        return
    if ((role is not None and role != before.get("role"))
            or (units is not None and sorted(set(units)) != before.get("units"))):
        raise InvalidInput("Rolle und Organisationseinheiten dieses Kontos kommen aus dem "
                           "Verzeichnis der Stadt; sie werden dort über die Gruppen geändert.",
                           code="DIRECTORY_MANAGED")


# The identity of an OpenID Connect account (web/oidc.py) is kept where an LDAP account keeps
# its DN, as "oidc:<issuer>#<subject>": such an account, too, has no password here and gets
# its role and units from the city's identity service at every login.
OIDC_PREFIX = "oidc:"
# Who may act here, and what it says when a name belongs to a local account or to another
# identity (an LDAP account for the OIDC login and the other way round, or another subject).
SOURCES = {
    "directory": ("DIRECTORY_LOCAL_ACCOUNT", "DIRECTORY_OTHER_ACCOUNT"),
    "oidc": ("OIDC_LOCAL_ACCOUNT", "OIDC_OTHER_ACCOUNT"),
}
OTHER_ACCOUNT = ("Dieser Benutzername gehört zu einem Konto, das sich auf anderem Weg anmeldet "
                 "(Verzeichnis oder ein anderes Konto beim Anmeldedienst). Bitte wenden Sie "
                 "sich an die Administration.")


def _require_directory(actor: Actor) -> str:
    # Only the directory login and the OIDC login act here: system actors named for them.
    # People change such an account's role and units in the directory, not here.
    if not (actor.is_system and actor.name in SOURCES):
        raise PermissionDenied("Rolle und Einheiten von Verzeichniskonten setzt nur die "
                               "Anmeldung über das Verzeichnis.")
    return actor.name


def _identity_source(dn: str) -> str:
    return "oidc" if dn.startswith(OIDC_PREFIX) else "directory"


def user_directory_sync(*, actor: Actor, username: str, dn: str, role: str,
                        units: Iterable[str], first_name: str = "", last_name: str = "",
                        email: str = "", groups: Iterable[str] = ()):
    """The account of a person the directory has just vouched for: created on their first
    login, and on every login given the role and units their directory groups map to, with
    names as the directory has them. One event when something changed ("created" or
    "changed", source "directory", the mapped groups that decided). A local account of the
    same name is never taken over (`DIRECTORY_LOCAL_ACCOUNT`). The account has no usable
    password of its own."""
    source = _require_directory(actor)
    local_code, other_code = SOURCES[source]
    _valid_profile(role, None, None)
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(username__iexact=username).first()
        created = user is None
        if created:
            user = user_model(username=_valid_username(username))
            user.set_unusable_password()
            user.save()
            profile = StaffProfile(user=user, role=role)
            before = {}
        else:
            profile = StaffProfile.objects.filter(user=user).first()
            if profile is None or not profile.directory_dn:
                raise PermissionDenied(
                    "Für diesen Benutzernamen gibt es ein Konto der Registratur selbst; die "
                    "Administration muss es erst auf das Verzeichnis umstellen.",
                    code=local_code)
            # An LDAP entry may move in the tree (its DN changes); an OIDC account is bound
            # to its issuer and subject, which never change for the same person.
            held = profile.directory_dn
            if _identity_source(held) != source or (source == "oidc" and held != dn):
                raise PermissionDenied(OTHER_ACCOUNT, code=other_code)
            before = {**_describe(profile), "active": user.is_active,
                      "directory_dn": profile.directory_dn}
        names = {"first_name": first_name.strip()[:150], "last_name": last_name.strip()[:150],
                 "email": email.strip()[:254]}
        if any(getattr(user, field) != value for field, value in names.items()):
            for field, value in names.items():
                setattr(user, field, value)
            user.save(update_fields=list(names))
        if user.has_usable_password():  # never a local password beside the directory
            user.set_unusable_password()
            user.save(update_fields=["password"])
        profile.role = role
        profile.directory_dn = dn
        profile.save()
        profile.units.set(_units(units))
        after = {**_describe(profile), "active": user.is_active, "directory_dn": dn}
        changes = {key: [before.get(key), value] for key, value in after.items()
                   if before.get(key) != value}
        if changes:
            event_append(action="created" if created else "changed", object_type="staff",
                         object_id=user.pk, actor=actor,
                         data={"username": user.username, "changes": changes,
                               "password_set": False, "source": source,
                               "groups": sorted(groups)})
    return user


def user_directory_withdraw(*, actor: Actor, user, reason: str):
    """The directory still knows this person but puts them in no mapped group: the account
    keeps its role (the trail names it) but loses every unit, so that nothing the units
    opened stays readable through another way in. One event, when units were taken. (A person
    the directory no longer finds, or cannot be asked about, just cannot sign in: an outage
    must not take units away.)"""
    source = _require_directory(actor)
    with transaction.atomic():
        profile = StaffProfile.objects.select_for_update().filter(user=user).first()
        if profile is None or not profile.directory_dn:
            return None
        if _identity_source(profile.directory_dn) != source:
            return None  # not this source's account
        before = {**_describe(profile), "active": user.is_active}
        profile.units.clear()
        return _record(actor=actor, user=user, action="changed", before=before,
                       extra={"source": source, "reason": reason})
