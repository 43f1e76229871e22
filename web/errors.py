"""The one place where domain errors become HTTP responses."""
from django.http import HttpResponse
from django.shortcuts import render

from archive.errors import RegistraturError


def status_for(error: RegistraturError) -> int:
    """Each error class carries its own status (archive/errors.py, ingest/errors.py)."""
    return error.http_status


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
