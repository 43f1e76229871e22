"""Directory login: staff sign in with their account in the city's directory (OpenLDAP, or
Active Directory through LDAP), through django-auth-ldap. The library finds the person (a
search as the service account), checks the password (a bind as the person) and reads their
groups; what the groups mean here is ours: the first mapped role group gives the role, every
mapped unit group a unit (settings LDAP_ROLE_MAP, LDAP_UNIT_MAP). The account is created and
kept in step by `archive.services.staff.user_directory_sync`, acting as the directory, in one
logged step. Whom the directory no longer vouches for (no mapped group, locked, removed) cannot
sign in, and a person in no mapped group loses their units; running sessions are checked
again (web/login.py)."""
import logging

import ldap
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django_auth_ldap.backend import LDAPBackend, ldap_error

from archive.actors import system_actor
from archive.errors import InvalidInput, PermissionDenied, RegistraturError
from archive.models import Role
from archive.services.staff import (
    is_directory_account,
    user_directory_sync,
    user_directory_withdraw,
)

logger = logging.getLogger(__name__)

# The directory acts when it creates an account or sets its role and units.
DIRECTORY = system_actor(name="directory")

NO_ROLE = ("Ihr Konto im Verzeichnis gehört zu keiner Gruppe, der die Registratur eine Rolle "
           "zuordnet. Bitte wenden Sie sich an die Administration.")
UNREACHABLE = ("Das Verzeichnis der Stadt ist gerade nicht erreichbar. Bitte versuchen Sie es "
               "später noch einmal; mit einem Konto der Registratur selbst prüfen Sie bitte "
               "Benutzername und Kennwort.")
CONFIGURATION = ("Die Zuordnung Ihrer Verzeichnisgruppen ist fehlerhaft (unbekannte Rolle oder "
                 "Organisationseinheit). Bitte wenden Sie sich an die Administration.")


def _normal_dn(dn: str) -> str:
    """DNs compare case-insensitively and without the spaces some tools put after commas."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn.strip())).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()


def directory_mapping(group_dns) -> tuple[str | None, set[str], list[str]]:
    """Role, unit codes and the mapped groups that decided, for the groups a person is in.
    Several role groups: the one listed first in the role map wins."""
    held = {_normal_dn(dn) for dn in group_dns}
    role, units, decided = None, set(), []
    for dn, mapped in settings.LDAP_ROLE_MAP.items():
        if _normal_dn(dn) in held:
            decided.append(dn)
            role = role or mapped
    for dn, codes in settings.LDAP_UNIT_MAP.items():
        if _normal_dn(dn) in held:
            decided.append(dn)
            units |= {codes} if isinstance(codes, str) else set(codes)
    return role, units, decided


def _first(attrs, name: str) -> str:
    values = (attrs or {}).get(name) or [""]
    return str(values[0])


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap, with the account made and kept by the archive's service instead of
    the library's attribute mirroring."""

    _request = None

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Django makes a backend object for every attempt, so the request can wait here for
        # a refusal to be told on the login page.
        self._request = request
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        # The library's get_user does not look at is_active: an account the administration
        # deactivated must lose its session here too.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_or_build_user(self, username, ldap_user):
        """Called once the directory has vouched for the person: by their password at login,
        or by the service account when a session is checked again."""
        role, units, groups = directory_mapping(ldap_user.group_dns)
        try:
            if role is None:
                existing = get_user_model().objects.filter(username__iexact=username).first()
                if existing is not None:
                    user_directory_withdraw(actor=DIRECTORY, user=existing,
                                            reason="DIRECTORY_NO_ROLE")
                raise PermissionDenied(NO_ROLE, code="DIRECTORY_NO_ROLE")
            if role not in Role.values:
                raise InvalidInput(f"role {role!r}", code="ROLE_UNKNOWN")
            attrs = ldap_user.attrs
            user = user_directory_sync(
                actor=DIRECTORY, username=username.lower(), dn=ldap_user.dn, role=role,
                units=sorted(units), first_name=_first(attrs, "givenName"),
                last_name=_first(attrs, "sn"), email=_first(attrs, "mail"), groups=groups)
        except RegistraturError as error:
            if isinstance(error, InvalidInput):
                logger.error("Directory group map refused for %s: %s (%s)", username,
                             error.message, error.code)
                error = PermissionDenied(CONFIGURATION, code="DIRECTORY_CONFIGURATION")
            if self._request is not None:
                self._request.directory_refusal = error
            raise ldap_user.AuthenticationFailed(error.code) from error
        return user, False


def _unreachable(sender, *, context, request=None, exception=None, **_) -> None:
    """The library logs an unreachable directory and answers "no"; the login page says why."""
    if request is not None and isinstance(exception, (ldap.SERVER_DOWN, ldap.TIMEOUT,
                                                      ldap.CONNECT_ERROR)):
        request.directory_refusal = PermissionDenied(UNREACHABLE, code="DIRECTORY_UNAVAILABLE")


ldap_error.connect(_unreachable, sender=DirectoryBackend, dispatch_uid="web.directory.unreachable")


def directory_confirms(user) -> bool:
    """Asks the directory again, as the service account, whether it still vouches for this
    person (found by the user filter, in a mapped group); role and units follow it. False
    too when the directory cannot be reached: a session then ends rather than outlive a
    withdrawal nobody could check."""
    return DirectoryBackend().populate_user(user.get_username()) is not None


class LocalPasswordBackend(ModelBackend):
    """The local password login of small offices, which directory accounts never use."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Checked here, not in user_can_authenticate, which every request's get_user asks.
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if user is not None and is_directory_account(user) else user
