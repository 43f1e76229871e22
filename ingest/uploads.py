"""Uploads from the web page and the REST API: each file is received durably as a job."""
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat

from archive.errors import InvalidInput, NotFound
from archive.guards import require_open, require_work
from archive.models import Role
from archive.permissions import user_role
from archive.selectors import document_visible_or_404
from archive.services.documents import version_add_check
from archive.services.scan_qa import rescan_request_open

from .jobs import job_receive
from .models import IngestJob

MAY_UPLOAD = {Role.MAILROOM, Role.CASEWORKER, Role.ADMINISTRATOR}
SCAN_FIELDS = ("device", "profile", "resolution_dpi", "colour_mode")


class SizeLimitedUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops the
    upload once one passes INGEST_MAX_BYTES, before the next chunk reaches memory or disk
    (Django then closes, and so deletes, what the other handlers wrote so far). The view
    answers with `upload_refusal`."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.INGEST_MAX_BYTES:
            self.request.upload_too_large = self.file_name or ""
            # Read and drop the rest of the request, so that the client gets the answer.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file


def upload_refusal(request) -> InvalidInput | None:
    """The refusal of an upload that SizeLimitedUploadHandler stopped (read request.FILES or
    request.data first), or None."""
    name = getattr(request, "upload_too_large", None)
    if name is None:
        return None
    limit = filesizeformat(settings.INGEST_MAX_BYTES)
    return InvalidInput(f"Die Datei „{name}“ ist größer als die zulässigen {limit} und wurde "
                        "nicht angenommen; keine Datei dieser Sendung wurde gespeichert.",
                        code="TOO_LARGE")


def upload_receive(*, user, files, source: str, password: str = "",
                   scan: dict | None = None, provenance: dict | None = None,
                   rescan_of=None) -> list[IngestJob]:
    """`files` are Django UploadedFile objects. The scan fields describe a scanned batch;
    `provenance` is a checked route (ingest.confirmed: a confirmed delivery through the API).
    `rescan_of` names the mailroom's open rescan request (a rejected scan) this file answers."""
    if user_role(user) not in MAY_UPLOAD:
        raise NotFound()
    if not files:
        raise InvalidInput("Keine Datei übermittelt.", code="NO_FILE")
    provenance = dict(provenance or {})
    if rescan_of not in (None, ""):
        provenance["rescan_of"] = _rescan_request(user, rescan_of, files)
    declared = {key: value for key, value in (scan or {}).items()
                if key in (*SCAN_FIELDS, "pages_declared") and value not in (None, "")}
    for key, code, message in (("pages_declared", "PAGES_DECLARED",
                                "Seitenzahl muss eine Zahl sein."),
                               ("resolution_dpi", "RESOLUTION_DECLARED",
                                "Auflösung (dpi) muss eine Zahl sein.")):
        if key in declared:
            try:
                declared[key] = int(declared[key])
            except (TypeError, ValueError):
                raise InvalidInput(message, code=code) from None
    declared["operator"] = user.username
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    jobs = []
    for upload in files:
        with tempfile.NamedTemporaryFile(dir=settings.WORK_DIR, delete=False) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            jobs.append(job_receive(path=Path(handle.name), original_name=upload.name,
                                    source=source, submitted_by=user.username,
                                    password=password,
                                    provenance={"scan": declared, **provenance}))
        finally:
            Path(handle.name).unlink(missing_ok=True)
    return jobs


def _rescan_request(user, rescan_of, files) -> int:
    """The id of an open rescan request; only the mailroom scans again, one file per request
    (anyone else gets the refusal of an unknown request)."""
    try:
        number = int(rescan_of)
    except (TypeError, ValueError):
        number = None
    if number is None or user_role(user) != Role.MAILROOM:
        raise InvalidInput("Zu dieser Nummer gibt es keine offene Anforderung zum Neuscan.",
                           code="RESCAN_REQUEST_UNKNOWN")
    if len(files) != 1:
        raise InvalidInput("Ein Neuscan ist genau eine Datei.", code="RESCAN_ONE_FILE")
    return rescan_request_open(number).pk


def version_upload_receive(*, user, document_id, upload) -> IngestJob:
    """A new version of a filed document: checked now (who, which document, is it open),
    filed by the pipeline like any scan, as the next version of that document."""
    document = document_visible_or_404(user, document_id)
    if document.case_file_id is None:
        raise InvalidInput("Neue Versionen gibt es für Dokumente in Akten.", code="NOT_FILED")
    require_work(user, document.case_file)
    require_open(document.case_file, document.process)
    version_add_check(document)  # refused now, not only when the pipeline files it
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.WORK_DIR, delete=False) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        return job_receive(path=Path(handle.name), original_name=upload.name, source="upload",
                           submitted_by=user.username,
                           provenance={"new_version_of": document.pk})
    finally:
        Path(handle.name).unlink(missing_ok=True)
