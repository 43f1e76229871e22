"""The API's own pages: the index at /api/ (what there is, and where), the index of v1, the
browsable documentation at /api/docs/ (Swagger UI from drf-spectacular-sidecar's packaged
static files, served by whitenoise like every static file: no CDN), and the problem document
for an unknown path under /api/."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .errors import PROBLEM_TYPE, problem_body

V1_RESOURCES = {
    "file_plan": "/api/v1/file-plan/",
    "units": "/api/v1/units/",
    "document_types": "/api/v1/document-types/",
    "correspondents": "/api/v1/correspondents/",
    "case_files": "/api/v1/case-files/",
    "documents": "/api/v1/documents/",
    "search": "/api/v1/search/",
    "holds": "/api/v1/holds/",
    "jobs": "/api/v1/jobs/{id}/",
}


@extend_schema(
    tags=["index"],
    responses=inline_serializer(
        "ApiIndex",
        fields={
            "versions": serializers.DictField(child=serializers.CharField()),
            "schema": serializers.CharField(),
            "docs": serializers.CharField(),
            "deprecated": serializers.ListField(child=serializers.CharField()),
        },
    ),
)
@api_view(["GET"])
def api_index(request):
    """What the API offers: its versions, the OpenAPI schema and the documentation."""
    return Response(
        {
            "versions": {"v1": "/api/v1/"},
            "schema": "/api/schema/",
            "docs": "/api/docs/",
            "deprecated": [
                "/api/search/",
                "/api/search/suggestions/",
                "/api/documents/{id}/",
                "/api/ingest/",
                "/api/jobs/{id}/",
                "/api/disposals/{id}/execute/",
            ],
        }
    )


@extend_schema(
    tags=["index"],
    responses=inline_serializer(
        "ApiV1Index", fields={name: serializers.CharField() for name in V1_RESOURCES}
    ),
)
@api_view(["GET"])
def api_v1_index(request):
    """The resources of v1."""
    return Response(V1_RESOURCES)


api_docs = SpectacularSwaggerView.as_view(url_name="api:schema", title="Registratur API")


@csrf_exempt  # serves nothing, whatever the method: a 404 problem, not a CSRF page
def api_not_found(request, *args, **kwargs):
    body = problem_body(code="NOT_FOUND", status=404, detail="Nicht gefunden.")
    return JsonResponse(body, status=404, content_type=PROBLEM_TYPE)
