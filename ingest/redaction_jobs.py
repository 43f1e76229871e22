"""Redaction (Schwärzung), the request side: check what was asked, record a job and queue it.
The work (rasterise, paint, OCR, store) is done by the worker in `ingest.redaction`.

This module is what the web imports, so it stays light: it must not import OCRmyPDF, not
even through another module (import-linter's `ocr-only-in-ingest` contract). The task is
therefore queued by its name, never imported."""
import json
import logging
import math
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from archive.errors import Conflict, InvalidInput, NotFound
from archive.guards import require_open, require_work
from archive.selectors import document_visible_or_404, version_latest
from archive.services.documents import version_add_check

from .models import REDACTION_STEPS, RedactionJob, RedactionState
from .pages import page_sizes

log = logging.getLogger(__name__)

DPI = 300
MM_PER_INCH = 25.4
TASK_NAME = "ingest.redact"


@dataclass(frozen=True)
class Box:
    """An area on a page, in millimetres from the page's top-left corner."""

    page: int
    x: float
    y: float
    width: float
    height: float

    def pixels(self, dpi: float = DPI) -> tuple[int, int, int, int]:
        scale = dpi / MM_PER_INCH
        return (int(self.x * scale), int(self.y * scale),
                int((self.x + self.width) * scale) + 1, int((self.y + self.height) * scale) + 1)


MAX_BOXES = 200
MAX_REASON = 500


@dataclass(frozen=True)
class DrawnBox:
    """A box drawn on a picture of a page: pixels from the picture's top-left corner, and the
    size in pixels of the picture as it was shown (any zoom: only the proportions count)."""

    page: int
    x: float
    y: float
    width: float
    height: float
    image_width: float
    image_height: float

    def in_millimetres(self, size) -> Box:
        """The box on the page itself: `size` is the page as shown (pages.PageSize), so the
        same proportions of the page are blacked out whatever the picture's scale. A box
        reaching over the picture's edge is cut at the page's edge."""
        left, top = max(self.x, 0.0), max(self.y, 0.0)
        right = min(self.x + self.width, self.image_width)
        bottom = min(self.y + self.height, self.image_height)
        sx, sy = size.width_mm / self.image_width, size.height_mm / self.image_height
        return Box(page=self.page, x=round(left * sx, 2), y=round(top * sy, 2),
                   width=round((right - left) * sx, 2), height=round((bottom - top) * sy, 2))


def _invalid_boxes() -> InvalidInput:
    return InvalidInput("Die gezeichneten Bereiche sind ungültig; bitte neu zeichnen.",
                        code="BOXES_INVALID")


def drawn_boxes_parse(text: str) -> list[DrawnBox]:
    """The boxes the page's drawing tool sends: a JSON list of objects with the fields of
    DrawnBox. Anything else, an empty or an oversized list are refused."""
    try:
        items = json.loads(text or "[]")
        if not isinstance(items, list) or len(items) > MAX_BOXES:
            raise ValueError
        boxes = [DrawnBox(page=int(item["page"]),
                          **{field: float(item[field]) for field in
                             ("x", "y", "width", "height", "image_width", "image_height")})
                 for item in items]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise _invalid_boxes() from None
    for box in boxes:
        values = (box.x, box.y, box.width, box.height, box.image_width, box.image_height)
        if (not all(math.isfinite(value) for value in values) or box.image_width < 1
                or box.image_height < 1 or box.width < 1 or box.height < 1
                or box.x >= box.image_width or box.y >= box.image_height
                or box.x + box.width <= 0 or box.y + box.height <= 0):
            raise _invalid_boxes()
    return boxes


def boxes_from_drawing(drawn: list[DrawnBox], sizes: list) -> list[Box]:
    """Millimetre boxes (what the worker paints) from boxes drawn on page pictures, given
    the size of every page of the version they were drawn on."""
    if any(box.page < 1 or box.page > len(sizes) for box in drawn):
        raise InvalidInput("Eine Seite liegt außerhalb des Dokuments.", code="PAGE_RANGE")
    return [box.in_millimetres(sizes[box.page - 1]) for box in drawn]


def version_not_current(named: int, current: int) -> Conflict:
    return Conflict(f"Die Schwärzung bezieht sich auf Version {named}, aktuell ist aber "
                    f"Version {current}. Bitte auf der aktuellen Version neu schwärzen.",
                    code="VERSION_NOT_CURRENT")


def redaction_check(*, user, document_id, version: int, boxes: list[Box], reason: str):
    """Everything a redaction needs, checked when it is asked for and again when it runs:
    the user works on the open case file, the boxes lie on pages of the version they were
    drawn on, and that version is still the current one. Returns (document, version)."""
    document = document_visible_or_404(user, document_id)
    if document.case_file_id is None:
        raise InvalidInput("Geschwärzt wird in der Akte, nicht im Posteingang.",
                           code="NOT_FILED")
    require_work(user, document.case_file)
    require_open(document.case_file, document.process)
    version_add_check(document)  # a redaction is a new version: refused now, not in the worker
    if not boxes or not reason.strip():
        raise InvalidInput("Eine Schwärzung braucht Bereiche und einen Grund.",
                           code="REASON_REQUIRED")
    source = version_latest(document)
    if source is None or source.number != version:
        raise version_not_current(version, source.number if source else 0)
    if any(box.page < 1 or box.page > source.page_count for box in boxes):
        raise InvalidInput("Eine Seite liegt außerhalb des Dokuments.", code="PAGE_RANGE")
    return document, source


def redaction_request(*, user, document_id, version: int, boxes: list[Box],
                      reason: str) -> RedactionJob:
    """Record a redaction of `version` and queue it for the worker; nothing is rasterised or
    OCRed here (that takes minutes, too long for a web request)."""
    document, source = redaction_check(user=user, document_id=document_id, version=version,
                                       boxes=boxes, reason=reason)
    with transaction.atomic():
        job = RedactionJob.objects.create(
            document=document, requested_by=user, version=source.number,
            boxes=[asdict(box) for box in boxes], reason=reason.strip())
        transaction.on_commit(lambda: redaction_enqueue(job.pk))
    return job


def redaction_request_drawn(*, user, document_id, version: int, drawn: list[DrawnBox],
                            reason: str) -> RedactionJob:
    """A redaction drawn on the page pictures of `version`: the boxes are turned into
    millimetres from that version's own page sizes, then asked for like any other."""
    if len(reason) > MAX_REASON:  # what the numeric form allows
        raise InvalidInput(f"Der Grund ist zu lang (höchstens {MAX_REASON} Zeichen).",
                           code="REASON_TOO_LONG")
    # Who may, which version, which pages: checked before the rendition is looked at.
    where = [Box(page=box.page, x=0, y=0, width=0, height=0) for box in drawn]
    document, source = redaction_check(user=user, document_id=document_id, version=version,
                                       boxes=where, reason=reason)
    if not source.rendition_sha256:
        raise InvalidInput("Diese Version hat keine darstellbare Fassung.", code="NO_RENDITION")
    sizes = page_sizes(document_id=document.pk, rendition_sha256=source.rendition_sha256)
    return redaction_request(user=user, document_id=document.pk, version=version,
                             boxes=boxes_from_drawing(drawn, sizes), reason=reason)


def redaction_enqueue(job_id) -> None:
    try:
        current_app.send_task(TASK_NAME, args=(str(job_id),))
    except Exception:
        # Nothing would ever pick the job up: say so now, the user can ask again.
        log.exception("could not queue redaction %s", job_id)
        RedactionJob.objects.filter(pk=job_id, state=RedactionState.QUEUED).update(
            state=RedactionState.FAILED, code="QUEUE_UNAVAILABLE", finished_at=timezone.now(),
            message="Der Verarbeitungsdienst ist nicht erreichbar; bitte später erneut "
                    "schwärzen.")


def _expire_lost(jobs: QuerySet[RedactionJob]) -> None:
    """A running job whose lease ran out lost its worker (the lease is renewed during every
    step): it ends visibly instead of showing "in Bearbeitung" forever.

    Asked first, changed only if there is one: an UPDATE takes SQLite's write lock even when
    it changes nothing, and every view of a document would queue for it behind the event
    log's appends (bench/web)."""
    lost = jobs.filter(state=RedactionState.RUNNING, lease_until__lt=timezone.now())
    if lost.exists():
        lost.update(state=RedactionState.FAILED, code="WORKER_LOST",
                    finished_at=timezone.now(),
                    message="Die Verarbeitung brach ab; bitte erneut schwärzen.")


def redaction_jobs_of(*, user, document) -> QuerySet[RedactionJob]:
    """The redactions of this document that `user` asked for: nobody else sees them."""
    jobs = RedactionJob.objects.filter(document=document, requested_by=user)
    _expire_lost(jobs)
    return jobs.order_by("-created_at")


def redaction_job_of(*, user, document_id, job_id) -> RedactionJob:
    """One of the user's own redactions; anybody else's looks like an unknown id."""
    document = document_visible_or_404(user, document_id)
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound() from None
    job = redaction_jobs_of(user=user, document=document).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


STEP_LABELS = {"rasterise": "Seiten rastern", "paint": "schwärzen", "ocr": "Texterkennung",
               "extract": "Text auslesen", "store": "neue Version speichern"}


def redaction_status(job: RedactionJob) -> dict:
    """State and progress for the document page and its polling."""
    done = [step for step in REDACTION_STEPS if step in job.steps_done]
    return {
        "id": str(job.pk),
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "step": job.step,
        "step_label": STEP_LABELS.get(job.step, "") if not job.is_terminal else "",
        "steps": [{"name": step, "done": step in done,
                   "running": step == job.step and not job.is_terminal}
                  for step in REDACTION_STEPS],
        "percent": (100 if job.state == RedactionState.DONE
                    else round(100 * len(done) / len(REDACTION_STEPS))),
        "version": job.version,
        "result_version": job.result_version,
        "code": job.code or None,
        "message": job.message or None,
        "finished": job.is_terminal,
    }


def lease_from_now():
    """The lease of a running redaction: renewed at every step and while OCR runs."""
    return timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)
