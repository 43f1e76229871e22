"""Refusals of identity's services, in the archive's error form (stable code, German text)."""
from archive.errors import RegistraturError


class TokenRefused(RegistraturError):
    """An API token that is unknown, expired or revoked: the request is not authenticated."""

    code = "TOKEN_INVALID"
    http_status = 401
    exit_code = 4
    default_message = "Das API-Token ist ungültig."
