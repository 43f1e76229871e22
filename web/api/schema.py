"""The OpenAPI document's error responses: every operation answers its refusals as RFC 9457
problem details (application/problem+json) with the stable code (web/api/errors.py), so a
client, and the schemathesis run in the test suite, can rely on the schema for errors too.
The unversioned endpoints of before v1 are marked deprecated; service tokens are documented
as HTTP bearer authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

# Paths that are neither v1 nor the API's own pages: the endpoints of before v1.
CURRENT = ("/api/v1/", "/api/schema/", "/api/docs/")


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "web.api.tokens.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer rgt_...`: a service account's token, "
            "scoped to units and actions (Verwaltung → API-Tokens).",
        }


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is the stable error code, `title` its "
    "German label, `detail` the German message.",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "urn:registratur:problem:CODE"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string", "description": "stable error code, e.g. NOT_FOUND"},
        "message": {
            "type": "string",
            "deprecated": True,
            "description": "the detail again, for clients of the unversioned API",
        },
        "errors": {
            "type": "object",
            "description": "400 INVALID_INPUT: messages per field",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "residual": {"type": "object", "description": "410: the residual record"},
    },
    "required": ["type", "title", "status", "detail", "code"],
}
ERRORS = {
    "400": "invalid input (INVALID_INPUT with `errors`, or the service's own code)",
    "401": "not signed in, or the token is invalid, expired or revoked",
    "403": "not permitted (a token outside its actions: TOKEN_SCOPE)",
    "404": "unknown, or not visible to the caller: the two look alike",
    "405": "method not allowed",
    "406": "response format not available",
    "409": "the state does not allow it (a closed case file: CASE_FILE_CLOSED)",
    "410": "destroyed; the residual record is shown to who could see it",
    "413": "upload too large (TOO_LARGE)",
    "415": "unsupported request format",
    "422": "refused input",
    "428": "a read of a shared case file needs a purpose (PURPOSE_REQUIRED)",
    "503": "a fault of the system (retry later)",
}


def problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if path != "/api/" and not path.startswith(CURRENT):
                operation["deprecated"] = True
            for status, description in ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
