"""From the archive's records to the plain data the message builders take. Documents, processes
and files get ids derived from the case file's stored xdomea id, so they are stable across
messages without storing one per object."""
import uuid

from django.conf import settings
from django.utils import timezone

from archive.labels import event_label
from archive.models import CaseFile, Event, PdfaCheck, Version
from archive.sealing import events_unseal
from archive.selectors import READ_ACTIONS

from ..models import CaseFileRetention, RetentionSchedule
from . import codes
from .messages import (
    CaseFileData,
    DocumentData,
    FileData,
    Header,
    HistoryData,
    Party,
    ProcessData,
)

# Reads are the access log, not the object's history: they stay here (the officer's reports).
NOT_HISTORY = (*READ_ACTIONS, "searched", "listed", "read_refused")


def xdomea_id_ensure(record: CaseFileRetention) -> uuid.UUID:
    if record.xdomea_id is None:
        record.xdomea_id = uuid.uuid4()
        record.save(update_fields=["xdomea_id", "updated_at"])
    return record.xdomea_id


def derived_id(case_file_id: uuid.UUID, kind: str, pk: int) -> str:
    return str(uuid.uuid5(case_file_id, f"{kind}/{pk}"))


def primary_file_name(case_file_id: uuid.UUID, version: Version) -> str:
    # The schema wants a file name that starts with a UUID.
    return f"{derived_id(case_file_id, 'file', version.pk)}_Version{version.number}.pdf"


def header(process_id: str) -> Header:
    return Header(process_id=process_id, created=timezone.localtime().replace(tzinfo=None),
                  sender=Party(settings.XDOMEA_SENDER_ID, settings.XDOMEA_SENDER_NAME),
                  recipient=Party(settings.XDOMEA_ARCHIVE_ID, settings.XDOMEA_ARCHIVE_NAME))


def _date(value):
    return timezone.localdate(value) if value else None


def version_is_pdfa(version: Version) -> bool:
    """Declared PDF/A to the archive only when the validator approved the rendition; a
    version filed before validation existed ("not_checked") is not, whatever it claimed."""
    return version.rendition_is_pdfa and version.pdfa_check == PdfaCheck.PASS


def _files(case_file_id: uuid.UUID, document, with_files: bool) -> list[FileData]:
    if not with_files:
        return []
    return [FileData(number=v.number, name=primary_file_name(case_file_id, v),
                     pdfa=version_is_pdfa(v), sha256=v.rendition_sha256,
                     created=timezone.localtime(v.created_at).replace(tzinfo=None))
            for v in document.versions.order_by("number")]


def _history_entries(event: Event) -> list[HistoryData]:
    at = timezone.localtime(event.at).replace(tzinfo=None)
    action = event_label(event.action)
    # Personal payloads are sealed (archive/sealing.py): read them through the accessors.
    data, purpose = event.clear_data, event.clear_purpose
    changes = (data or {}).get("changes") or {}
    if isinstance(changes, dict) and changes:
        return [HistoryData(action=action, actor=event.actor, at=at, name=str(name),
                            old=str(values[0]), new=str(values[1]), note=purpose)
                for name, values in changes.items()
                if isinstance(values, list | tuple) and len(values) == 2]
    return [HistoryData(action=action, actor=event.actor, at=at, note=purpose)]


def _histories(case_file: CaseFile, documents) -> dict[tuple[str, str], list[HistoryData]]:
    """The history of the case file and of each document, from the trail, in one query."""
    keys = [("case_file", str(case_file.pk))] + [("document", str(d.pk)) for d in documents]
    by_object: dict[tuple[str, str], list[HistoryData]] = {key: [] for key in keys}
    events = Event.objects.filter(
        object_type__in=("case_file", "document"),
        object_id__in=[key for _, key in keys]).exclude(action__in=NOT_HISTORY).order_by("seq")
    for event in events_unseal(events):
        key = (event.object_type, event.object_id)
        if key in by_object:
            by_object[key].extend(_history_entries(event))
    return by_object


def case_file_data(case_file: CaseFile, record: CaseFileRetention, *,
                   with_files: bool = False) -> CaseFileData:
    """With files (0503): also the history of file and documents and the archive's decision."""
    own_id = xdomea_id_ensure(record)
    documents = list(case_file.documents.filter(destroyed_at__isnull=True)
                     .order_by("received_at", "pk"))
    histories = _histories(case_file, documents) if with_files else {}

    def doc(document) -> DocumentData:
        return DocumentData(id=derived_id(own_id, "document", document.pk), title=document.title,
                            received=_date(document.received_at),
                            letter_date=document.letter_date, kind=document.document_type,
                            files=_files(own_id, document, with_files),
                            history=histories.get(("document", str(document.pk)), []))

    schedule = RetentionSchedule.objects.filter(key=record.schedule_key).first()
    return CaseFileData(
        id=str(own_id), file_reference=case_file.file_reference, title=case_file.title,
        plan_code=case_file.plan_unit.code, plan_title=case_file.plan_unit.title,
        begin=_date(case_file.created_at), closed=_date(case_file.closed_at),
        retention_years=schedule.years if schedule else None, retention_end=record.end,
        documents=[doc(d) for d in documents if d.process_id is None],
        processes=[ProcessData(id=derived_id(own_id, "process", p.pk), title=p.title,
                               closed=_date(p.closed_at),
                               documents=[doc(d) for d in documents if d.process_id == p.pk])
                   for p in case_file.processes.order_by("pk")],
        appraisal=codes.APPRAISAL_BY_DECISION.get(record.archive_decision, codes.TO_APPRAISE),
        confidentiality=case_file.confidentiality, restricted=case_file.restricted,
        disputed_note=case_file.disputed_note,
        history=histories.get(("case_file", str(case_file.pk)), []))
