"""The one place where domain errors become HTTP responses."""
from django.http import HttpResponse
from django.shortcuts import render

from archive.actors import Actor, channel_context
from archive.errors import RegistraturError


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
        with channel_context(Actor(user=None, channel=channel, name="request")):
            return self.get_response(request)


class DomainErrorMiddleware:
    """Forbidden answers like unknown (404), so that nobody learns what exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception) -> HttpResponse | None:
        if not isinstance(exception, RegistraturError):
            return None
        status = status_for(exception)
        return render(request, "web/error.html",
                      {"code": exception.code, "message": exception.message,
                       "residual": getattr(exception, "residual", None)}, status=status)
