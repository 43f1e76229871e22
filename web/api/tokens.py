"""Service tokens on the API: `Authorization: Bearer rgt_...`. The authentication puts the
token's unit scope on the user (archive.permissions narrows the principals to it) and names
the client in every event; the permission lets a token reach only the views of its actions.
A view without an action in VIEW_ACTIONS is closed to tokens (denied by default)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from archive.actors import Actor, channel_set
from archive.errors import PermissionDenied
from identity.models import ApiToken
from identity.tokens import token_authenticate, token_unit_ids

# (URL name, method) -> the action a token needs; "*" for any method.
VIEW_ACTIONS = {
    ("search", "*"): "search",
    ("search_suggestions", "*"): "search",
    ("document", "GET"): "read",
    ("document", "PATCH"): "correct",
    ("ingest", "*"): "ingest",
    ("job", "*"): "ingest",
    ("disposal_execute", "*"): "dispose",
    ("schema", "*"): "any",
    ("docs", "*"): "any",
    ("index", "*"): "any",
    # API v1
    ("v1-index", "*"): "any",
    ("v1-file-plan", "*"): "read",
    ("v1-units", "*"): "read",
    ("v1-document-types", "*"): "read",
    ("v1-correspondents", "*"): "read",
    ("v1-case-files", "GET"): "read",
    ("v1-case-files", "POST"): "manage",
    ("v1-case-file", "*"): "read",
    ("v1-case-file-close", "*"): "manage",
    ("v1-case-file-reopen", "*"): "manage",
    ("v1-case-file-processes", "GET"): "read",
    ("v1-case-file-processes", "POST"): "manage",
    ("v1-case-file-documents", "*"): "read",
    ("v1-case-file-follow-ups", "GET"): "read",
    ("v1-case-file-follow-ups", "POST"): "manage",
    ("v1-document-follow-ups", "*"): "manage",
    ("v1-follow-up-move", "*"): "manage",
    ("v1-follow-up-close", "*"): "manage",
    ("v1-case-file-file-notes", "*"): "manage",
    ("v1-file-note-correct", "*"): "correct",
    ("v1-process-close", "*"): "manage",
    ("v1-process-reopen", "*"): "manage",
    ("v1-search", "*"): "search",
    ("v1-documents", "*"): "ingest",
    ("v1-document", "*"): "read",
    ("v1-document-versions", "*"): "ingest",
    ("v1-version", "*"): "read",
    ("v1-version-original", "*"): "read",
    ("v1-version-pdf", "*"): "read",
    ("v1-holds", "*"): "read",
    ("v1-job", "*"): "ingest",
}


class ServiceTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            return token_authenticate("")  # refused: TOKEN_INVALID
        token = token_authenticate(parts[1].decode("latin-1"))
        user = token.user
        user.unit_scope = token_unit_ids(token)
        channel_set(Actor(user=user, channel="api", client=token.client_name))
        return user, token

    def authenticate_header(self, request):
        return "Bearer"


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    """How the API schema describes the token (drf-spectacular; without it every endpoint
    warns in `registratur check`)."""

    target_class = ServiceTokenAuthentication
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Token eines Dienstkontos: `Authorization: Bearer rgt_...`."}


class TokenScopePermission(BasePermission):
    """Sessions pass (the user's own permissions apply); a token only within its actions."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        match = request.resolver_match
        name = match.url_name if match else ""
        action = VIEW_ACTIONS.get((name, request.method)) or VIEW_ACTIONS.get((name, "*"))
        if action == "any" or (action and action in token.actions):
            return True
        raise PermissionDenied("Dieses API-Token ist für diese Aktion nicht freigegeben.",
                               code="TOKEN_SCOPE")
