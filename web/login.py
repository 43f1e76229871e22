"""The login page's form and the re-check of directory sessions (web/directory.py). Local
accounts pass through both untouched."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHECKED_KEY = "registratur_directory_checked"
DIRECTORY_BACKEND = "web.directory.DirectoryBackend"


class LoginForm(AuthenticationForm):
    """Django's form; a refusal of the directory login (no mapped group, a local account of
    that name) is told as it is, since only the right password gets that far."""

    directory_message = ""

    def get_invalid_login_error(self):
        refusal = getattr(self.request, "directory_refusal", None)
        if refusal is not None:
            self.directory_message = refusal.message
            return ValidationError(refusal.message, code=refusal.code)
        return super().get_invalid_login_error()


class LoginView(auth_views.LoginView):
    """Django's login view; it offers the OpenID Connect login when one is configured."""

    def get_context_data(self, **kwargs):
        from .oidc import oidc_enabled

        context = super().get_context_data(**kwargs)
        context["oidc_name"] = settings.OIDC_PROVIDER_NAME if oidc_enabled() else ""
        return context


class DirectorySessionMiddleware:
    """A session opened by the directory login lasts only while the directory still vouches
    for the person: every LDAP_RECHECK_SECONDS the directory is asked again (as the service
    account); a person removed from every mapped group, locked or deleted there is signed
    out at their next request after that, and their role and units follow the directory."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(BACKEND_SESSION_KEY) == DIRECTORY_BACKEND:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        if not request.user.is_authenticated:
            return
        now = time.time()
        checked = request.session.get(CHECKED_KEY)
        if checked is not None and now - checked < settings.LDAP_RECHECK_SECONDS:
            return
        if checked is None and settings.LDAP_RECHECK_SECONDS > 0:
            # The first request after the login: the directory has just said yes.
            request.session[CHECKED_KEY] = now
            return
        from .directory import directory_confirms

        if directory_confirms(request.user):
            request.session[CHECKED_KEY] = now
            return
        logout(request)
        messages.error(request, _("Ihre Sitzung wurde beendet: Das Verzeichnis der Stadt "
                                  "bestätigt Ihr Konto nicht mehr."))

