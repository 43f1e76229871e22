"""Domain errors in the API: the same status mapping as the pages, as JSON."""
from rest_framework.response import Response
from rest_framework.views import exception_handler

from archive.errors import RegistraturError

from ..errors import as_domain_error, status_for


def api_exception_handler(exc, context):
    exc = as_domain_error(exc) or exc
    if isinstance(exc, RegistraturError):
        body = {"code": exc.code, "message": exc.message}
        if getattr(exc, "residual", None):
            body["residual"] = exc.residual
        return Response(body, status=status_for(exc))
    return exception_handler(exc, context)
