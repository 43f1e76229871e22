"""The second factor at the door: a signed-in person with a confirmed TOTP device reaches
nothing but the code page until the code is entered; one whose role requires a second factor
and who has none reaches nothing but the setup page. Works for every way of signing in
(form, directory), because it looks at the session, not at the login view."""
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from identity.second_factor import confirmed_device, second_factor_required

# Pages a person between password and second factor may still open.
OPEN_VIEWS = frozenset({"web:logout", "web:otp_verify", "web:otp_verify_check",
                        "web:otp_setup", "web:otp_confirm", "web:accessibility"})
# Set once the session needs no code (no device, role without the requirement): one lookup
# per session instead of per request.
SESSION_KEY = "registratur_second_factor_checked"


def second_factor_noted(sender, *, request, user, **_) -> None:
    """At sign-in (any backend): a session that will never need a code says so once, and the
    middleware then looks nothing up on its requests."""
    if confirmed_device(user) is None and not second_factor_required(user):
        request.session[SESSION_KEY] = True


def second_factor_needed(request) -> str | None:
    """"verify", "setup" or None for the signed-in user of this request."""
    user = request.user
    if not user.is_authenticated or request.session.get(SESSION_KEY):
        return None
    if user.is_verified():
        return None
    if confirmed_device(user) is not None:
        return "verify"
    if second_factor_required(user):
        return "setup"
    request.session[SESSION_KEY] = True
    return None


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        needed = second_factor_needed(request)
        if needed is None or _view_name(request) in OPEN_VIEWS:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "SECOND_FACTOR_REQUIRED",
                                 "message": _("Erst den zweiten Faktor bestätigen.")},
                                status=403)
        target = "web:otp_verify" if needed == "verify" else "web:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _view_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""
