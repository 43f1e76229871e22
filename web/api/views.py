from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from archive.guards import require_role
from archive.models import Role
from archive.services.access import document_read
from retention.services.disposal import disposal_execute as disposal_execute_service
from search.services import documents_search

from .serializers import DocumentSerializer, SearchResultSerializer


@extend_schema(parameters=[OpenApiParameter("q", str, required=True),
                           OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
               responses=SearchResultSerializer)
@api_view(["GET"])
def search(request):
    """Full-text search with the caller's permissions."""
    limit = min(int(request.query_params.get("limit", 20)), 100)
    offset = max(int(request.query_params.get("offset", 0)), 0)
    page = documents_search(user=request.user, query=request.query_params.get("q", ""),
                            limit=limit, offset=offset)
    return Response(SearchResultSerializer(page).data)


@extend_schema(parameters=[OpenApiParameter("purpose", str)], responses=DocumentSerializer)
@api_view(["GET"])
def document_detail(request, document_id: int):
    """A document's metadata and text; one access event per call."""
    document = document_read(user=request.user, document_id=document_id, action="viewed",
                             purpose=request.query_params.get("purpose", ""))
    return Response(DocumentSerializer(document).data)


@extend_schema(request=None, responses={200: dict})
@api_view(["POST"])
def disposal_execute(request, disposal_id: int):
    """Execute an approved disposal list (data-protection officer). Holds still veto."""
    require_role(request.user, Role.DATA_PROTECTION)
    disposal = disposal_execute_service(disposal_id=disposal_id, actor=request.user.username)
    return Response({"list": disposal.pk, "state": disposal.state,
                     "protocol_sha256": disposal.protocol_sha256})
