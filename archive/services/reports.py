"""Reports for the data-protection officer: who accessed what, concerning whom, and what a
user did, in a period. Running a report is itself logged. The report reads as people read
it (`report_groups`: by person and case file, who, when, what, why in German) and goes out
as CSV for a German spreadsheet (`csv_text`, the one CSV writer of the system)."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_person, require_role
from ..models import CaseFile, Document, Event, Role
from .events import event_append
from .trail import TrailEntry, trail_entries
from .trail_analysis import trail_analysis_approval


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (datetime.combine(self.start, time.min, zone),
                datetime.combine(self.end, time.max, zone))


def _case_files_events(case_files: QuerySet[CaseFile]) -> Q:
    condition = Q(pk__in=[])
    for case_file in case_files:
        document_ids = [str(pk) for pk in case_file.documents.values_list("pk", flat=True)]
        process_ids = [str(pk) for pk in case_file.processes.values_list("pk", flat=True)]
        condition |= Q(object_type="case_file", object_id=str(case_file.pk))
        condition |= Q(object_type="document", object_id__in=document_ids)
        condition |= Q(object_type="process", object_id__in=process_ids)
        # Documents read while they were in this case file and have moved on since.
        condition |= Q(object_type="document", data__case_file=case_file.file_reference)
    return condition


@dataclass(frozen=True)
class Narrowing:
    """Optional filters of a report beyond its subject and period: whose actions, which
    action. Recorded in the report's own trail entry."""

    user: str = ""
    action: str = ""

    def condition(self) -> Q:
        condition = Q()
        if self.user.strip():
            condition &= Q(actor=self.user.strip())
        if self.action.strip():
            condition &= Q(action=self.action.strip())
        return condition

    def recorded(self) -> dict:
        return {key: value.strip() for key, value in (("user", self.user),
                                                      ("action", self.action)) if value.strip()}


# Events that name documents shown in a list (their titles, senders, snippets): a search's
# page of hits, a list of documents, the inbox.
LISTING_ACTIONS = ("searched", "listed")


def _shown_in(case_files: QuerySet[CaseFile], start: datetime, end: datetime) -> Q:
    """The searches and lists of the period that showed a document of these case files. The
    ids sit in a JSON list, which not every database can look into, so the period's listing
    events are read here (one query, only their data) and picked by their ids."""
    wanted = {str(pk) for pk in Document.objects.filter(case_file__in=case_files)
              .values_list("pk", flat=True)}
    if not wanted:
        return Q(pk__in=[])
    listings = (Event.objects.filter(action__in=LISTING_ACTIONS, at__gte=start, at__lte=end)
                .values_list("seq", "data"))
    seqs = [seq for seq, data in listings.iterator(chunk_size=2000)
            if wanted.intersection(str(pk) for pk in (data or {}).get("documents") or ())]
    return Q(seq__in=seqs)


def _run(actor: Actor, kind: str, subject: str, period: Period, condition: Q,
         narrowing: Narrowing | None = None, case_files: QuerySet[CaseFile] | None = None,
         recorded: dict | None = None) -> QuerySet[Event]:
    require_role(require_person(actor), Role.DATA_PROTECTION)
    narrowing = narrowing or Narrowing()
    start, end = period.bounds()
    if case_files is not None:  # whose search or list showed these files' documents
        condition |= _shown_in(case_files, start, end)
    data = {"subject": subject, "from": period.start.isoformat(), "to": period.end.isoformat()}
    if narrowing.recorded():
        data["filters"] = narrowing.recorded()
    data.update(recorded or {})
    event_append(action="report", object_type="report", object_id=kind, actor=actor, data=data)
    return Event.objects.filter(condition, narrowing.condition(), at__gte=start,
                                at__lte=end).order_by("seq")


def report_case_file(*, actor: Actor, file_reference: str, period: Period,
                     narrowing: Narrowing | None = None) -> QuerySet[Event]:
    case_files = CaseFile.objects.filter(file_reference=file_reference.strip())
    return _run(actor, "case_file", file_reference, period, _case_files_events(case_files),
                narrowing, case_files)


BIRTH_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


def _birth_date(text: str) -> date | None:
    for pattern in BIRTH_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def person_case_files(person: str) -> QuerySet[CaseFile]:
    """The case files of a person, found by the subject's name (a part of it), client number
    (exactly) or birth date (written 12.04.1968 or 1968-04-12)."""
    person = person.strip()
    if not person:
        return CaseFile.objects.none()
    born = _birth_date(person)
    if born is not None:
        return CaseFile.objects.filter(subject_birth_date=born)
    return CaseFile.objects.filter(Q(subject_name__icontains=person) | Q(client_number=person))


def report_person(*, actor: Actor, person: str, period: Period,
                  narrowing: Narrowing | None = None, recorded: dict | None = None
                  ) -> QuerySet[Event]:
    """Everything concerning a person: by name, client number or birth date of the case
    files' subject. `recorded` adds to what the report's own entry records (the Art. 15
    letter's choice to name staff, and why)."""
    person = person.strip()
    case_files = person_case_files(person)
    return _run(actor, "person", person, period, _case_files_events(case_files), narrowing,
                case_files, recorded)


def report_user(*, actor: Actor, username: str, period: Period,
                narrowing: Narrowing | None = None) -> QuerySet[Event]:
    """Everything a staff member did, across files: an analysis of staff behaviour, run only
    under a four-eyes approval (archive/services/trail_analysis.py), which its entry names."""
    officer = require_person(actor)
    require_role(officer, Role.DATA_PROTECTION)
    approval = trail_analysis_approval(user=officer, subject=username, start=period.start,
                                       end=period.end)
    return _run(actor, "user", username, period, Q(actor=username.strip()), narrowing,
                recorded={"approval": approval.pk})


@dataclass
class ReportGroup:
    """The entries of a report concerning one case file (and so one person), or none."""

    case_file: CaseFile | None
    entries: list[TrailEntry] = field(default_factory=list)

    @property
    def person(self) -> str:
        return self.case_file.subject_name if self.case_file else ""

    @property
    def heading(self) -> str:
        if self.case_file is None:
            return _("Ohne Bezug zu einer Akte")
        person = self.case_file.subject_name or _("ohne benannte Person")
        if self.case_file.client_number:
            person = f"{person} ({_('Kundennummer')} {self.case_file.client_number})"
        return f"{person} · {_('Akte')} {self.case_file.file_reference} · " \
               f"{self.case_file.title}"


def report_groups(entries: list[TrailEntry]) -> list[ReportGroup]:
    """Entries grouped by person and case file (the person's name, then the file reference),
    in time order within a group; entries without a case file come last."""
    groups: dict[int | None, ReportGroup] = {}
    for entry in entries:
        key = entry.case_file.pk if entry.case_file else None
        groups.setdefault(key, ReportGroup(entry.case_file)).entries.append(entry)
    return sorted(groups.values(), key=lambda group: (
        group.case_file is None,
        (group.person or "").casefold(),
        group.case_file.file_reference if group.case_file else ""))


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value as a CSV cell that no spreadsheet evaluates: a leading formula character is
    preceded by a single quote, so a purpose like =HYPERLINK(...) stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A spreadsheet set to German reads these without an import dialog: the byte order mark tells
# it UTF-8, the semicolon is its list separator (the comma is the decimal one).
CSV_BOM = "\ufeff"
CSV_DELIMITER = ";"


def csv_value(value) -> str:
    """A value as people in Germany write it: times in local time, dd.mm.yyyy dates."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    return "" if value is None else str(value)


def csv_text(header: list, rows) -> str:
    """Every CSV the system writes goes through here: for German Excel (UTF-8 with byte order
    mark, semicolons, CRLF), German dates in local time, every cell neutralised."""
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_cell(csv_value(name)) for name in header])
    for row in rows:
        writer.writerow([csv_cell(csv_value(value)) for value in row])
    return out.getvalue()


def report_csv_header() -> list[str]:
    return [_("Nr."), _("Zeitpunkt"), _("Wer"), _("Was"), _("Objekt"), _("Aktenzeichen"),
            _("Betroffene Person"), _("Zweck"), _("Kanal"), _("Rolle"), _("Grundlage"),
            _("Gezeigte Dokumente")]


def report_csv(events) -> str:
    """The report as CSV: one row per entry, with the names and labels of the page."""
    events = list(events)
    entries = events if events and isinstance(events[0], TrailEntry) else \
        trail_entries(events)
    return csv_text(report_csv_header(), ([
        entry.seq, entry.at, entry.who, entry.action_label, entry.object_label,
        entry.file_reference, entry.person, entry.purpose, entry.channel, entry.role,
        entry.basis, ", ".join(entry.shown)]
        for entry in entries))


REPORT_KINDS = {"case_file": report_case_file, "person": report_person, "user": report_user}
_SUBJECT_ARGUMENT = {"case_file": "file_reference", "person": "person", "user": "username"}


def report_run(*, actor: Actor, kind: str, subject: str, period: Period,
               narrowing: Narrowing | None = None) -> QuerySet[Event]:
    """One entry for pages and command line: the report of this kind about this subject."""
    if kind not in REPORT_KINDS:
        raise InvalidInput(f"Unbekannte Berichtsart {kind!r}.", code="REPORT_KIND")
    return REPORT_KINDS[kind](actor=actor, period=period, narrowing=narrowing,
                              **{_SUBJECT_ARGUMENT[kind]: subject})
