"""OpenID Connect login, the second and optional way in with the city's account (Keycloak,
Entra ID, ...), through mozilla-django-oidc: the authorization-code flow with PKCE and a
nonce, the ID token checked against the provider's keys (and here also its issuer and
audience, which the library leaves out). What the claims mean is ours, as for the
directory's groups (web/directory.py): the first mapped value of the groups claim gives the
role, every mapped value a unit (settings OIDC_ROLE_MAP, OIDC_UNIT_MAP). The account is
created and kept in step by `archive.services.staff.user_directory_sync`, acting as "oidc",
and bound to the provider's issuer and subject. A refusal (no mapped group, a deactivated
account, a local account of that name, a failed exchange) is logged as a failed login with
its code and told on the login page. Roles that need a second factor enter their TOTP code
here after the provider's login, unless the provider reports one of OIDC_MFA_AMR."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from archive.actors import Actor, system_actor
from archive.errors import InvalidInput, PermissionDenied, RegistraturError
from archive.models import Role, StaffProfile
from archive.services.events import event_append
from archive.services.staff import OIDC_PREFIX, user_directory_sync, user_directory_withdraw

from .second_factor import SESSION_KEY

logger = logging.getLogger(__name__)

# The OIDC login acts when it creates an account or sets its role and units.
OIDC = system_actor(name="oidc")
BACKEND = "web.oidc.OIDCBackend"

NO_ROLE = (
    "Ihr Konto beim Anmeldedienst gehört zu keiner Gruppe, der die Registratur eine "
    "Rolle zuordnet. Bitte wenden Sie sich an die Administration."
)
DISABLED = (
    "Ihr Konto in der Registratur ist deaktiviert. Bitte wenden Sie sich an die Administration."
)
CLAIM_MISSING = (
    "Der Anmeldedienst hat keinen gültigen Benutzernamen übermittelt. Bitte "
    "wenden Sie sich an die Administration."
)
CONFIGURATION = (
    "Die Zuordnung Ihrer Gruppen beim Anmeldedienst ist fehlerhaft (unbekannte "
    "Rolle oder Organisationseinheit). Bitte wenden Sie sich an die "
    "Administration."
)
FAILED = (
    "Die Anmeldung über den Anmeldedienst ist fehlgeschlagen oder wurde abgebrochen. "
    "Bitte versuchen Sie es noch einmal."
)


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def claim_values(value) -> set[str]:
    """A groups or roles claim as providers send it: a list of strings, or one string."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple)):
        return {str(item) for item in value if isinstance(item, (str, int))}
    return set()


def oidc_mapping(groups) -> tuple[str | None, set[str], list[str]]:
    """Role, unit codes and the mapped values that decided, for the values of the groups
    claim. Values compare exactly (providers send names or ids as they are). Several role
    values: the one listed first in the role map wins."""
    held = claim_values(groups)
    role, units, decided = None, set(), []
    for value, mapped in settings.OIDC_ROLE_MAP.items():
        if value in held:
            decided.append(value)
            role = role or mapped
    for value, codes in settings.OIDC_UNIT_MAP.items():
        if value in held:
            decided.append(value)
            units |= {codes} if isinstance(codes, str) else set(codes)
    return role, units, decided


def _refuse(request, error: RegistraturError) -> None:
    """Remembered on the request for the failed-login event (archive/logins.py) and the
    login page."""
    if request is not None:
        request.directory_refusal = error


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc, with the account made and kept by the archive's service."""

    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or request is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except RegistraturError as error:
            _refuse(request, error)
        except (
            SuspiciousOperation,
            jwt.PyJWTError,
            requests.RequestException,
            ValueError,
            KeyError,
        ) as error:
            # The exchange with the provider failed: a wrong client secret, a token that is
            # not for us, the provider unreachable. Logged for the administration.
            logger.warning("OpenID Connect login failed: %s: %s", type(error).__name__, error)
            _refuse(request, PermissionDenied(FAILED, code="OIDC_FAILED"))
        return None

    def get_user(self, user_id):
        # The library's get_user does not look at is_active: an account the administration
        # deactivated must lose its running session too.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def verify_token(self, token, **kwargs):
        """The library checks signature, expiry and nonce; the issuer and the audience are
        checked here, so that a token the provider made for another application or another
        provider's token is refused."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss", "").rstrip("/") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token of another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another audience")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """Called once the provider has vouched for the person (a valid ID token). Claims
        come from the ID token and the userinfo endpoint (some providers put groups only in
        one of them)."""
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo of another subject")
        username = str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip().lower()
        self.request.login_attempted_username = username[:150]
        if not username:
            raise PermissionDenied(CLAIM_MISSING, code="OIDC_CLAIM_MISSING")
        subject = f"{OIDC_PREFIX}{payload['iss'].rstrip('/')}#{payload['sub']}"
        role, units, groups = oidc_mapping(claims.get(settings.OIDC_GROUPS_CLAIM))
        if role is None:
            existing = get_user_model().objects.filter(username__iexact=username).first()
            if (
                existing is not None
                and StaffProfile.objects.filter(user=existing, directory_dn=subject).exists()
            ):
                user_directory_withdraw(actor=OIDC, user=existing, reason="OIDC_NO_ROLE")
            raise PermissionDenied(NO_ROLE, code="OIDC_NO_ROLE")
        if role not in Role.values:
            logger.error("OIDC claim map gives the unknown role %r for %s", role, username)
            raise PermissionDenied(CONFIGURATION, code="OIDC_CONFIGURATION")
        try:
            user = user_directory_sync(
                actor=OIDC,
                username=username,
                dn=subject,
                role=role,
                units=sorted(units),
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("family_name") or ""),
                email=str(claims.get("email") or ""),
                groups=groups,
            )
        except InvalidInput as error:
            logger.error(
                "OIDC claim map refused for %s: %s (%s)", username, error.message, error.code
            )
            raise PermissionDenied(CONFIGURATION, code="OIDC_CONFIGURATION") from error
        if not user.is_active:
            raise PermissionDenied(DISABLED, code="OIDC_ACCOUNT_DISABLED")
        self.request.oidc_amr = sorted(claim_values(payload.get("amr")))
        return user


@require_GET
def oidc_login(request):
    """ "Anmelden mit <provider>": off (404) unless configured; otherwise the library's start
    of the flow (state, nonce, PKCE verifier in the session; redirect to the provider)."""
    if not oidc_enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


@require_GET
def oidc_callback(request):
    if not oidc_enabled():
        raise Http404
    return CallbackView.as_view()(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The library's callback; a failure goes back to the login page with the reason and
    its code, a success may carry the provider's second factor."""

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "directory_refusal", None)
        if refusal is None:
            # Not even an account to refuse: the person cancelled at the provider, or the
            # exchange failed before a token was checked. A failed login all the same.
            refusal = PermissionDenied(FAILED, code="OIDC_FAILED")
            _refuse(request, refusal)
            user_login_failed.send(
                sender=__name__,
                request=request,
                credentials={"username": getattr(request, "login_attempted_username", "")},
            )
        messages.error(request, f"{refusal.message} ({refusal.code})")
        return redirect("web:login")

    def login_success(self):
        response = super().login_success()
        request = self.request
        trusted = set(settings.OIDC_MFA_AMR) & set(getattr(request, "oidc_amr", []))
        if trusted:
            # The provider reports a second factor of the kinds the city trusts: the roles
            # that need one are not asked for a TOTP code here again.
            request.session[SESSION_KEY] = True
            event_append(
                action="second_factor_verified",
                object_type="session",
                object_id=self.user.pk,
                actor=Actor(user=self.user, channel="web"),
                data={"username": self.user.username, "source": "oidc", "amr": sorted(trusted)},
            )
        return response
