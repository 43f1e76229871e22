"""Reports for the data-protection officer: who accessed what, concerning whom, and what a
user did, in a period. Running a report is itself logged."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_person, require_role
from ..models import CaseFile, Event, Role
from .events import event_append

CSV_COLUMNS = ["seq", "at", "actor", "action", "object_type", "object_id", "purpose"]


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


def _run(actor: Actor, kind: str, subject: str, period: Period, condition: Q) -> QuerySet[Event]:
    require_role(require_person(actor), Role.DATA_PROTECTION)
    start, end = period.bounds()
    event_append(action="report", object_type="report", object_id=kind, actor=actor,
                 data={"subject": subject, "from": period.start.isoformat(),
                       "to": period.end.isoformat()})
    return Event.objects.filter(condition, at__gte=start, at__lte=end).order_by("seq")


def report_case_file(*, actor: Actor, file_reference: str, period: Period) -> QuerySet[Event]:
    case_files = CaseFile.objects.filter(file_reference=file_reference.strip())
    return _run(actor, "case_file", file_reference, period, _case_files_events(case_files))


def report_person(*, actor: Actor, person: str, period: Period) -> QuerySet[Event]:
    """Everything concerning a person: by name or client number of the case files' subject."""
    person = person.strip()
    case_files = CaseFile.objects.filter(Q(subject_name__icontains=person)
                                         | Q(client_number=person)) if person else \
        CaseFile.objects.none()
    return _run(actor, "person", person, period, _case_files_events(case_files))


def report_user(*, actor: Actor, username: str, period: Period) -> QuerySet[Event]:
    return _run(actor, "user", username, period, Q(actor=username.strip()))


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value as a CSV cell that no spreadsheet evaluates: a leading formula character is
    preceded by a single quote, so a purpose like =HYPERLINK(...) stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows) -> str:
    """Every CSV the system writes goes through here, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def report_csv(events) -> str:
    return csv_text(CSV_COLUMNS, ([event.seq, event.at.isoformat(), event.actor, event.action,
                                   event.object_type, event.object_id, event.purpose]
                                  for event in events))


REPORT_KINDS = {"case_file": report_case_file, "person": report_person, "user": report_user}
_SUBJECT_ARGUMENT = {"case_file": "file_reference", "person": "person", "user": "username"}


def report_run(*, actor: Actor, kind: str, subject: str, period: Period) -> QuerySet[Event]:
    """One entry for pages and command line: the report of this kind about this subject."""
    if kind not in REPORT_KINDS:
        raise InvalidInput(f"Unbekannte Berichtsart {kind!r}.", code="REPORT_KIND")
    return REPORT_KINDS[kind](actor=actor, period=period, **{_SUBJECT_ARGUMENT[kind]: subject})
