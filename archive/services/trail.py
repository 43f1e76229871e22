"""The trail as people read it: each entry with its time in local time, who acted (name and
user name), what was done (a German label), on which object (by its name: "Akte
50.20.1-2026-000417", not "case_file 3"), why, and through which channel. The names of all
entries are looked up together, a fixed number of queries for any number of entries.

This only presents entries the caller already may see (a case file's history, the officer's
report); it reads no content and therefore writes no event itself."""
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from ..labels import (
    channel_label,
    choice_label,
    event_label,
    object_type_label,
    read_basis_label,
    report_kind_label,
)
from ..models import (
    CaseFile,
    Correspondent,
    Document,
    DocumentType,
    Event,
    FilePlanUnit,
    Process,
    Role,
)
from ..sealing import events_unseal


@dataclass
class TrailEntry:
    event: Event
    at: datetime  # local time
    who: str
    action_label: str
    object_label: str
    purpose: str
    channel: str
    case_file: CaseFile | None = None
    file_reference: str = ""
    data: dict = field(default_factory=dict)
    role: str = ""  # the reader's role, in German, where the entry records it
    basis: str = ""  # on what ground a read was allowed (a share, the own unit, ...)
    shown: list[str] = field(default_factory=list)  # what a search or list showed

    @property
    def seq(self) -> int:
        return self.event.seq

    @property
    def action(self) -> str:
        return self.event.action

    @property
    def actor(self) -> str:
        return self.event.actor

    @property
    def person(self) -> str:
        return self.case_file.subject_name if self.case_file else ""


def _ints(values) -> set[int]:
    return {int(value) for value in values if str(value).isdigit()}


class _Names:
    """Everything the entries name, fetched once per kind of object."""

    def __init__(self, events: list[Event], objects: bool = True):
        ids: dict[str, set[str]] = {}
        for event in events:
            ids.setdefault(event.object_type, set()).add(event.object_id)
        self.users, self.by_username = self._users(events, ids)
        if objects:
            self._objects(events, ids)

    def _objects(self, events: list[Event], ids: dict[str, set[str]]) -> None:
        listed = {str(pk) for event in events if event.action in ("searched", "listed")
                  for pk in (event.data or {}).get("documents") or ()}
        self.documents = {d.pk: d for d in Document.objects.filter(
            pk__in=_ints(ids.get("document", ())) | _ints(listed))}
        self.processes = {p.pk: p for p in Process.objects.filter(
            pk__in=_ints(ids.get("process", ())))}
        case_file_ids = _ints(ids.get("case_file", ()))
        case_file_ids |= {d.case_file_id for d in self.documents.values() if d.case_file_id}
        case_file_ids |= {p.case_file_id for p in self.processes.values()}
        references = {str(event.data.get("case_file")) for event in events
                      if event.object_type == "document" and event.data.get("case_file")}
        self.case_files = {c.pk: c for c in CaseFile.objects.filter(pk__in=case_file_ids)}
        self.by_reference = {c.file_reference: c for c in self.case_files.values()}
        missing = references - set(self.by_reference)
        if missing:
            for case_file in CaseFile.objects.filter(file_reference__in=missing):
                self.by_reference[case_file.file_reference] = case_file
        self.plan_units = {u.pk: u for u in FilePlanUnit.objects.filter(
            pk__in=_ints(ids.get("plan_unit", ())))}
        self.document_types = {t.pk: t for t in DocumentType.objects.filter(
            pk__in=_ints(ids.get("document_type", ())))}
        self.correspondents = {c.pk: c for c in Correspondent.objects.filter(
            pk__in=_ints(ids.get("correspondent", ())))}

    @staticmethod
    def _users(events: list[Event], ids: dict[str, set[str]]) -> tuple[dict, dict]:
        user_ids = _ints(ids.get("session", ())) | _ints(ids.get("staff", ()))
        usernames = {event.actor for event in events if event.actor}
        users = get_user_model().objects.filter(pk__in=user_ids) | \
            get_user_model().objects.filter(username__in=usernames)
        by_pk = {u.pk: u for u in users}
        return by_pk, {u.username: u for u in by_pk.values()}

    def who(self, username: str) -> str:
        user = self.by_username.get(username)
        full = user.get_full_name().strip() if user else ""
        if not username:
            return _("System")
        return f"{full} ({username})" if full else username

    def case_file(self, event: Event) -> CaseFile | None:
        key = event.object_id
        if event.object_type == "case_file" and key.isdigit():
            return self.case_files.get(int(key))
        if event.object_type == "document":
            reference = event.data.get("case_file")
            if reference and reference in self.by_reference:
                return self.by_reference[reference]
            document = self.documents.get(int(key)) if key.isdigit() else None
            return self.case_files.get(document.case_file_id) if document else None
        if event.object_type == "process" and key.isdigit():
            process = self.processes.get(int(key))
            return self.case_files.get(process.case_file_id) if process else None
        return None

    def label(self, event: Event, case_file: CaseFile | None) -> str:
        kind, key, data = event.object_type, event.object_id, event.clear_data or {}
        noun = object_type_label(kind)
        number = int(key) if key.isdigit() else None
        if kind == "case_file":
            reference = case_file.file_reference if case_file else data.get("file_reference")
            return f"{noun} {reference or key}"
        if kind == "document":
            document = self.documents.get(number)
            if document is None or document.destroyed_at:
                name = _("%(noun)s Nr. %(id)s (vernichtet)") % {"noun": noun, "id": key} \
                    if document else f"{noun} Nr. {key}"
            else:
                name = f"{noun} „{document.title}“"
            return f"{name}, {object_type_label('case_file')} {case_file.file_reference}" \
                if case_file else name
        if kind == "process":
            process = self.processes.get(number)
            name = f"{noun} „{process.title}“" if process else f"{noun} Nr. {key}"
            return f"{name}, {object_type_label('case_file')} {case_file.file_reference}" \
                if case_file else name
        if kind == "plan_unit" and number in self.plan_units:
            unit = self.plan_units[number]
            return f"{noun} {unit.code} {unit.title}"
        if kind == "document_type" and number in self.document_types:
            return f"{noun} „{self.document_types[number].name}“"
        if kind == "correspondent" and number in self.correspondents:
            return f"{noun} „{self.correspondents[number].name}“"
        if kind in ("session", "staff"):
            user = self.users.get(number)
            name = user.username if user else data.get("attempted_username") or \
                data.get("username") or key
            return f"{noun} {name}" if kind == "staff" else \
                _("%(noun)s von %(name)s") % {"noun": noun, "name": name}
        if kind == "report":
            subject = data.get("subject", "")
            return _("%(noun)s über %(kind)s „%(subject)s“") % {
                "noun": noun, "kind": report_kind_label(key), "subject": subject}
        if kind == "xdomea_message":  # handed in on the pages, kept under its hash
            return f"{noun} „{data.get('name', '')}“ (SHA-256 {key[:12]}…)"
        if kind == "retention_schedule" and data.get("key"):
            return f"{noun} {data['key']}"
        if kind == "blob":
            return f"{noun} (SHA-256 {key[:12]}…)"
        if kind in ("search", "inbox", "document_list") and data.get("documents"):
            return _("%(noun)s, gezeigt: %(count)s Dokument(e)") % {
                "noun": noun, "count": len(data["documents"])}
        if kind in ("search", "inbox", "case_file_list", "retention", "blob_store", "package"):
            return noun
        return f"{noun} Nr. {key}" if key else noun

    def shown(self, event: Event) -> list[str]:
        """The documents a search or list showed, by title and case file (or number)."""
        if event.action not in ("searched", "listed"):
            return []
        pictures = {str(pk) for pk in (event.data or {}).get("thumbnails") or ()}
        labels = []
        for pk in (event.data or {}).get("documents") or ():
            document = self.documents.get(int(pk)) if str(pk).isdigit() else None
            case_file = self.case_files.get(document.case_file_id) if document else None
            if document is None or document.destroyed_at:
                label = _("Dokument Nr. %(id)s") % {"id": pk}
            else:
                label = f"„{document.title}“"
            if case_file:
                label = f"{label} ({case_file.file_reference})"
            if str(pk) in pictures:
                label = _("%(label)s mit Vorschaubild") % {"label": label}
            labels.append(label)
        return labels

    def action(self, event: Event) -> str:
        """The action's label; a refused read says what was tried."""
        label = event_label(event.action)
        requested = (event.data or {}).get("requested")
        if event.action == "read_refused" and requested:
            return _("%(label)s (versucht: %(requested)s)") % {
                "label": label, "requested": event_label(requested)}
        return label


def trail_entries(events, *, objects: bool = True) -> list[TrailEntry]:
    """The given entries, ready to show, in the order given. `objects=False` for a list
    that names no object (an object's own history: when, who, what, why): the objects'
    names and case files are then neither fetched nor given (no `object_label`, no
    `case_file`)."""
    events = events_unseal(events)  # sealed payloads in the clear, or "gelöscht"
    names = _Names(events, objects=objects)
    entries = []
    for event in events:
        case_file = names.case_file(event) if objects else None
        via = (event.data or {}).get("via") or {}
        entries.append(TrailEntry(
            event=event, at=timezone.localtime(event.at), who=names.who(event.actor),
            action_label=names.action(event),
            object_label=names.label(event, case_file) if objects else "",
            purpose=event.clear_purpose, channel=channel_label(via.get("channel", "")),
            case_file=case_file,
            file_reference=case_file.file_reference if case_file else
            str((event.data or {}).get("case_file") or ""),
            data=event.clear_data or {},
            role=choice_label(Role, (event.data or {})["role"])
            if (event.data or {}).get("role") else "",
            basis=read_basis_label((event.data or {})["basis"])
            if (event.data or {}).get("basis") else "",
            shown=names.shown(event)))
    return entries
