"""API v1 for the specialist procedures (Fachverfahren). Thin: each view validates its input,
picks a trimmed queryset or reads through the archive's access function, calls the service
that authorizes the actor, and serializes. Every read is logged by the function it goes
through (channel "api", the token's client name), exactly as on the pages; an object the
caller may not see answers the 404 of an unknown id."""

from django.contrib.auth import get_user_model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from archive.actors import actor_for_request
from archive.blobstore import blob_open
from archive.errors import InvalidInput, NotFound
from archive.models import CaseFile, Correspondent, DocumentType, FilePlanUnit, Unit
from archive.selectors import (
    case_file_documents,
    case_file_processes,
    case_file_visible_or_404,
    case_files_visible_to,
)
from archive.services.access import (
    case_file_read,
    case_files_listed,
    document_read,
    version_read,
)
from archive.services.casefiles import case_file_close, case_file_create, case_file_reopen
from archive.services.correspondents import correspondents_list
from archive.services.processes import process_close, process_create, process_reopen
from followups.selectors import follow_ups_of_case_file
from followups.services import follow_up_close, follow_up_create, follow_up_move
from ingest.confirmed import api_delivery
from ingest.reporting import job_status
from ingest.selectors import job_visible_or_404
from ingest.uploads import upload_receive, upload_refusal, version_upload_receive
from retention.models import LegalHold
from retention.services.holds import holds_list
from search.services import MAX_OFFSET, documents_search, search_refused
from signoff.notes import file_note_correct, file_note_write

from ...search_params import API_NAMES, search_params
from ..errors import problem_response
from ..views import SEARCH_PARAMETERS
from . import serializers as s
from .pagination import Cursor, CursorAscending

READ = [s.ReadSerializer]


def _given(serializer_class, data) -> dict:
    """The request's parameters, validated (400 INVALID_INPUT naming the fields)."""
    given = serializer_class(data=data)
    given.is_valid(raise_exception=True)
    return given.validated_data


def _actor(request):
    return actor_for_request(request, "api")


def _jobs(jobs) -> dict:
    return {
        "jobs": [
            {"id": str(job.pk), "file": job.original_name, "url": f"/api/v1/jobs/{job.pk}/"}
            for job in jobs
        ]
    }


# --- reference data: file plan, units, document types, correspondents --------------------


@extend_schema(tags=["file plan"], parameters=[s.PlanUnitFilterSerializer])
class FilePlanList(ListAPIView):
    """The file plan (Aktenplan): its units with their codes and retention schedules."""

    serializer_class = s.PlanUnitSerializer
    pagination_class = CursorAscending

    def get_queryset(self):
        given = _given(s.PlanUnitFilterSerializer, self.request.query_params)
        queryset = FilePlanUnit.objects.all()
        if given.get("active") is not None:
            queryset = queryset.filter(active=given["active"])
        if "parent" in given:
            queryset = queryset.filter(parent_id=given["parent"])
        return queryset


@extend_schema(tags=["file plan"])
class UnitList(ListAPIView):
    """The organisational units (Sachgebiete) that own case files."""

    serializer_class = s.UnitSerializer
    pagination_class = CursorAscending
    queryset = Unit.objects.all()


@extend_schema(tags=["file plan"])
class DocumentTypeList(ListAPIView):
    """The document types and their keys (used by uploads and corrections)."""

    serializer_class = s.DocumentTypeSerializer
    pagination_class = CursorAscending
    queryset = DocumentType.objects.all()


@extend_schema(tags=["file plan"])
class CorrespondentList(ListAPIView):
    """The correspondents (senders), one per organisation; each page is a logged read."""

    serializer_class = s.CorrespondentSerializer
    pagination_class = CursorAscending
    queryset = Correspondent.objects.all()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        shown = correspondents_list(user=request.user, page=page, list_name="api")
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)


# --- case files -----------------------------------------------------------------------------


@extend_schema(tags=["case files"])
class CaseFileList(ListAPIView):
    """Case files the caller may read; find one by file reference, client number or person.
    Each page is one logged read naming the files shown."""

    serializer_class = s.CaseFileSerializer
    pagination_class = Cursor

    @extend_schema(parameters=[s.CaseFileFilterSerializer])
    def get(self, request, *args, **kwargs):
        given = _given(s.CaseFileFilterSerializer, request.query_params)
        queryset = case_files_visible_to(request.user)
        for key, lookup in (
            ("file_reference", "file_reference"),
            ("client_number", "client_number__iexact"),
            ("person", "subject_name__icontains"),
            ("birth_date", "subject_birth_date"),
            ("unit", "unit__code"),
            ("plan_unit", "plan_unit__code"),
        ):
            if given.get(key) not in (None, ""):
                queryset = queryset.filter(**{lookup: given[key]})
        if given.get("state"):
            queryset = queryset.filter(closed_at__isnull=given["state"] == "open")
        page = self.paginate_queryset(queryset)
        shown = case_files_listed(
            user=request.user,
            page=page,
            list_name="api",
            purpose=given.get("purpose") or "Aktensuche (API)",
        )
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)

    @extend_schema(request=s.CaseFileCreateSerializer, responses={201: s.CaseFileSerializer})
    def post(self, request, *args, **kwargs):
        """Create a case file in a unit the caller works in (and the token is scoped to)."""
        given = _given(s.CaseFileCreateSerializer, request.data)
        plan_unit = FilePlanUnit.objects.filter(code=given["plan_unit"]).first()
        if plan_unit is None:
            raise InvalidInput("Unbekannte Aktenplaneinheit.", code="PLAN_UNIT_UNKNOWN")
        unit = Unit.objects.filter(code=given["unit"]).first()
        if unit is None:
            raise NotFound()  # as a unit one may not create in
        case_file = case_file_create(
            actor=_actor(request),
            plan_unit=plan_unit,
            unit=unit,
            title=given["title"],
            subject_name=given["subject_name"],
            subject_birth_date=given["subject_birth_date"],
            client_number=given["client_number"],
            subject_street=given["subject_street"],
            subject_postcode=given["subject_postcode"],
            subject_city=given["subject_city"],
            confidentiality=given["confidentiality"],
        )
        return Response(s.CaseFileSerializer(case_file).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["case files"])
class CaseFileDetail(GenericAPIView):
    serializer_class = s.CaseFileSerializer

    @extend_schema(parameters=READ, responses=s.CaseFileSerializer)
    def get(self, request, case_file_id: int):
        """A case file's metadata: one logged read."""
        given = _given(s.ReadSerializer, request.query_params)
        case_file = case_file_read(
            user=request.user, case_file_id=case_file_id, purpose=given["purpose"]
        )
        return Response(s.CaseFileSerializer(case_file).data)


def _changeable(request, case_file_id) -> CaseFile:
    return case_file_visible_or_404(request.user, case_file_id)


@extend_schema(tags=["case files"])
class CaseFileClose(GenericAPIView):
    serializer_class = s.CaseFileSerializer

    @extend_schema(request=s.CloseSerializer, responses=s.CaseFileSerializer)
    def post(self, request, case_file_id: int):
        """zdA: the file becomes read-only and its retention starts."""
        given = _given(s.CloseSerializer, request.data)
        case_file = case_file_close(
            actor=_actor(request), case_file=_changeable(request, case_file_id), note=given["note"]
        )
        return Response(s.CaseFileSerializer(case_file).data)


@extend_schema(tags=["case files"])
class CaseFileReopen(GenericAPIView):
    serializer_class = s.CaseFileSerializer

    @extend_schema(request=s.ReopenSerializer, responses=s.CaseFileSerializer)
    def post(self, request, case_file_id: int):
        """Wiederaufnahme, with a reason (the permission to reopen is needed)."""
        given = _given(s.ReopenSerializer, request.data)
        case_file = case_file_reopen(
            actor=_actor(request),
            case_file=_changeable(request, case_file_id),
            reason=given["reason"],
        )
        return Response(s.CaseFileSerializer(case_file).data)


@extend_schema(tags=["case files"])
class CaseFileProcesses(ListAPIView):
    """The processes (Vorgänge) of a case file; reading them is a read of the file."""

    serializer_class = s.ProcessSerializer
    pagination_class = CursorAscending

    @extend_schema(parameters=READ)
    def get(self, request, case_file_id: int):
        given = _given(s.ReadSerializer, request.query_params)
        case_file = case_file_read(
            user=request.user, case_file_id=case_file_id, purpose=given["purpose"]
        )
        page = self.paginate_queryset(case_file_processes(case_file))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.ProcessCreateSerializer, responses={201: s.ProcessSerializer})
    def post(self, request, case_file_id: int):
        given = _given(s.ProcessCreateSerializer, request.data)
        process = process_create(
            actor=_actor(request),
            case_file=_changeable(request, case_file_id),
            title=given["title"],
        )
        process.document_count = 0
        return Response(s.ProcessSerializer(process).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["case files"])
class CaseFileDocuments(ListAPIView):
    """The documents of a case file (filter `medium=file_note` for its file notes);
    reading the list is one logged read of the file."""

    serializer_class = s.DocumentItemSerializer
    pagination_class = Cursor

    @extend_schema(parameters=[s.DocumentFilterSerializer])
    def get(self, request, case_file_id: int):
        given = _given(s.DocumentFilterSerializer, request.query_params)
        case_file = case_file_read(
            user=request.user, case_file_id=case_file_id, purpose=given["purpose"]
        )
        queryset = case_file_documents(case_file).select_related("case_file")
        for key, lookup in (
            ("process", "process_id"),
            ("document_type", "document_type"),
            ("direction", "direction"),
            ("medium", "medium"),
        ):
            if key in given:
                queryset = queryset.filter(**{lookup: given[key]})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["case files"])
class CaseFileFollowUps(ListAPIView):
    """The open follow-ups (Wiedervorlagen) on a case file and its documents."""

    serializer_class = s.FollowUpSerializer
    pagination_class = CursorAscending

    @extend_schema(parameters=READ)
    def get(self, request, case_file_id: int):
        given = _given(s.ReadSerializer, request.query_params)
        case_file = case_file_read(
            user=request.user, case_file_id=case_file_id, purpose=given["purpose"]
        )
        page = self.paginate_queryset(follow_ups_of_case_file(request.user, case_file))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.FollowUpCreateSerializer, responses={201: s.FollowUpSerializer})
    def post(self, request, case_file_id: int):
        """A follow-up on the case file, for a person or a unit that may read it (by default
        for the caller); by whoever may change the file."""
        return _follow_up_created(request, case_file_id=case_file_id)


def _follow_up_created(request, **target) -> Response:
    given = _given(s.FollowUpCreateSerializer, request.data)
    whom = {}
    if given["unit"]:
        whom["unit"] = Unit.objects.filter(code=given["unit"]).first()
        if given["assignee"]:
            whom["assignee"] = get_user_model().objects.filter(username=given["assignee"]).first()
    elif given["assignee"]:
        whom["assignee"] = get_user_model().objects.filter(username=given["assignee"]).first()
    else:
        whom["assignee"] = request.user
    follow_up = follow_up_create(
        actor=_actor(request), due=given["due"], reason=given["reason"], **target, **whom
    )
    return Response(s.FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["follow-ups"])
class DocumentFollowUps(GenericAPIView):
    serializer_class = s.FollowUpSerializer

    @extend_schema(request=s.FollowUpCreateSerializer, responses={201: s.FollowUpSerializer})
    def post(self, request, document_id: int):
        """A follow-up on a document of a case file (not on inbox post)."""
        return _follow_up_created(request, document_id=document_id)


@extend_schema(tags=["follow-ups"])
class FollowUpMove(GenericAPIView):
    serializer_class = s.FollowUpSerializer

    @extend_schema(request=s.FollowUpMoveSerializer, responses=s.FollowUpSerializer)
    def post(self, request, follow_up_id: int):
        """Move an open follow-up to another day; the trail names the old and the new date."""
        given = _given(s.FollowUpMoveSerializer, request.data)
        follow_up = follow_up_move(
            actor=_actor(request), follow_up_id=follow_up_id, due=given["due"],
            reason=given["reason"],
        )
        return Response(s.FollowUpSerializer(follow_up).data)


@extend_schema(tags=["follow-ups"])
class FollowUpClose(GenericAPIView):
    serializer_class = s.FollowUpSerializer

    @extend_schema(request=None, responses=s.FollowUpSerializer)
    def post(self, request, follow_up_id: int):
        """Done (allowed on a closed case file too)."""
        follow_up = follow_up_close(actor=_actor(request), follow_up_id=follow_up_id)
        return Response(s.FollowUpSerializer(follow_up).data)


# --- file notes ---------------------------------------------------------------------------


@extend_schema(tags=["file notes"])
class CaseFileFileNotes(GenericAPIView):
    serializer_class = s.DocumentDetailSerializer

    @extend_schema(request=s.FileNoteSerializer, responses={201: s.DocumentDetailSerializer})
    def post(self, request, case_file_id: int):
        """Write a file note (Aktenvermerk): filed as a document whose first version is a
        PDF/A composed from the note. List them with `documents/?medium=file_note`."""
        given = _given(s.FileNoteSerializer, request.data)
        document = file_note_write(
            actor=_actor(request),
            case_file_id=case_file_id,
            kind=given["kind"],
            noted_on=given["noted_on"],
            text=given["text"],
        )
        return Response(s.DocumentDetailSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["file notes"])
class FileNoteCorrect(GenericAPIView):
    serializer_class = s.VersionSerializer

    @extend_schema(request=s.FileNoteCorrectionSerializer, responses={201: s.VersionSerializer})
    def post(self, request, document_id: int):
        """Correct a file note: the corrected note becomes its next version (with the reason);
        every earlier version stays."""
        given = _given(s.FileNoteCorrectionSerializer, request.data)
        version = file_note_correct(
            actor=_actor(request),
            document_id=document_id,
            kind=given["kind"],
            noted_on=given["noted_on"],
            text=given["text"],
            reason=given["reason"],
        )
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["case files"])
class ProcessClose(GenericAPIView):
    serializer_class = s.ProcessSerializer

    @extend_schema(request=None, responses=s.ProcessSerializer)
    def post(self, request, case_file_id: int, process_id: int):
        """zdA for one process of a case file the caller works on."""
        case_file = _changeable(request, case_file_id)
        process = case_file.processes.filter(pk=process_id).first()
        if process is None:
            raise NotFound()
        process = process_close(actor=_actor(request), process=process)
        process.document_count = process.documents.count()
        return Response(s.ProcessSerializer(process).data)


@extend_schema(tags=["case files"])
class ProcessReopen(GenericAPIView):
    serializer_class = s.ProcessSerializer

    @extend_schema(request=s.ReopenSerializer, responses=s.ProcessSerializer)
    def post(self, request, case_file_id: int, process_id: int):
        """Undo a process's zdA, with a reason, while its case file is open."""
        given = _given(s.ReopenSerializer, request.data)
        case_file = _changeable(request, case_file_id)
        process = case_file.processes.filter(pk=process_id).first()
        if process is None:
            raise NotFound()
        process = process_reopen(actor=_actor(request), process=process, reason=given["reason"])
        process.document_count = process.documents.count()
        return Response(s.ProcessSerializer(process).data)


# --- documents and versions -------------------------------------------------------------


@extend_schema(tags=["documents"])
class DocumentUpload(GenericAPIView):
    parser_classes = [MultiPartParser]
    serializer_class = s.DocumentUploadSerializer

    @extend_schema(
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={202: s.JobsSerializer},
    )
    def post(self, request):
        """Hand in a file. With `file_reference` and `document_type` it is filed into that
        case file (and `process`), as confirmed; `direction=outgoing` marks it as outgoing
        post (a decision the procedure sent). Without them it is ordinary incoming post.
        Processing runs in the background: poll the job."""
        refusal = upload_refusal(request)
        if refusal is not None:
            return problem_response(
                code=refusal.code, status=413, detail=refusal.message, request=request
            )
        given = _given(s.DocumentUploadSerializer, request.data)
        provenance = api_delivery(
            user=request.user,
            client=_actor(request).client,
            file_reference=given["file_reference"],
            document_type=given["document_type"],
            process_id=given["process"],
            direction=given["direction"],
        )
        jobs = upload_receive(
            user=request.user, files=[given["file"]], source="api", provenance=provenance
        )
        return Response(_jobs(jobs), status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["documents"])
class DocumentDetail(GenericAPIView):
    serializer_class = s.DocumentDetailSerializer

    @extend_schema(parameters=READ, responses=s.DocumentDetailSerializer)
    def get(self, request, document_id: int):
        """A document's metadata and its versions (without text): one logged read."""
        given = _given(s.ReadSerializer, request.query_params)
        document = document_read(
            user=request.user, document_id=document_id, purpose=given["purpose"]
        )
        return Response(s.DocumentDetailSerializer(document).data)


@extend_schema(tags=["documents"])
class DocumentVersions(GenericAPIView):
    parser_classes = [MultiPartParser]
    serializer_class = s.VersionUploadSerializer

    @extend_schema(
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={202: s.JobsSerializer},
    )
    def post(self, request, document_id: int):
        """Hand in a new version of a document in a case file the caller works on."""
        refusal = upload_refusal(request)
        if refusal is not None:
            return problem_response(
                code=refusal.code, status=413, detail=refusal.message, request=request
            )
        given = _given(s.VersionUploadSerializer, request.data)
        job = version_upload_receive(
            user=request.user, document_id=document_id, upload=given["file"]
        )
        return Response(_jobs([job]), status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["documents"])
class VersionDetail(GenericAPIView):
    serializer_class = s.VersionTextSerializer

    @extend_schema(parameters=READ, responses=s.VersionTextSerializer)
    def get(self, request, document_id: int, number: int):
        """One version with its text: one logged read of that version."""
        given = _given(s.ReadSerializer, request.query_params)
        version = version_read(
            user=request.user, document_id=document_id, number=number, purpose=given["purpose"]
        )
        return Response(s.VersionTextSerializer(version).data)


class _Download(GenericAPIView):
    kind = "original"
    serializer_class = s.ReadSerializer

    def get(self, request, document_id: int, number: int):
        given = _given(s.ReadSerializer, request.query_params)
        version = version_read(
            user=request.user,
            document_id=document_id,
            number=number,
            purpose=given["purpose"],
            action="downloaded",
        )
        if self.kind == "pdf":
            if not version.rendition_sha256:
                raise NotFound()
            return FileResponse(
                blob_open(version.rendition_sha256),
                content_type="application/pdf",
                as_attachment=True,
                filename=f"dokument-{document_id}-v{version.number}.pdf",
            )
        return FileResponse(
            blob_open(version.original_sha256),
            as_attachment=True,
            content_type=version.original_mime or "application/octet-stream",
            filename=version.original_name,
        )


@extend_schema(
    tags=["documents"],
    parameters=READ,
    responses={
        (200, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY, description="the original, in its own media type"
        )
    },
)
class VersionOriginal(_Download):
    """The original as it arrived, byte-identical: one logged download."""

    kind = "original"


@extend_schema(
    tags=["documents"],
    parameters=READ,
    responses={
        (200, "application/pdf"): OpenApiResponse(
            OpenApiTypes.BINARY, description="the PDF/A rendition"
        )
    },
)
class VersionPdf(_Download):
    """The PDF/A rendition: one logged download."""

    kind = "pdf"


# --- search -------------------------------------------------------------------------------

SEARCH_FILTERS = [p for p in SEARCH_PARAMETERS if p.name not in ("q", "limit", "offset", "facets")]


def _page_link(request, offset: int) -> str:
    query = request.query_params.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@extend_schema(tags=["search"], parameters=[s.SearchParamsSerializer, *SEARCH_FILTERS])
class Search(GenericAPIView):
    """Full-text search with the caller's permissions inside the query (hits, counts: only
    what the caller may read), trimmed and logged like the search page: one event per search
    naming the documents of the page; a refused query is logged too. Paged by `offset`."""

    serializer_class = s.SearchPageSerializer

    def get(self, request):
        given = request.query_params
        try:
            paging = _given(s.SearchParamsSerializer, given)
            params = search_params(given, API_NAMES)
        except InvalidInput as refused:
            search_refused(user=request.user, query=given.get("q", ""), refused=refused)
            raise
        except ValidationError:
            refused = InvalidInput("Ungültige Angaben.", code="INVALID_INPUT")
            search_refused(user=request.user, query=given.get("q", ""), refused=refused)
            raise
        limit, offset = paging["limit"], paging["offset"]
        page = documents_search(
            user=request.user,
            query=params.query,
            filters=params.filters,
            sort=params.sort,
            limit=limit,
            offset=offset,
            more_like=params.more_like,
            facets=paging["facets"],
        )
        seen = offset + limit
        data = s.SearchPageSerializer(
            {
                "count": page.count,
                "count_exact": page.count_exact,
                "count_text": page.count_text,
                "hits": page.hits,
                "next": _page_link(request, seen)
                if seen < page.count and seen <= MAX_OFFSET
                else None,
                "previous": _page_link(request, max(0, offset - limit)) if offset else None,
                **({"facets": page.facets} if paging["facets"] else {}),
            }
        ).data
        return Response(data)


# --- holds and jobs -----------------------------------------------------------------------


@extend_schema(tags=["retention"])
class HoldList(ListAPIView):
    """Legal holds, for who may manage holds (the data-protection officer); logged."""

    serializer_class = s.HoldSerializer
    pagination_class = Cursor

    @extend_schema(parameters=[s.HoldFilterSerializer])
    def get(self, request, *args, **kwargs):
        given = _given(s.HoldFilterSerializer, request.query_params)
        queryset = LegalHold.objects.select_related("case_file")
        if given.get("state"):
            queryset = queryset.filter(lifted_at__isnull=given["state"] == "active")
        if "case_file" in given:
            queryset = queryset.filter(case_file_id=given["case_file"])
        page = self.paginate_queryset(queryset)
        shown = holds_list(user=request.user, page=page)
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)


@extend_schema(tags=["jobs"], responses=OpenApiTypes.OBJECT)
class JobDetail(GenericAPIView):
    """State, per-step progress and outcome of an ingest job (the document it became)."""

    def get(self, request, job_id):
        return Response(job_status(job_visible_or_404(request.user, job_id), user=request.user))
