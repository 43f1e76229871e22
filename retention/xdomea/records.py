"""From the archive's records to the plain data the message builders take. Documents, processes
and files get ids derived from the case file's stored xdomea id, so they are stable across
messages without storing one per object."""
import uuid

from django.conf import settings
from django.utils import timezone

from archive.models import CaseFile, Version

from ..models import CaseFileRetention, RetentionSchedule
from .messages import CaseFileData, DocumentData, FileData, Header, Party, ProcessData


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


def _files(case_file_id: uuid.UUID, document, with_files: bool) -> list[FileData]:
    if not with_files:
        return []
    return [FileData(number=v.number, name=primary_file_name(case_file_id, v),
                     pdfa=v.rendition_is_pdfa, sha256=v.rendition_sha256,
                     created=timezone.localtime(v.created_at).replace(tzinfo=None))
            for v in document.versions.order_by("number")]


def case_file_data(case_file: CaseFile, record: CaseFileRetention, *,
                   with_files: bool = False) -> CaseFileData:
    own_id = xdomea_id_ensure(record)
    documents = case_file.documents.filter(destroyed_at__isnull=True).order_by("received_at", "pk")

    def doc(document) -> DocumentData:
        return DocumentData(id=derived_id(own_id, "document", document.pk), title=document.title,
                            received=_date(document.received_at),
                            letter_date=document.letter_date, kind=document.document_type,
                            files=_files(own_id, document, with_files))

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
                   for p in case_file.processes.order_by("pk")])
