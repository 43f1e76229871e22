"""Destruction after reviewed disposal: every copy goes, a residual record without anything
personal stays. This is the only way anything is destroyed; receivers of
`destruction_requested` (the retention app's holds) can veto it, whichever path asked."""
import logging

from django.db import connection, transaction
from django.utils import timezone

from ..actors import Actor
from ..blobstore import blob_path
from ..destruction_journal import journal_append
from ..errors import InvalidInput
from ..guards import require_dpo_or_system
from ..models import BreakGlass, CaseFile, Document, Process, Share, Version
from ..sealing import keys_shred
from ..signals import case_files_destroyed, destruction_requested, documents_destroyed
from .events import event_append

log = logging.getLogger(__name__)


def _document_residual(document: Document, case_file: CaseFile, approval: dict) -> dict:
    return {
        "id": document.pk,
        "file_reference": case_file.file_reference,
        "plan_unit": case_file.plan_unit.code,
        "schedule": approval.get("schedules", {}).get(str(case_file.pk), {}).get("key"),
        "received_at": timezone.localdate(document.received_at).isoformat(),
        "letter_date": document.letter_date.isoformat() if document.letter_date else None,
        "destroyed_at": timezone.now().isoformat(),
        "approval": {key: approval.get(key) for key in ("list", "proposed_by", "approved_by")},
    }


def case_files_destroy(*, case_file_ids: list[int], approval: dict, actor: Actor,
                       replay: bool = False) -> dict:
    """Destroy case files with all their documents. `approval` names the disposal list, its
    proposer and its approver. Returns the residual records of case files and documents.

    Only the data-protection officer, or a scheduled run carrying out an approved list,
    destroys; and never without a named proposer and approver. Every destruction is appended
    to the destruction journal outside the database once it is committed. `replay` is the
    restore re-applying a journaled destruction (the system only): it was decided and carried
    out before, so no hold restored from the older backup may veto it, and it is journaled
    already."""
    require_dpo_or_system(actor, "Vernichten darf nur der Datenschutz nach geprüfter "
                                 "Aussonderung.")
    if not (approval.get("list") and approval.get("proposed_by") and approval.get("approved_by")):
        raise InvalidInput("Vernichtet wird nur mit Liste, Vorschlag und Genehmigung.",
                           code="APPROVAL_REQUIRED")
    case_files = list(CaseFile.objects.filter(pk__in=case_file_ids, destroyed_at__isnull=True)
                      .select_related("plan_unit"))
    documents = list(Document.objects.filter(case_file__in=case_files))
    if replay and not actor.is_system:
        raise InvalidInput("Nur die Wiederherstellung wiederholt Vernichtungen.",
                           code="APPROVAL_REQUIRED")
    if not replay:
        destruction_requested.send(sender=CaseFile, case_file_ids=[c.pk for c in case_files],
                                   document_ids=[d.pk for d in documents])
    residuals: dict[str, list[dict]] = {"case_files": [], "documents": []}
    with transaction.atomic():
        # The trail's sealed payloads of these files, their documents, and the searches and
        # reports that named them: their keys go, so nothing personal is left in the trail.
        terms = [term for c in case_files for term in _identifying_terms(c)]
        keys_shred(case_file_ids=[c.pk for c in case_files],
                   document_ids=[d.pk for d in documents], terms=terms,
                   process_ids=Process.objects.filter(case_file__in=case_files)
                   .values_list("pk", flat=True))
        by_id = {case_file.pk: case_file for case_file in case_files}
        for document in documents:
            case_file = by_id[document.case_file_id]
            versions = Version.objects.filter(document=document)
            stored = {h for hashes in versions.values_list(*Version.BLOB_FIELDS)
                      for h in hashes if h}
            residual = _document_residual(document, case_file, approval)
            residual["blobs"] = sorted(stored)  # hashes only: nothing personal
            # A queryset delete: Version.delete() refuses, as it must on every other path.
            versions.delete()
            Document.objects.filter(pk=document.pk).update(
                title="", sender="", document_type="", destroyed_at=timezone.now(),
                residual=residual)
            event_append(action="destroyed", object_type="document", object_id=document.pk,
                         actor=actor, data={"approval": residual["approval"],
                                            **({"replayed": True} if replay else {})})
            residuals["documents"].append(residual)
        for case_file in case_files:
            residual = {
                "id": case_file.pk, "file_reference": case_file.file_reference,
                "plan_unit": case_file.plan_unit.code,
                **approval.get("schedules", {}).get(str(case_file.pk), {}),
                # Local dates, like the retention they were computed from.
                "created_at": timezone.localdate(case_file.created_at).isoformat(),
                "closed_at": timezone.localdate(case_file.closed_at).isoformat()
                if case_file.closed_at else None,
                "destroyed_at": timezone.now().isoformat(),
                "approval": {k: approval.get(k) for k in ("list", "proposed_by", "approved_by")},
                "documents": [d.pk for d in documents if d.case_file_id == case_file.pk],
            }
            case_file.processes.update(title="")
            case_file.named_persons.clear()
            Share.objects.filter(case_file=case_file).update(reason="")
            BreakGlass.objects.filter(case_file=case_file).update(reason="", review_note="")
            CaseFile.objects.filter(pk=case_file.pk).update(
                title="", subject_name="", subject_birth_date=None, client_number="",
                subject_street="", subject_postcode="", subject_city="",
                disputed_note="", destroyed_at=timezone.now(), residual=residual)
            event_append(action="destroyed", object_type="case_file", object_id=case_file.pk,
                         actor=actor, data={"approval": residual["approval"],
                                            "documents": residual["documents"],
                                            **({"replayed": True} if replay else {})})
            residuals["case_files"].append(residual)
        case_files_destroyed.send(sender=CaseFile, case_file_ids=[c.pk for c in case_files],
                                  terms=terms)
        document_ids = [d.pk for d in documents]
        blobs = sorted({h for residual in residuals["documents"] for h in residual["blobs"]})
        if case_files and not replay:
            # After the commit: a journaled destruction that was rolled back would be
            # carried out by the next restore.
            transaction.on_commit(lambda: journal_append(
                case_file_ids=[c.pk for c in case_files], document_ids=document_ids,
                blobs=blobs))
        transaction.on_commit(lambda: destruction_finish(document_ids=document_ids))
        transaction.on_commit(_wal_truncate)
    return residuals


def _identifying_terms(case_file: CaseFile) -> list[str]:
    """What names the file's subject in a search or a report: each part of the name, the
    client number, the birth date (as typed: ISO or German), the street with house number and
    the file reference."""
    terms = [part for part in case_file.subject_name.replace(",", " ").split() if len(part) >= 3]
    terms += [case_file.client_number, case_file.file_reference]
    terms += [case_file.subject_street]  # street and house number together, as one phrase
    if case_file.subject_birth_date:
        terms += [case_file.subject_birth_date.isoformat(),
                  case_file.subject_birth_date.strftime("%d.%m.%Y")]
    return [term for term in terms if term]


def _wal_truncate() -> None:
    """On SQLite, the write-ahead log still holds the pages as they were before the
    destruction until it is checkpointed: copy it into the database (whose deleted content
    `secure_delete` overwrote) and cut it to nothing. A reader holding an old snapshot makes
    the truncation wait for the next destruction or start; that is logged."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        busy, _log_pages, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.warning("The write-ahead log could not be truncated after a destruction.")


CHUNK = 500


def _chunks(items: list) -> list[list]:
    return [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]


def _still_stored(hashes: set[str]) -> set[str]:
    """Which of these blobs a remaining version still holds (the store is content-addressed:
    another document may hold the same bytes)."""
    live: set[str] = set()
    for chunk in _chunks(sorted(hashes)):
        for field in Version.BLOB_FIELDS:
            live.update(Version.objects.filter(**{f"{field}__in": chunk})
                        .values_list(field, flat=True))
    return live


def destruction_finish(*, document_ids: list[int] | None = None) -> int:
    """Remove the stored objects of destroyed documents once the destruction is committed, and
    tell the other apps (search purges its index). Idempotent: the hourly repair runs it again
    for destructions whose finish a crash interrupted, and only for those."""
    destroyed = Document.objects.filter(destroyed_at__isnull=False)
    if document_ids is not None:
        destroyed = destroyed.filter(pk__in=document_ids)
    else:
        destroyed = destroyed.filter(destruction_finished_at__isnull=True)
    residuals = dict(destroyed.values_list("pk", "residual"))
    if not residuals:
        return 0
    blobs = {sha256 for residual in residuals.values() for sha256 in residual.get("blobs", [])}
    live = _still_stored(blobs)
    removed = 0
    for sha256 in sorted(blobs - live):
        path = blob_path(sha256)
        if path.exists():
            path.unlink()
            removed += 1
    ids = sorted(residuals)
    documents_destroyed.send(sender=Document, document_ids=ids)
    for chunk in _chunks(ids):
        Document.objects.filter(pk__in=chunk).update(destruction_finished_at=timezone.now())
    return removed
