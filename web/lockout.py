"""The answer to a locked-out login (django-axes' AXES_LOCKOUT_CALLABLE): German, the same for
accounts that exist and ones that do not, 429 rather than an error page."""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60)) if cooloff else None
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "LOGIN_LOCKED",
                             "message": _("Zu viele fehlgeschlagene Anmeldeversuche.")},
                            status=429)
    return render(request, "web/login_locked.html", {"cooloff_minutes": minutes}, status=429)
