"""The deadline watch (Fristenwächter): from each document's type, its receipt as recorded in
the tamper-evident trail and the rules (models.DeadlineRule), the deadlines of open case files
and how close they are. Derived on every call, never stored: a changed rule, type or
responsibility shows at once.

The receipt is the trail's entry of the original's arrival (`received`, written when the bytes
were stored, found by the original's hash), else the document's first entry (`filed` or
`inbox`); its local date starts the period (dates.py)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from archive.models import CaseFile, Document, Event, Version
from archive.selectors import documents_visible_to

from .dates import holiday_name, months_added, next_working_day
from .models import DeadlineDone, DeadlineRule

OVERDUE, DUE_SOON, OK = "overdue", "due_soon", "ok"
RISK_LABELS = {OVERDUE: "überschritten", DUE_SOON: "läuft bald ab", OK: "in Ordnung"}


@dataclass(frozen=True)
class Receipt:
    at: datetime          # when the trail recorded it (aware; shown in local time)
    seq: int | None       # the trail entry; None when the trail has none (then: the document)
    action: str           # "received", "filed", "inbox", or "" (document's own date)

    @property
    def day(self) -> date:
        return timezone.localtime(self.at).date()

    @property
    def from_trail(self) -> bool:
        return self.seq is not None


@dataclass(frozen=True)
class Deadline:
    document: Document
    rule: DeadlineRule
    receipt: Receipt
    end: date
    unmoved_end: date     # before moving off a weekend or holiday (§ 64 Abs. 3 SGG)
    risk: str

    @property
    def case_file(self) -> CaseFile:
        return self.document.case_file

    @property
    def key(self) -> str:
        return f"deadline:{self.document.pk}:{self.rule.pk}"

    @property
    def moved_because(self) -> str:
        if self.end == self.unmoved_end:
            return ""
        return holiday_name(self.unmoved_end) or (
            "Samstag" if self.unmoved_end.weekday() == 5 else "Sonntag")

    @property
    def responsible_id(self) -> int | None:
        case_file = self.case_file
        return case_file.responsible_id or case_file.unit.default_caseworker_id

    @property
    def risk_label(self) -> str:
        return RISK_LABELS[self.risk]


def risk_of(end: date, today: date, warn_days: int | None = None) -> str:
    warn_days = settings.DEADLINE_WARN_DAYS if warn_days is None else warn_days
    if end < today:
        return OVERDUE
    if (end - today).days <= warn_days:
        return DUE_SOON
    return OK


def receipts(documents: list[Document]) -> dict[int, Receipt]:
    """Each document's receipt from the trail, in three queries however many documents."""
    ids = [document.pk for document in documents]
    filing: dict[int, Event] = {}
    for event in (Event.objects.filter(object_type="document", action__in=("filed", "inbox"),
                                       object_id__in=[str(pk) for pk in ids])
                  .order_by("seq").only("seq", "at", "action", "object_id")):
        filing.setdefault(int(event.object_id), event)
    original = dict(Version.objects.filter(document_id__in=ids, number=1)
                    .values_list("document_id", "original_sha256"))
    arrivals: dict[str, list[Event]] = {}
    if original:
        for event in (Event.objects.filter(action="received", object_type="ingest_job",
                                           data__sha256__in=sorted(set(original.values())))
                      .order_by("seq").only("seq", "at", "action", "data")):
            arrivals.setdefault(event.data.get("sha256", ""), []).append(event)
    found = {}
    for document in documents:
        filed = filing.get(document.pk)
        # The arrival that led to this filing: the last one of these bytes before it.
        earlier = [event for event in arrivals.get(original.get(document.pk, ""), [])
                   if filed is None or event.seq < filed.seq]
        event = earlier[-1] if earlier else filed
        found[document.pk] = (Receipt(at=event.at, seq=event.seq, action=event.action)
                              if event is not None
                              else Receipt(at=document.received_at, seq=None, action=""))
    return found


def _responsible_q(user_ids, unit_ids) -> Q:
    """Whose deadlines these are: the file's caseworker, else the unit's default one, else
    the unit's shared desk."""
    user_ids, unit_ids = list(user_ids), list(unit_ids)
    return (Q(case_file__responsible_id__in=user_ids)
            | Q(case_file__responsible__isnull=True,
                case_file__unit__default_caseworker_id__in=user_ids)
            | Q(case_file__responsible__isnull=True,
                case_file__unit__default_caseworker__isnull=True,
                case_file__unit_id__in=unit_ids))


def deadlines_open(user, *, user_ids=(), unit_ids=(), whole_units=(), today: date | None = None,
                   warn_days: int | None = None) -> list[Deadline]:
    """Open deadlines of documents the user may read in open case files: those of the people
    in `user_ids` and of the shared desks of `unit_ids`, or (a unit lead's view) all of the
    units in `whole_units`. Earliest end first. A fixed number of queries."""
    today = today or timezone.localdate()
    rules: dict[str, list[DeadlineRule]] = {}
    for rule in DeadlineRule.objects.filter(active=True):
        rules.setdefault(rule.document_type, []).append(rule)
    if not rules:
        return []
    whose = (Q(case_file__unit_id__in=list(whole_units)) if whole_units
             else _responsible_q(user_ids, unit_ids))
    # Only documents with a rule not yet marked done: most post of a file is long settled,
    # and loading it (with its file and unit) only to drop it below was most of a desk's time.
    undone_rule = Exists(
        DeadlineRule.objects.filter(active=True, document_type=OuterRef("document_type"))
        .exclude(Exists(DeadlineDone.objects.filter(document_id=OuterRef(OuterRef("pk")),
                                                    rule_id=OuterRef("pk")))))
    documents = list(
        documents_visible_to(user)
        .filter(whose, undone_rule, case_file__isnull=False, case_file__closed_at__isnull=True,
                case_file__destroyed_at__isnull=True, document_type__in=list(rules))
        # Only what a deadline shows and derives from: the documents of a desk are loaded on
        # every visit, and whole rows (with the process the selector joins) were most of it.
        .select_related(None).select_related("case_file__unit")
        .only("pk", "title", "document_type", "received_at", "case_file_id",
              "case_file__file_reference", "case_file__unit_id",
              "case_file__responsible_id", "case_file__unit__default_caseworker_id")
        .order_by("pk"))
    if not documents:
        return []
    done = set(DeadlineDone.objects.filter(document__in=[d.pk for d in documents])
               .values_list("document_id", "rule_id"))
    found = receipts(documents)
    deadlines = []
    for document in documents:
        receipt = found[document.pk]
        for rule in rules[document.document_type]:
            if (document.pk, rule.pk) in done:
                continue
            unmoved = months_added(receipt.day, rule.months) + timedelta(days=rule.days)
            end = next_working_day(unmoved)
            deadlines.append(Deadline(document=document, rule=rule, receipt=receipt, end=end,
                                      unmoved_end=unmoved,
                                      risk=risk_of(end, today, warn_days)))
    deadlines.sort(key=lambda deadline: (deadline.end, deadline.document.pk, deadline.rule.pk))
    return deadlines


