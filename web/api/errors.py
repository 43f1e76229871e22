"""Errors in the API as RFC 9457 problem details (`application/problem+json`), with the same
status mapping as the pages. Every body carries the stable `code` (as on the command line and
in the quarantine), the German `title` of that code (archive/labels.py) and the German
`detail`; `type` is a URN naming the code, so it never changes with the host. The failures DRF
itself raises (unreadable JSON, a missing login, an unknown method) get codes of their own."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from archive.labels import error_label

from ..errors import as_domain_error, status_for

PROBLEM_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:registratur:problem:"

# DRF's own exceptions -> (stable code, German detail).
FRAMEWORK_CODES = (
    (exceptions.ValidationError, "INVALID_INPUT", "Ungültige Angaben."),
    (exceptions.ParseError, "MALFORMED_REQUEST", "Die Anfrage ist nicht lesbar."),
    (exceptions.NotAuthenticated, "NOT_AUTHENTICATED", "Anmeldung erforderlich."),
    (exceptions.AuthenticationFailed, "NOT_AUTHENTICATED", "Anmeldung erforderlich."),
    (exceptions.PermissionDenied, "PERMISSION_DENIED", "Keine Berechtigung."),
    (exceptions.NotFound, "NOT_FOUND", "Nicht gefunden."),
    (exceptions.MethodNotAllowed, "METHOD_NOT_ALLOWED", "Diese Methode gibt es hier nicht."),
    (exceptions.NotAcceptable, "NOT_ACCEPTABLE", "Dieses Antwortformat gibt es hier nicht."),
    (
        exceptions.UnsupportedMediaType,
        "UNSUPPORTED_MEDIA_TYPE",
        "Dieses Format der Anfrage wird nicht angenommen.",
    ),
    (exceptions.Throttled, "THROTTLED", "Zu viele Anfragen."),
)


def problem_body(*, code: str, status: int, detail: str, instance: str = "") -> dict:
    body = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": error_label(code),
        "status": status,
        "detail": detail,
        "code": code,
        # kept for clients of the unversioned endpoints, which read `message`
        "message": detail,
    }
    if instance:
        body["instance"] = instance
    return body


def problem_response(
    *, code: str, status: int, detail: str, request=None, headers=None, **extra
) -> Response:
    # No `instance`: a foreign id must answer byte for byte like an unknown one, and the
    # path names the id.
    body = problem_body(code=code, status=status, detail=detail) | extra
    return Response(body, status=status, headers=headers, content_type=PROBLEM_TYPE)


def _field_errors(detail) -> dict:
    """ValidationError details as {field: [messages]} (a list at the top is `non_field`)."""
    if isinstance(detail, dict):
        return {
            str(key): [str(message) for message in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field": [str(message) for message in detail]}
    return {"non_field": [str(detail)]}


def api_exception_handler(exc, context):
    request = context.get("request")
    domain = as_domain_error(exc)
    if domain is not None:
        extra = {"residual": domain.residual} if getattr(domain, "residual", None) else {}
        return problem_response(
            code=domain.code,
            status=status_for(domain),
            detail=str(domain.message),
            request=request,
            **extra,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)  # DRF's: status and headers (WWW-Authenticate)
    if response is None:
        return None
    code, detail = next(
        ((code, detail) for kind, code, detail in FRAMEWORK_CODES if isinstance(exc, kind)),
        ("ERROR", "Fehler."),
    )
    extra = (
        {"errors": _field_errors(exc.detail)} if isinstance(exc, exceptions.ValidationError) else {}
    )
    headers = {
        key: value
        for key, value in response.items()
        if key in ("WWW-Authenticate", "Allow", "Retry-After")
    }
    return problem_response(
        code=code,
        status=response.status_code,
        detail=detail,
        request=request,
        headers=headers,
        **extra,
    )
