"""The one place where domain errors become HTTP responses."""
from django.db import DataError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from archive.actors import Actor, channel_context
from archive.errors import InvalidInput, RegistraturError
from archive.permissions import principals_memo


def status_for(error: RegistraturError) -> int:
    """Each error class carries its own status (archive/errors.py, ingest/errors.py)."""
    return error.http_status


class ChannelMiddleware:
    """Every event written while a request runs records its channel: "api" under /api/,
    otherwise "web". Services that are handed an Actor record it from there; this covers the
    reads and bookkeeping that still pass a plain name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        # One request computes each user's principals once (archive/permissions.py).
        with channel_context(Actor(user=None, channel=channel, name="request")), \
                principals_memo():
            return self.get_response(request)


def as_domain_error(exception: BaseException) -> RegistraturError | None:
    """The error as the user should hear it. The database refusing a value (too long for its
    column, a number out of range) and a date arithmetic overflow are bad input, not a fault
    of the server."""
    if isinstance(exception, RegistraturError):
        return exception
    if isinstance(exception, DataError | OverflowError):
        return InvalidInput(_("Eine Eingabe ist zu lang oder liegt außerhalb des erlaubten "
                              "Bereichs."), code="INPUT_OUT_OF_RANGE")
    return None


class DomainErrorMiddleware:
    """Forbidden answers like unknown (404), so that nobody learns what exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception) -> HttpResponse | None:
        exception = as_domain_error(exception)
        if exception is None:
            return None
        status = status_for(exception)
        return render(request, "web/error.html",
                      {"code": exception.code, "message": exception.message,
                       "residual": getattr(exception, "residual", None)}, status=status)
