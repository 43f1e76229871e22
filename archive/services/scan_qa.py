"""Replacement scanning (BSI TR-RESISCAN): the visual check of sampled scans and the release
of paper originals for destruction.

The pipeline (ingest/scan_qa.py) draws the sample when it files a scan: a sampled scan stays
in the mailroom's inbox, where the mailroom may read it (read basis "inbox"), and the case
file the pipeline chose is kept on its check. Passing files it there as the pipeline would
have; rejecting keeps the attempt, marked, and asks for a rescan. An unsampled scan is vouched
for by the next sample of its protection need. Paper is released only when QA passed, the
scan's ingest entry is under a signed (and, with a TSA, timestamped) checkpoint, its blobs are
stored unaltered, and no keep-original flag is set."""
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import checkpoints, timestamps
from ..actors import Actor, system_actor
from ..blobstore import blob_path, blob_sha256_of_file
from ..errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaperKeepOriginal,
    PaperReleaseRefused,
    ScanIntegrityPending,
    ScanNotStored,
    ScanQANotPassed,
)
from ..guards import require_person
from ..models import (
    CaseFile,
    Document,
    DocumentType,
    Event,
    PaperRelease,
    ProtectionNeed,
    Role,
    ScanCheck,
    ScanResult,
    ScanSampleCounter,
)
from ..permissions import user_role
from ..signals import document_changed, retention_basis_changed
from .events import event_append

INGEST_ACTIONS = ("filed", "inbox")  # the entry that records a new document's hashes


# --- protection need and the sample ------------------------------------------------------------

def protection_need_of(document_type: str) -> str:
    """The type's need; a scan whose type was not recognised gets the configured default."""
    need = (DocumentType.objects.filter(key=document_type).values_list("protection_need",
                                                                       flat=True).first()
            if document_type else None)
    return need or settings.SCAN_QA_UNCLASSIFIED_NEED


def keep_paper_of(document: Document) -> bool:
    """The document's own flag where set, else its type's."""
    if document.keep_paper is not None:
        return document.keep_paper
    return DocumentType.objects.filter(key=document.document_type, keep_paper=True).exists()


def scan_sample_draw(need: str, *, always: bool = False) -> tuple[int, bool]:
    """(sequence, sampled) of the next scan of this need. Every Nth scan is drawn (N from the
    rate: 5 % is every 20th), counted under a row lock, so the rate holds exactly and is
    reproducible; `always` draws it regardless (a rescan is always inspected)."""
    if need not in ProtectionNeed.values:
        need = ProtectionNeed.VERY_HIGH
    with transaction.atomic():
        ScanSampleCounter.objects.get_or_create(need=need)
        counter = ScanSampleCounter.objects.select_for_update().get(need=need)
        counter.count += 1
        counter.save(update_fields=["count"])
    rate = max(0.0, min(100.0, float(settings.SCAN_QA_RATES.get(need, 100.0)))) / 100.0
    n = counter.count
    return n, always or int(n * rate + 1e-9) > int((n - 1) * rate + 1e-9)


def scan_check_create(*, document: Document, need: str, sequence: int, sampled: bool,
                      held_case_file: CaseFile | None, rescan_of: ScanCheck | None = None
                      ) -> ScanCheck:
    """The pipeline records the check of a scan it filed (inside its filing transaction). A
    rescan closes the rescan request of the attempt it answers, in the attempt's trail."""
    check = ScanCheck.objects.create(
        document=document, need=need, sequence=sequence, sampled=sampled,
        result=ScanResult.OPEN if sampled else ScanResult.UNSAMPLED,
        held_case_file=held_case_file if sampled else None, rescan_of=rescan_of)
    if rescan_of is not None:
        event_append(action="rescan_received", object_type="document",
                     object_id=rescan_of.document_id, actor=system_actor("ingest"),
                     data={"rescan": document.pk, "scan_check": rescan_of.pk})
    return check


def rescan_request_open(check_id) -> ScanCheck:
    """A rejected check no rescan answered yet, or RESCAN_REQUEST_UNKNOWN."""
    check = ScanCheck.objects.filter(pk=check_id, result=ScanResult.REJECTED,
                                     rescan__isnull=True).first()
    if check is None:
        raise InvalidInput("Zu dieser Nummer gibt es keine offene Anforderung zum Neuscan.",
                           code="RESCAN_REQUEST_UNKNOWN")
    return check


# --- the visual check --------------------------------------------------------------------------

def _mailroom(actor: Actor):
    user = require_person(actor)
    if user_role(user) != Role.MAILROOM:
        raise NotFound()
    return user


def scan_checks_open(user) -> QuerySet[ScanCheck]:
    """The mailroom's QA queue: sampled scans waiting for the visual check."""
    if user_role(user) != Role.MAILROOM:
        return ScanCheck.objects.none()
    return (ScanCheck.objects.filter(result=ScanResult.OPEN, document__case_file__isnull=True,
                                     document__destroyed_at__isnull=True)
            .select_related("document").order_by("created_at", "pk"))


def rescan_requests(user) -> QuerySet[ScanCheck]:
    """Rejected scans that still wait for their rescan."""
    if user_role(user) != Role.MAILROOM:
        return ScanCheck.objects.none()
    return (ScanCheck.objects.filter(result=ScanResult.REJECTED, rescan__isnull=True)
            .select_related("document", "inspector").order_by("inspected_at", "pk"))


def _open_check(check_id) -> ScanCheck:
    check = (ScanCheck.objects.select_for_update().select_related("document")
             .filter(pk=check_id).first())
    if check is None:
        raise NotFound()
    if check.result != ScanResult.OPEN or check.document.case_file_id is not None:
        raise Conflict("Für diesen Scan ist keine Sichtprüfung offen.", code="SCAN_QA_NOT_OPEN")
    return check


def scan_check_pass(*, actor: Actor, check_id) -> ScanCheck:
    """The inspector passed the scan: recorded with who and when, then filed where the
    pipeline had decided (if that file is still open; otherwise it waits in the inbox)."""
    user = _mailroom(actor)
    with transaction.atomic():
        check = _open_check(check_id)
        check.result, check.inspector, check.inspected_at = \
            ScanResult.PASSED, user, timezone.now()
        check.save(update_fields=["result", "inspector", "inspected_at"])
        target = check.held_case_file
        files = target is not None and not target.is_closed and target.destroyed_at is None
        event_append(action="scan_qa_passed", object_type="document",
                     object_id=check.document_id, actor=actor,
                     data={"scan_check": check.pk, "need": check.need,
                           "sequence": check.sequence,
                           "filing": target.file_reference if files else None})
        if files:
            _file_held(check.document, target, check)
    return check


def _file_held(document: Document, case_file: CaseFile, check: ScanCheck) -> None:
    """The pipeline's own filing, postponed by the check: the same entry it would have
    written, by the same system actor, naming the check."""
    document.case_file = case_file
    document.save(update_fields=["case_file"])
    version = document.versions.order_by("number").first()
    event_append(action="filed", object_type="document", object_id=document.pk,
                 actor=system_actor("ingest", "scan_qa"),
                 purpose="Sichtprüfung bestanden: Ablage wie von der Erkennung entschieden",
                 data={"case_file": case_file.file_reference, "version": version.number,
                       "scan_check": check.pk, "original_sha256": version.original_sha256,
                       "rendition_sha256": version.rendition_sha256,
                       "text_sha256": version.text_sha256})
    document_changed.send(sender=Document, document_id=document.pk)
    retention_basis_changed.send(sender=CaseFile, case_file_id=case_file.pk)


def scan_check_reject(*, actor: Actor, check_id, reason: str) -> ScanCheck:
    """The inspector rejected the scan: the attempt stays (document, versions, trail), marked
    rejected, and is an open rescan request until a rescan names it."""
    user = _mailroom(actor)
    if not reason.strip():
        raise InvalidInput("Bitte geben Sie an, was am Scan mangelhaft ist.",
                           code="SCAN_QA_REASON_MISSING")
    with transaction.atomic():
        check = _open_check(check_id)
        check.result, check.inspector, check.inspected_at = \
            ScanResult.REJECTED, user, timezone.now()
        check.save(update_fields=["result", "inspector", "inspected_at"])
        event_append(action="scan_qa_rejected", object_type="document",
                     object_id=check.document_id, actor=actor, purpose=reason.strip()[:500],
                     data={"scan_check": check.pk, "need": check.need,
                           "sequence": check.sequence})
    return check


def scan_qa_pending(document: Document) -> bool:
    """A sampled scan not passed yet may not be filed by hand: the check comes first."""
    return ScanCheck.objects.filter(
        document=document, result__in=[ScanResult.OPEN, ScanResult.REJECTED]).exists()


# --- paper release -----------------------------------------------------------------------------

def qa_passed(check: ScanCheck) -> bool:
    """Its own check, if it was drawn; else the next sample of its need, which vouches for
    the scans since the one before (they came off the same process in between)."""
    if check.sampled:
        return check.result == ScanResult.PASSED
    covering = (ScanCheck.objects.filter(need=check.need, sampled=True,
                                         sequence__gt=check.sequence)
                .order_by("sequence").values_list("result", flat=True).first())
    return covering == ScanResult.PASSED


@dataclass(frozen=True)
class Protection:
    """What the checkpoint file vouches for: entries up to `seq` are signed (and, with a
    TSA, the checkpoints in `stamped` carry a valid timestamp)."""
    checkpoints: list
    stamped: set
    tsa: bool
    sound: bool

    def covers(self, seq: int) -> bool:
        if not self.sound:
            return False
        first = next((cp for cp in self.checkpoints if cp.seq >= seq), None)
        return first is not None and (not self.tsa or first.number in self.stamped)


def protection_read() -> Protection:
    log = checkpoints.checkpoints_read()
    stamped = {number for number in timestamps.tokens_read() if number > 0}
    return Protection(sorted(log.checkpoints, key=lambda cp: cp.seq), stamped,
                      timestamps.tsa_configured(), not log.problems)


def _ingest_seq(document: Document) -> int | None:
    return (Event.objects.filter(object_type="document", object_id=str(document.pk),
                                 action__in=INGEST_ACTIONS)
            .order_by("seq").values_list("seq", flat=True).first())


def _stored(document: Document, *, rehash: bool) -> bool:
    for version in document.versions.all():
        for sha256 in (version.original_sha256, version.rendition_sha256):
            if not sha256:
                continue
            path = blob_path(sha256)
            if not path.exists() or (rehash and blob_sha256_of_file(path) != sha256):
                return False
    return True


def paper_release_refusal(document: Document, protection: Protection, *,
                          rehash: bool = True) -> PaperReleaseRefused | None:
    """The first missing precondition of releasing this document's paper, or None."""
    check = getattr(document, "scan_check", None)
    if check is None or document.destroyed_at is not None:
        return PaperReleaseRefused("Zu diesem Dokument gibt es kein gescanntes Papieroriginal.",
                                   code="PAPER_NOT_SCANNED")
    if hasattr(document, "paper_release"):
        return PaperReleaseRefused("Das Papieroriginal ist bereits freigegeben.",
                                   code="PAPER_ALREADY_RELEASED")
    if not qa_passed(check):
        return ScanQANotPassed()
    seq = _ingest_seq(document)
    if seq is None or not protection.covers(seq):
        return ScanIntegrityPending()
    if not _stored(document, rehash=rehash):
        return ScanNotStored()
    if keep_paper_of(document):
        return PaperKeepOriginal()
    return None


def paper_candidates() -> QuerySet[Document]:
    """Scanned documents whose paper is not released: the release list's rows. Their titles
    are not shown (the mailroom may not read filed post); the receipt number, the date and
    the scan's file name identify the paper in the mailroom's hands."""
    return (Document.objects.filter(scan_check__isnull=False, destroyed_at__isnull=True,
                                    paper_release__isnull=True)
            .select_related("scan_check").prefetch_related("versions")
            .order_by("received_at", "pk"))


def paper_release_list(*, user, documents) -> list[tuple[Document, PaperReleaseRefused | None]]:
    """The release list for the mailroom, each with what still blocks it: one `listed` entry
    naming the documents shown (their file names and dates are shown, not their content)."""
    if user_role(user) != Role.MAILROOM:
        raise NotFound()
    protection = protection_read()
    rows = [(document, paper_release_refusal(document, protection, rehash=False))
            for document in documents]
    event_append(action="listed", object_type="document_list", object_id="paper_release",
                 actor=user.username, purpose="Papierfreigabe",
                 data={"documents": [document.pk for document, _ in rows]})
    return rows


def paper_release(*, actor: Actor, documents) -> list[PaperRelease]:
    """Release the paper originals of `documents` (ids or documents) for destruction: all or
    none; the first missing precondition is raised with its code, naming the document."""
    user = _mailroom(actor)
    ids = [getattr(document, "pk", document) for document in documents]
    if not ids:
        raise InvalidInput("Bitte wählen Sie mindestens ein Dokument aus.", code="NO_SELECTION")
    protection = protection_read()
    with transaction.atomic():
        found = {document.pk: document for document in
                 # Lock the documents only: their check is an outer join, which
                 # PostgreSQL does not lock.
                 Document.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                 .select_related("scan_check")}
        releases = []
        for pk in dict.fromkeys(ids):
            document = found.get(pk)
            if document is None:
                raise NotFound()
            refusal = paper_release_refusal(document, protection)
            if refusal is not None:
                refusal.message = f"Dokument Nr. {pk}: {refusal.message}"
                raise refusal
            releases.append(PaperRelease.objects.create(document=document, released_by=user))
            event_append(action="paper_released", object_type="document", object_id=pk,
                         actor=actor, data={"scan_check": document.scan_check.pk,
                                            "need": document.scan_check.need})
    return releases


def papers_released() -> QuerySet[PaperRelease]:
    return PaperRelease.objects.select_related("document", "released_by").order_by(
        "-released_at")
