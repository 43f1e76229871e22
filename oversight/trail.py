"""The one place where oversight reads the trail. Everything the rules know of an entry comes
through `entries_between` as a `Seen` record, and every field of an entry's payload through
`_payload`: if payloads come to be stored encrypted, only this module changes.

It also maps each entry to the case file it concerns (`CaseFiles`), in bulk."""

from dataclasses import dataclass, field
from datetime import datetime

from archive.models import CaseFile, Document, Event, Process


@dataclass(frozen=True)
class Seen:
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    basis: str = ""  # on what ground a read was allowed (data.basis)
    file_reference: str = ""  # a document read names its case file (data.case_file)
    documents: tuple[str, ...] = field(default=())  # what a search showed (titles, pictures)


def _payload(event: Event) -> dict:
    """An entry's payload as stored. The fields read here (basis, case_file, file_reference,
    documents, thumbnails) are ids, never sealed (archive/sealing.py SEALED_KEYS), so no key
    is fetched; a rule that needs a sealed field must read `Event.clear_data` instead."""
    return event.data or {}


def _seen(event: Event) -> Seen:
    data = _payload(event)
    shown = [*(data.get("documents") or ()), *(data.get("thumbnails") or ())]
    return Seen(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        basis=str(data.get("basis") or ""),
        file_reference=str(data.get("case_file") or data.get("file_reference") or ""),
        documents=tuple(dict.fromkeys(str(pk) for pk in shown)),
    )


def entries_between(start: datetime, end: datetime, actions=None, actors=None) -> list[Seen]:
    events = Event.objects.filter(at__gte=start, at__lte=end).exclude(actor="")
    if actions is not None:
        events = events.filter(action__in=actions)
    if actors is not None:
        events = events.filter(actor__in=actors)
    return [_seen(event) for event in events.order_by("seq").iterator(chunk_size=2000)]


def entries_by_seq(seqs) -> list[Seen]:
    return [_seen(event) for event in Event.objects.filter(seq__in=list(seqs)).order_by("seq")]


class CaseFiles:
    """The case file of each entry: its object, a document's or process's file, or the file
    reference a document read recorded. Looked up in bulk for a list of entries."""

    def __init__(self, entries: list[Seen]):
        ids = {"case_file": set(), "document": set(), "process": set()}
        references, shown = set(), set()
        for entry in entries:
            if entry.object_type in ids and entry.object_id.isdigit():
                ids[entry.object_type].add(int(entry.object_id))
            if entry.file_reference:
                references.add(entry.file_reference)
            shown.update(int(pk) for pk in entry.documents if pk.isdigit())
        self.of_document = dict(
            Document.objects.filter(pk__in=ids["document"] | shown).values_list(
                "pk", "case_file_id"
            )
        )
        self.of_process = dict(
            Process.objects.filter(pk__in=ids["process"]).values_list("pk", "case_file_id")
        )
        by_reference = dict(
            CaseFile.objects.filter(file_reference__in=references).values_list(
                "file_reference", "pk"
            )
        )
        self.by_reference = by_reference
        wanted = (
            ids["case_file"]
            | set(self.of_document.values())
            | set(self.of_process.values())
            | set(by_reference.values())
        ) - {None}
        self.files = CaseFile.objects.select_related("unit").in_bulk(wanted)

    def of(self, entry: Seen) -> CaseFile | None:
        key = int(entry.object_id) if entry.object_id.isdigit() else None
        case_file_id = None
        if entry.object_type == "case_file":
            case_file_id = key
        elif entry.object_type == "document":
            case_file_id = self.of_document.get(key) or self.by_reference.get(entry.file_reference)
        elif entry.object_type == "process":
            case_file_id = self.of_process.get(key)
        return self.files.get(case_file_id) if case_file_id else None

    def of_shown(self, document_id: str) -> CaseFile | None:
        case_file_id = self.of_document.get(int(document_id)) if document_id.isdigit() else None
        return self.files.get(case_file_id) if case_file_id else None


class ClosedAt:
    """Whether a case file was closed at a given time, from its "closed" and "reopened"
    entries (a file read while closed and reopened since is not open at that read); for a file
    without such entries, from its zdA date."""

    def __init__(self, case_files):
        self.files = {case_file.pk: case_file for case_file in case_files}
        self.changes: dict[int, list[tuple[datetime, bool]]] = {}
        events = Event.objects.filter(
            object_type="case_file",
            object_id__in=[str(pk) for pk in self.files],
            action__in=("closed", "reopened"),
        ).order_by("seq")
        for object_id, at, action in events.values_list("object_id", "at", "action"):
            self.changes.setdefault(int(object_id), []).append((at, action == "closed"))

    def __call__(self, case_file_id: int, at: datetime) -> bool:
        before = [closed for changed, closed in self.changes.get(case_file_id, ()) if changed <= at]
        if before:
            return before[-1]
        case_file = self.files[case_file_id]
        return case_file.closed_at is not None and case_file.closed_at <= at
