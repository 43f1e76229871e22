"""Upload (multipart) and job polling. A job is visible to the mailroom and to whoever
submitted it; to anyone else it does not exist."""
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ingest.reporting import job_status
from ingest.selectors import job_visible_or_404
from ingest.uploads import SCAN_FIELDS, upload_receive, upload_refusal

from .errors import problem_response


class UploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField())
    password = serializers.CharField(required=False, help_text="password of an encrypted PDF")
    device = serializers.CharField(required=False)
    profile = serializers.CharField(required=False)
    resolution_dpi = serializers.IntegerField(required=False)
    colour_mode = serializers.CharField(required=False)
    pages_declared = serializers.IntegerField(required=False)
    rescan_of = serializers.IntegerField(
        required=False, help_text="the open rescan request (a rejected scan) this file answers")


@extend_schema(request={"multipart/form-data": UploadSerializer},
               responses={201: OpenApiTypes.OBJECT})
@api_view(["POST"])
@parser_classes([MultiPartParser])
def ingest_upload(request):
    """Receive one or more files; each becomes a job whose id can be polled. A file larger
    than the limit is refused while it arrives: 413 with code TOO_LARGE, nothing kept."""
    data = request.data
    refusal = upload_refusal(request)
    if refusal is not None:
        return problem_response(code=refusal.code, status=413, detail=refusal.message,
                                request=request)
    scan = {key: data.get(key) for key in (*SCAN_FIELDS, "pages_declared")}
    jobs = upload_receive(user=request.user, files=request.FILES.getlist("file"), source="api",
                          password=data.get("password", ""), scan=scan,
                          rescan_of=data.get("rescan_of") or None)
    body = {"jobs": [{"id": str(job.pk), "file": job.original_name,
                      "url": f"/api/jobs/{job.pk}/"} for job in jobs]}
    body["job"] = body["jobs"][0]["id"]
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def job_detail(request, job_id):
    """State, per-step progress and outcome of a job, with the parts it was split into."""
    return Response(job_status(job_visible_or_404(request.user, job_id), user=request.user))
