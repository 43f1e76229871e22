"""The one place where domain errors become HTTP responses."""
from django.http import HttpResponse
from django.shortcuts import render

from archive.errors import (
    Conflict,
    Gone,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RegistraturError,
)

STATUS = {NotFound: 404, PermissionDenied: 403, InvalidInput: 400, Conflict: 409, Gone: 410}


def status_for(error: RegistraturError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


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
