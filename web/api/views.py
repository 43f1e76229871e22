from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from archive.guards import require_role
from archive.models import Role
from archive.selectors import document_visible_or_404
from archive.services.access import document_read
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import document_correct, target_refused
from retention.services.disposal import disposal_execute as disposal_execute_service
from search.backend import SORTS, STATES
from search.services import documents_search, search_refused, search_suggestions

from ..search_params import API_NAMES, page_number, search_params
from .serializers import (
    DocumentCorrectedSerializer,
    DocumentCorrectionSerializer,
    DocumentSerializer,
    SearchResultSerializer,
    SuggestionsSerializer,
)

SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="query: words, \"phrases\", OR, -word, pre*, "
                     "titel:word"),
    OpenApiParameter("document_type", str, many=True),
    OpenApiParameter("sender", str, many=True),
    OpenApiParameter("unit", int, many=True),
    OpenApiParameter("case_file", int, many=True, description="search within case files"),
    OpenApiParameter("letter_date_from", OpenApiTypes.DATE),
    OpenApiParameter("letter_date_to", OpenApiTypes.DATE),
    OpenApiParameter("received_from", OpenApiTypes.DATE),
    OpenApiParameter("received_to", OpenApiTypes.DATE),
    OpenApiParameter("state", str, many=True, enum=list(STATES)),
    OpenApiParameter("year", int, many=True,
                     description="year of receipt, in the office's local time"),
    OpenApiParameter("sort", str, enum=list(SORTS)),
    OpenApiParameter("facets", bool),
    OpenApiParameter("more_like", int, description="documents like this document"),
    OpenApiParameter("limit", int), OpenApiParameter("offset", int),
]


@extend_schema(
    parameters=SEARCH_PARAMETERS,
    responses=SearchResultSerializer)
@api_view(["GET"])
def search(request):
    """Full-text search with the caller's permissions; every search is logged."""
    given = request.query_params
    try:
        params = search_params(given, API_NAMES)
        limit, offset = page_number(given, "limit", 20), page_number(given, "offset", 0)
    except InvalidInput as refused:
        search_refused(user=request.user, query=given.get("q", ""), refused=refused)
        raise
    facets = given.get("facets", "") in ("1", "true", "yes")
    page = documents_search(
        user=request.user, query=params.query, filters=params.filters, sort=params.sort,
        limit=min(limit, 100), offset=offset, facets=facets, more_like=params.more_like)
    data = SearchResultSerializer(page).data
    if not facets:
        data.pop("facets")  # only when asked for, as before
    return Response(data)


@extend_schema(parameters=[OpenApiParameter("prefix", str, required=True)],
               responses=SuggestionsSerializer)
@api_view(["GET"])
def search_suggest(request):
    """Completions of a word, taken only from documents the caller may see."""
    words = search_suggestions(user=request.user, prefix=request.query_params.get("prefix", ""))
    return Response(SuggestionsSerializer({"suggestions": words}).data)


@extend_schema(methods=["GET"], parameters=[OpenApiParameter("purpose", str)],
               responses=DocumentSerializer,
               description="A document's metadata (with its type's key and German name, and "
                           "what recognition suggested) and text; one access event per call. "
                           "A document of a case file shared with the caller's unit needs a "
                           "`purpose` of at least 10 characters, else 428 PURPOSE_REQUIRED; "
                           "it is recorded in the access event.")
@extend_schema(methods=["PATCH"], request=DocumentCorrectionSerializer,
               responses=DocumentCorrectedSerializer,
               description="Correct the type and/or the filing in one step, logged as one "
                           "event: the mailroom for unfiled post, a caseworker for documents "
                           "in case files they work on (moving them only into such files, or "
                           "back to the inbox with a reason). Unknown type keys are refused "
                           "with DOCUMENT_TYPE_UNKNOWN; unknown files and files the caller "
                           "may not file into alike with FILE_REFERENCE_NOT_AVAILABLE.")
@api_view(["GET", "PATCH"])
def document_detail(request, document_id: int):
    if request.method == "PATCH":
        return _document_correct(request, document_id)
    document = document_read(user=request.user, document_id=document_id, action="viewed",
                             purpose=request.query_params.get("purpose", ""))
    return Response(DocumentSerializer(document).data)


def _document_correct(request, document_id: int):
    """The same service as the document page; the answer carries no content, so that the
    correction stays the one event it writes."""
    given = DocumentCorrectionSerializer(data=request.data)
    if not given.is_valid():
        fields = ", ".join(sorted(given.errors))
        raise InvalidInput(f"Ungültige Angaben: {fields}.", code="INVALID_INPUT")
    data = given.validated_data
    document = document_visible_or_404(request.user, document_id)
    reference = data.get("file_reference", "").strip()
    target = case_file_by_reference(reference) if reference else None
    if reference and target is None:
        raise target_refused()
    corrected = document_correct(
        actor=actor_for_request(request, "api"), document_id=document.pk,
        document_type=data.get("document_type"), case_file=target,
        to_inbox=data["to_inbox"], reason=data["reason"])
    return Response(DocumentCorrectedSerializer(corrected).data)


@extend_schema(request=None, responses={200: dict})
@api_view(["POST"])
def disposal_execute(request, disposal_id: int):
    """Execute an approved disposal list (data-protection officer). Holds still veto."""
    require_role(request.user, Role.DATA_PROTECTION)
    disposal = disposal_execute_service(disposal_id=disposal_id,
                                        actor=actor_for_request(request, "api"))
    return Response({"list": disposal.pk, "state": disposal.state,
                     "protocol_sha256": disposal.protocol_sha256})
