"""xdomea Aussonderung with the public archive: offer what is due (0501), record the archive's
appraisal (0502, answered with 0505), hand over what it wants (0503), and destroy locally only
what it confirms having imported (0506). One process id runs through every message."""
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.actors import Actor
from archive.blobstore import blob_open, blob_put_bytes
from archive.errors import Conflict, InvalidInput, RegistraturError
from archive.guards import require_dpo_or_system
from archive.models import Event
from archive.pdfa_check import protocol_checked
from archive.services.access import case_files_handover_read
from archive.services.destruction import case_files_destroy
from archive.services.events import event_append

from ..models import (
    CaseFileRetention,
    Transfer,
    TransferItem,
    TransferItemState,
    TransferState,
)
from ..protocol import protocol_json, protocol_pdfa
from ..xdomea import codes, messages
from ..xdomea.package import message_file_name, package_write
from ..xdomea.parse import Message, message_parse
from ..xdomea.records import case_file_data, header
from ..xdomea.schema import schema_assert_valid
from .disposal import retention_due

DENIED = "Die Aussonderung an das Archiv betreibt nur der Datenschutz."
OPEN_ITEM_STATES = [TransferItemState.OFFERED, TransferItemState.ARCHIVE,
                    TransferItemState.PACKAGED]


def _write_message(tree, out_dir: Path, process_id: str, code: str) -> Path:
    # Nothing leaves this system that the official schema would refuse.
    schema_assert_valid(tree, what=codes.MESSAGES[code])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / message_file_name(process_id, code)
    path.write_bytes(messages.serialise(tree))
    return path


def _records(items) -> dict[int, CaseFileRetention]:
    return {r.case_file_id: r for r in CaseFileRetention.objects.filter(
        case_file_id__in=[i.case_file_id for i in items])}


def transfer_due() -> list:
    """What the next offer would contain: everything due with the action "offer" that is
    neither decided nor already on an open offer, and what the archive failed to import (the
    items of `retention_due`, for their end and reason)."""
    busy = set(TransferItem.objects.filter(state__in=OPEN_ITEM_STATES)
               .values_list("case_file_id", flat=True))
    latest = {case_file_id: state for case_file_id, state in
              TransferItem.objects.order_by("pk").values_list("case_file_id", "state")}
    failed = [pk for pk, state in latest.items() if state == TransferItemState.FAILED]
    due = [item for item in retention_due() if item.action == "offer"
           and item.case_file.pk not in busy]
    open_ = set(CaseFileRetention.objects.filter(
        Q(archive_decision="") | Q(case_file_id__in=failed),
        case_file__in=[item.case_file for item in due]).values_list("case_file_id", flat=True))
    return [item for item in due if item.case_file.pk in open_]


def transfer_offer(*, actor: Actor, out_dir: Path) -> tuple[Transfer, Path] | None:
    """Offer everything `transfer_due` names; what the archive failed to import is offered
    again. Returns None when there is nothing to offer."""
    require_dpo_or_system(actor, DENIED)
    due = [item.case_file for item in transfer_due()]
    if not due:
        return None
    records = {r.case_file_id: r for r in CaseFileRetention.objects.filter(case_file__in=due)}
    with transaction.atomic():
        transfer = Transfer.objects.create(process_id=uuid.uuid4(), created_by=actor.label)
        data = [case_file_data(c, records[c.pk]) for c in due]
        TransferItem.objects.bulk_create(TransferItem(transfer=transfer, case_file=c) for c in due)
        process_id = str(transfer.process_id)
        path = _write_message(messages.offer_list(header(process_id), data), out_dir,
                              process_id, "0501")
        event_append(action="archive_offered", object_type="transfer", object_id=transfer.pk,
                     actor=actor, data={"process_id": process_id,
                                        "case_files": [c.pk for c in due]})
    return transfer, path


def _transfer(message: Message) -> Transfer:
    transfer = Transfer.objects.filter(process_id=_uuid(message.process_id)).first()
    if transfer is None:
        raise InvalidInput(f"Unbekannte ProzessID {message.process_id}: zu diesem Vorgang wurde "
                           "nichts angeboten.", code="XDOMEA_UNKNOWN_PROCESS")
    return transfer


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"Ungültige ProzessID {value!r}.", code="XDOMEA_INVALID") from None


def transfer_import(*, data: bytes, actor: Actor, out_dir: Path) -> dict:
    """Read a message from the archive, detected by its type: 0502 appraisal, 0506 import
    confirmation, or one of the receipts 0504/0507."""
    require_dpo_or_system(actor, DENIED)
    message = message_parse(data)
    handlers = {"0502": _import_appraisal, "0506": _import_confirmation,
                "0504": _import_receipt, "0507": _import_receipt}
    if message.code not in handlers:
        raise InvalidInput(f"{message.name} wird von hier gesendet, nicht empfangen; erwartet: "
                           "0502, 0504, 0506 oder 0507.", code="XDOMEA_WRONG_MESSAGE_TYPE")
    transfer = _transfer(message)
    report = {"message": message.code, "process_id": str(transfer.process_id)}
    report.update(handlers[message.code](transfer, message, actor=actor, out_dir=out_dir))
    return report


def transfer_receive(*, actor: Actor, data: bytes, name: str, out_dir: Path) -> dict:
    """A message from the archive handed in on the pages. Like the command line, which reads
    a file that stays where it is, nothing handed in is lost: the bytes go to the blob store
    before they are read, and a refusal is recorded with its code and the stored hash."""
    require_dpo_or_system(actor, DENIED)
    stored = blob_put_bytes(data)
    try:
        report = transfer_import(data=data, actor=actor, out_dir=out_dir)
    except RegistraturError as refusal:
        event_append(action="archive_message_refused", object_type="xdomea_message",
                     object_id=stored.sha256, actor=actor,
                     data={"name": name[:200], "size": len(data), "code": refusal.code,
                           "message": refusal.message})
        raise
    event_append(action="archive_message_received", object_type="xdomea_message",
                 object_id=stored.sha256, actor=actor,
                 data={"name": name[:200], "size": len(data), "message": report["message"],
                       "process_id": report["process_id"]})
    return report


def transfer_messages_refused(*, limit: int = 50) -> list[dict]:
    """The messages refused on the pages, newest first: when, file, code, stored hash."""
    return [{"at": event.at, "actor": event.actor, "sha256": event.object_id,
             "name": event.data.get("name", ""), "code": event.data.get("code", ""),
             "message": event.data.get("message", "")}
            for event in Event.objects.filter(action="archive_message_refused",
                                              object_type="xdomea_message")
            .order_by("-seq")[:limit]]


def transfer_messages_available(transfer: Transfer) -> set[str]:
    """Which of this side's messages can still be built as they were sent: the receipt once
    the appraisal is in, the offer while none of its case files is destroyed, the package
    while it waits for the import confirmation."""
    available = {"0505"} if transfer.appraised_at else set()
    if not transfer.items.filter(case_file__destroyed_at__isnull=False).exists():
        available.add("0501")
    if transfer.state == TransferState.PACKAGED:
        available.add("0503")
    return available


def transfer_message_download(*, actor: Actor, transfer: Transfer, code: str,
                              out_dir: Path) -> Path:
    """One of this side's messages of a transfer, built again from the records for download:
    0501 (the offer), 0505 (the receipt of the appraisal) and 0503 (the package), as far as
    `transfer_messages_available` allows. Only the
    header's time differs from the first build. 0501 and 0503 carry the case files' data, so
    each download is a read of every case file in it, logged through the archive's access
    function."""
    require_dpo_or_system(actor, DENIED)
    process_id = str(transfer.process_id)
    if code not in transfer_messages_available(transfer):
        raise Conflict("Diese Nachricht lässt sich zu diesem Vorgang (noch oder nicht mehr) "
                       "nicht bilden.", code="XDOMEA_MESSAGE_UNAVAILABLE")
    if code == "0505":
        return _write_message(messages.receipt(header(process_id), "0505"), out_dir,
                              process_id, "0505")
    if code == "0501":
        items = list(transfer.items.select_related("case_file__plan_unit").order_by("pk"))
        records = _records(items)
        with transaction.atomic():
            case_files_handover_read(actor=actor, case_file_ids=[i.case_file_id for i in items],
                                     purpose=f"Anbieteverzeichnis (0501) {process_id}",
                                     data={"process_id": process_id, "xdomea": "0501"})
            return _write_message(messages.offer_list(
                header(process_id), [case_file_data(i.case_file, records[i.case_file_id])
                                     for i in items]), out_dir, process_id, "0501")
    items = list(transfer.items.filter(state=TransferItemState.PACKAGED)
                 .select_related("case_file__plan_unit").order_by("pk"))
    with transaction.atomic():
        case_files_handover_read(actor=actor, case_file_ids=[i.case_file_id for i in items],
                                 purpose=f"Aussonderungspaket (0503) {process_id}",
                                 data={"process_id": process_id, "xdomea": "0503"})
        return _package_write(transfer, items, out_dir=out_dir)[0]


def _import_receipt(transfer: Transfer, message: Message, *, actor: Actor, **_) -> dict:
    field = "offer_received_at" if message.code == "0504" else "package_received_at"
    with transaction.atomic():
        setattr(transfer, field, timezone.now())
        transfer.save(update_fields=[field])
        event_append(action="archive_receipt", object_type="transfer", object_id=transfer.pk,
                     actor=actor, data={"message": message.code})
    return {}


def _by_xdomea_id(transfer: Transfer) -> dict[str, TransferItem]:
    items = list(transfer.items.select_related("case_file"))
    records = _records(items)
    return {str(records[i.case_file_id].xdomea_id): i for i in items
            if records[i.case_file_id].xdomea_id}


DECISIONS = {codes.ARCHIVE: ("archive", TransferItemState.ARCHIVE),
             codes.DESTROY: ("destroy", TransferItemState.DESTROY)}


def _import_appraisal(transfer: Transfer, message: Message, *, actor: Actor, out_dir: Path) -> dict:
    if transfer.state not in (TransferState.OFFERED, TransferState.APPRAISED):
        raise Conflict("Dieser Vorgang ist bereits übergeben; eine Bewertung kommt zu spät.",
                       code="XDOMEA_ALREADY_PACKAGED")
    items = _by_xdomea_id(transfer)
    report = {"archive": [], "destroy": [], "undecided": [], "unknown": []}
    with transaction.atomic():
        for appraisal in message.appraisals:
            item = items.get(appraisal.object_id)
            if item is None:
                report["unknown"].append(appraisal.object_id)
                continue
            reference = item.case_file.file_reference
            if appraisal.code not in DECISIONS:  # B (not yet appraised) or free text
                report["undecided"].append(reference)
                continue
            decision, state = DECISIONS[appraisal.code]
            item.state = state
            item.save(update_fields=["state"])
            CaseFileRetention.objects.filter(case_file_id=item.case_file_id).update(
                archive_decision=decision, updated_at=timezone.now())
            event_append(action="archive_appraised", object_type="case_file",
                         object_id=item.case_file_id, actor=actor,
                         data={"process_id": str(transfer.process_id),
                               "aussonderungsart": appraisal.code, "decision": decision})
            report[decision].append(reference)
        transfer.state, transfer.appraised_at = TransferState.APPRAISED, timezone.now()
        transfer.save(update_fields=["state", "appraised_at"])
        event_append(action="archive_appraisal_received", object_type="transfer",
                     object_id=transfer.pk, actor=actor, data=report)
    report["receipt"] = None
    if message.receipt_requested:
        process_id = str(transfer.process_id)
        report["receipt"] = str(_write_message(messages.receipt(header(process_id), "0505"),
                                               out_dir, process_id, "0505"))
    return report


def transfer_package(*, actor: Actor, out_dir: Path,
                     transfer: Transfer | None = None) -> list[Path]:
    """Build the 0503 package of every appraised transfer (or of the one given) for what the
    archive wants."""
    require_dpo_or_system(actor, DENIED)
    paths = []
    transfers = Transfer.objects.filter(state=TransferState.APPRAISED).order_by("pk")
    if transfer is not None:
        transfers = transfers.filter(pk=transfer.pk)
    for appraised in transfers:
        items = list(appraised.items.filter(state=TransferItemState.ARCHIVE)
                     .select_related("case_file__plan_unit"))
        if items:
            paths.append(_package(appraised, items, actor=actor, out_dir=out_dir))
    return paths


def _documents(record) -> list:
    """A case file's documents, those in its Vorgänge included."""
    return record.documents + [d for p in record.processes for d in p.documents]


def _package_write(transfer: Transfer, items, *, out_dir: Path) -> tuple[Path, list, list]:
    """Write the zip; returns it with the case files' data and the files in it."""
    records = _records(items)
    data = [case_file_data(i.case_file, records[i.case_file_id], with_files=True)
            for i in items]
    files = [f for record in data for doc in _documents(record) for f in doc.files]
    missing = sorted({record.file_reference for record in data
                      for doc in _documents(record) for f in doc.files if not f.sha256})
    if missing:
        raise Conflict("Ohne PDF/A-Fassung kann nicht übergeben werden: "
                       f"{', '.join(missing)}.", code="XDOMEA_NO_RENDITION")
    process_id = str(transfer.process_id)
    tree = messages.transfer(header(process_id), data)
    schema_assert_valid(tree, what=codes.MESSAGES["0503"])
    path = package_write(out_dir=out_dir, process_id=process_id,
                         message=messages.serialise(tree),
                         files=[(f.name, lambda sha=f.sha256: blob_open(sha)) for f in files])
    return path, data, files


def _package(transfer: Transfer, items, *, actor: Actor, out_dir: Path) -> Path:
    path, data, files = _package_write(transfer, items, out_dir=out_dir)
    process_id = str(transfer.process_id)
    with transaction.atomic():
        TransferItem.objects.filter(pk__in=[i.pk for i in items]).update(
            state=TransferItemState.PACKAGED)
        transfer.state, transfer.packaged_at = TransferState.PACKAGED, timezone.now()
        transfer.save(update_fields=["state", "packaged_at"])
        event_append(action="archive_transferred", object_type="transfer",
                     object_id=transfer.pk, actor=actor,
                     data={"process_id": process_id, "case_files": [i.case_file_id for i in items],
                           "files": {f.name: f.sha256 for f in files}})
        # Also on each case file, so that the DPO's report on a case file shows that its
        # contents left the office, and to whom.
        for item, record in zip(items, data, strict=True):
            event_append(action="archive_handed_over", object_type="case_file",
                         object_id=item.case_file_id, actor=actor,
                         data={"process_id": process_id, "recipient": "archive",
                               "files": sorted(f.name for doc in _documents(record)
                                               for f in doc.files)})
    return path


def _import_confirmation(transfer: Transfer, message: Message, *, actor: Actor, **_) -> dict:
    if transfer.state != TransferState.PACKAGED:
        raise Conflict("Zu diesem Vorgang wurde kein Aussonderungspaket übergeben "
                       "oder die Übernahme ist schon bestätigt.", code="XDOMEA_NOT_PACKAGED")
    items = {key: item for key, item in _by_xdomea_id(transfer).items()
             if item.state == TransferItemState.PACKAGED}
    results = {result.object_id: result for result in message.results}
    report = {"archived": [], "kept": [], "unknown": sorted(set(results) - set(items))}
    destroyed = []
    for key, item in items.items():
        result = results.get(key)
        if result is None or not result.success:
            reason = ("; ".join(e for e in result.errors if e) or "Übernahme fehlgeschlagen"
                      if result else "in der Importbestätigung nicht genannt")
            _keep(item, reason, actor=actor, transfer=transfer)
            report["kept"].append({"file_reference": item.case_file.file_reference,
                                   "reason": reason})
            continue
        with transaction.atomic():
            item.import_confirmed, item.archive_reference = True, result.archive_reference
            item.save(update_fields=["import_confirmed", "archive_reference"])
            event_append(action="archive_import_confirmed", object_type="case_file",
                         object_id=item.case_file_id, actor=actor,
                         data={"process_id": str(transfer.process_id),
                               "archive_reference": result.archive_reference})
        reason, residuals = _destroy(item, transfer, actor=actor)
        destroyed.extend(residuals)
        if reason:
            report["kept"].append({"file_reference": item.case_file.file_reference,
                                   "reason": reason})
        else:
            report["archived"].append(item.case_file.file_reference)
    if destroyed:
        report["protocol_sha256"] = _protocol(transfer, destroyed, actor=actor)
    with transaction.atomic():
        transfer.state, transfer.confirmed_at = TransferState.CONFIRMED, timezone.now()
        transfer.save(update_fields=["state", "confirmed_at"])
        event_append(action="archive_import_received", object_type="transfer",
                     object_id=transfer.pk, actor=actor, data=report)
    return report


def _protocol(transfer: Transfer, residuals: list[dict], *, actor: Actor) -> dict:
    """The destruction protocol of what went to the archive, as for any disposal list: PDF/A
    and JSON in the blob store, their hashes in the audit chain."""
    protocol = {
        "list": f"xdomea:{transfer.process_id}", "proposed_by": transfer.created_by,
        "proposed_at": transfer.offered_at.isoformat(),
        "approved_by": "Archiv (Importbestätigung 0506)",
        "approved_at": timezone.now().isoformat(), "executed_at": timezone.now().isoformat(),
        "executed_by": actor.label, "case_files": [r["case_files"][0] for r in residuals],
        "documents": [d["id"] for r in residuals for d in r["documents"]],
    }
    pdf = protocol_pdfa(protocol)
    pdfa = protocol_checked(pdf, what=f"destruction protocol of transfer {transfer.pk}")
    hashes = {"json": blob_put_bytes(protocol_json(protocol)).sha256,
              "pdf": blob_put_bytes(pdf).sha256}
    event_append(action="archive_transfer_protocol", object_type="transfer",
                 object_id=transfer.pk, actor=actor,
                 data={"protocol_sha256": hashes, "protocol_pdf_pdfa": pdfa.as_data()})
    return hashes


def _keep(item: TransferItem, reason: str, *, actor: Actor, transfer: Transfer) -> None:
    """Not taken over: the file stays here, flagged, and still waits for the archive."""
    with transaction.atomic():
        item.state, item.note = TransferItemState.FAILED, reason[:1000]
        item.save(update_fields=["state", "note"])
        event_append(action="archive_import_failed", object_type="case_file",
                     object_id=item.case_file_id, actor=actor,
                     data={"process_id": str(transfer.process_id), "reason": reason})


def _destroy(item: TransferItem, transfer: Transfer, *, actor: Actor) -> tuple[str, list[dict]]:
    """Destroy the local copy through the kernel's one path; a hold still wins. Returns why it
    was kept ("" when it was destroyed) and the residual records."""
    record = CaseFileRetention.objects.get(case_file_id=item.case_file_id)
    approval = {
        "list": f"xdomea:{transfer.process_id}", "transfer": str(transfer.process_id),
        "proposed_by": transfer.created_by, "approved_by": "Archiv (Importbestätigung 0506)",
        "schedules": {str(item.case_file_id): {
            "key": record.schedule_key,
            "retention_end": record.end.isoformat() if record.end else None}},
    }
    try:
        residuals = case_files_destroy(case_file_ids=[item.case_file_id], approval=approval,
                                       actor=actor)
    except Conflict as refusal:
        item.note = f"Vom Archiv übernommen; lokale Vernichtung verweigert: {refusal.message}"
        item.save(update_fields=["note"])
        event_append(action="archive_destruction_blocked", object_type="case_file",
                     object_id=item.case_file_id, actor=actor,
                     data={"process_id": str(transfer.process_id), "code": refusal.code})
        return item.note, []
    item.state = TransferItemState.ARCHIVED
    item.save(update_fields=["state"])
    return "", [residuals]
