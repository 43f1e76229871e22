"""The data subject's access report (Art. 15 GDPR, § 83 SGB X) as a letter of the authority:
its letterhead (settings AUTHORITY_*), every case file and document concerning the person with
the storage period, every recorded access with local time, who, what (German labels), on
which object and why, the recipients of disclosures from the person's files (the disclosure
register, Art. 15(1)(c) GDPR), and the person's rights; as PDF/A-2b. The letter goes to a
citizen and is therefore always German, whatever language the officer's pages are in.

Staff are named only where indispensable (CJEU C-579/21): by default an access says the
reader's role and organisation unit, never the person. The officer may name staff for one
letter, with a reason that the report's own trail entry records (`StaffNaming`). The same
content goes out as CSV (`subject_access_csv`) for a copy the person can process.

The person is found by name, birth date or client number (`person_case_files`)."""
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from archive.actors import Actor
from archive.errors import InvalidInput
from archive.guards import require_person, require_role
from archive.models import CaseFile, DocumentType, Role
from archive.selectors import READ_ACTIONS
from archive.services.reports import Period, csv_text, person_case_files, report_person
from archive.services.trail import TrailEntry, trail_entries

from ..models import CaseFileRetention, Disclosure
from ..protocol import Letter, german_time, letter_pdfa

ACCESS_ACTIONS = (*READ_ACTIONS, "break_glass")
# Columns of the table of accesses, in mm (the text width of the letter is 165 mm).
ACCESS_WIDTHS = (26, 37, 22, 38, 42)

RIGHTS = (
    "Sie können verlangen, dass unrichtige Daten berichtigt (Art. 16 DSGVO), Daten gelöscht "
    "(Art. 17 DSGVO, § 84 SGB X) oder ihre Verarbeitung eingeschränkt wird (Art. 18 DSGVO), "
    "und der Verarbeitung widersprechen (Art. 21 DSGVO). Sie haben das Recht, sich bei einer "
    "Datenschutz-Aufsichtsbehörde zu beschweren (Art. 77 DSGVO).")


@dataclass(frozen=True)
class StaffNaming:
    """Whether the letter names the staff who accessed the data, and why. Off by default:
    then each access names the reader's role and unit only."""

    named: bool = False
    reason: str = ""

    def checked(self) -> "StaffNaming":
        if self.named and not self.reason.strip():
            raise InvalidInput("Die namentliche Nennung von Beschäftigten braucht eine "
                               "Begründung.", code="REASON_REQUIRED")
        return StaffNaming(self.named, self.reason.strip()[:500] if self.named else "")

    def recorded(self) -> dict:
        return {"staff_named": True, "staff_reason": self.reason} if self.named else \
            {"staff_named": False}


NO_STAFF = StaffNaming()
SYSTEM = "automatisch (System)"


def _staff_descriptions(entries: list[TrailEntry]) -> dict[str, str]:
    """Each reader as role and organisation unit(s), never by name: "Sachbearbeitung,
    Sachgebiet A". Looked up together for all entries."""
    usernames = {entry.actor for entry in entries}
    users = (get_user_model().objects.filter(username__in=usernames)
             .select_related("staff_profile").prefetch_related("staff_profile__units"))
    described = {}
    for user in users:
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            described[user.username] = "Beschäftigte(r) der Behörde"
            continue
        units = ", ".join(sorted(unit.name for unit in profile.units.all()))
        role = profile.get_role_display()
        described[user.username] = f"{role}, {units}" if units else str(role)
    return described


def _who(entry: TrailEntry, described: dict[str, str], naming: StaffNaming) -> str:
    if naming.named:
        return entry.who
    if entry.actor not in described:
        return SYSTEM
    text = described[entry.actor]
    # The role recorded with the read is the one at that time.
    if entry.role and not text.startswith(entry.role):
        text = f"{entry.role}, {text.split(', ', 1)[1]}" if ", " in text else entry.role
    return text


def _recipient(person: str, case_files: list[CaseFile]) -> str:
    names = {case_file.subject_name for case_file in case_files if case_file.subject_name}
    return names.pop() if len(names) == 1 else person


@dataclass(frozen=True)
class _Document:
    title: str
    kind: str
    letter_date: str
    received: str
    sender: str

    @property
    def day(self) -> str:
        return self.letter_date or self.received

    def line(self) -> str:
        text = f"  – {self.title} ({self.kind})"
        if self.letter_date:
            text += f", Schreiben vom {self.letter_date}"
        if self.sender:
            text += f" von {self.sender}"
        return text + f", eingegangen am {self.received}"


def _documents(case_file: CaseFile) -> list[_Document]:
    """Each document of the file with its type, date and sender."""
    types = dict(DocumentType.objects.values_list("key", "name"))
    return [_Document(document.title, types.get(document.document_type, "") or "ohne Dokumenttyp",
                      german_time(document.letter_date) if document.letter_date else "",
                      german_time(timezone.localdate(document.received_at)), document.sender)
            for document in case_file.documents.filter(destroyed_at__isnull=True).order_by(
                "received_at", "pk")]


def _case_file_blocks(case_files: list[CaseFile]) -> list:
    if not case_files:
        return [("p", "Wir führen keine Akte, die Sie betrifft.")]
    ends = {record.case_file_id: record.override_end or record.computed_end
            for record in CaseFileRetention.objects.filter(case_file__in=case_files)}
    blocks = []
    for case_file in case_files:
        text = (f"Akte {case_file.file_reference} „{case_file.title}“, angelegt am "
                f"{german_time(timezone.localdate(case_file.created_at))}")
        if case_file.closed_at:
            text += f", abgeschlossen am {german_time(timezone.localdate(case_file.closed_at))}"
        if ends.get(case_file.pk):
            text += f"; aufbewahrt bis {german_time(ends[case_file.pk])}"
        if case_file.restricted:
            text += ". Die Verarbeitung ist eingeschränkt (Art. 18 DSGVO)"
        if case_file.disputed_note:
            text += f". Von Ihnen bestritten: {case_file.disputed_note}"
        lines = [text + "."] + [document.line() for document in _documents(case_file)]
        blocks.append(("p", "\n".join(lines)))
    return blocks


STAFF_UNNAMED = ("Beschäftigte nennen wir mit ihrer Funktion und Organisationseinheit; ihre "
                 "Namen nur, wo das für Ihre Auskunft unerlässlich ist.")
STAFF_NAMED = ("Die Beschäftigten sind namentlich genannt, weil das für diese Auskunft "
               "unerlässlich ist.")


STAFF_PLACEHOLDER = "[Beschäftigte(r)]"


def _staff_names_pattern() -> re.Pattern | None:
    """Every user name and full name of staff, to take out of purposes such as "Vertretung
    für NAME" when staff are not named."""
    names = set()
    for username, first, last in get_user_model().objects.values_list(
            "username", "first_name", "last_name"):
        names.update(name for name in (username, f"{first} {last}".strip(), last)
                     if len(name) >= 3)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _access_rows(entries: list[TrailEntry], naming: StaffNaming) -> list[tuple]:
    if naming.named:
        return [(entry.at, entry.who, entry.action_label, entry.object_label,
                 entry.purpose or "–") for entry in entries]
    described = _staff_descriptions(entries)
    pattern = _staff_names_pattern()
    return [(entry.at, _who(entry, described, naming), entry.action_label, entry.object_label,
             (pattern.sub(STAFF_PLACEHOLDER, entry.purpose) if pattern else entry.purpose)
             or "–") for entry in entries]


def _access_blocks(rows, start: date, end: date, naming: StaffNaming) -> list:
    period = f"vom {german_time(start)} bis zum {german_time(end)}"
    if not rows:
        return [("p", f"Im Zeitraum {period} ist kein Zugriff aufgezeichnet.")]
    shown = [(f"{at:%d.%m.%Y %H:%M}", *rest) for at, *rest in rows]
    return [("p", "Jeder Zugriff auf Ihre Daten wird mit Zeitpunkt, Person, Art und Zweck "
                  f"aufgezeichnet. Im Zeitraum {period} sind diese Zugriffe aufgezeichnet "
                  "(Zeiten in deutscher Ortszeit). "
                  + (STAFF_NAMED if naming.named else STAFF_UNNAMED)),
            ("t", ("Zeitpunkt", "Wer", "Was", "Woran", "Zweck"), shown, ACCESS_WIDTHS)]


DISCLOSURE_WIDTHS = (24, 60, 51, 30)


def _disclosures(case_files: list[CaseFile]) -> list[tuple]:
    """The disclosure register's entries for the person's case files (Art. 15(1)(c) GDPR):
    recipient, legal basis, date and number of documents, oldest first."""
    return [(german_time(timezone.localdate(entry.built_at)), entry.recipient,
             entry.basis_label, len(entry.documents), entry.case_file.file_reference)
            for entry in Disclosure.objects.filter(case_file__in=case_files)
            .select_related("case_file").order_by("built_at", "pk")]


def _disclosure_blocks(rows: list[tuple]) -> list:
    if not rows:
        return [("p", "Wir haben Ihre Daten niemandem außerhalb unserer Behörde übermittelt "
                      "(Akteneinsicht oder Übersendung an ein Gericht).")]
    return [("p", "Aus Ihren Akten haben wir Unterlagen an diese Empfänger übermittelt "
                  "(Akteneinsicht, Übersendung an ein Gericht oder andere Offenlegung):"),
            ("t", ("Datum", "Empfänger", "Rechtsgrundlage", "Dokumente"),
             [(day, recipient, basis, f"{count} (Akte {reference})")
              for day, recipient, basis, count, reference in rows], DISCLOSURE_WIDTHS)]


@dataclass
class _Content:
    case_files: list[CaseFile]
    rows: list[tuple]
    start: date
    end: date
    disclosures: list[tuple]


def _gather(actor: Actor, person: str, until: date | None, naming: StaffNaming) -> _Content:
    require_role(require_person(actor), Role.DATA_PROTECTION)
    naming = naming.checked()
    start, end = date(2000, 1, 1), until or timezone.localdate()
    # report_person checks the role (DPO only) and logs the report, with the naming choice.
    events = report_person(actor=actor, person=person, period=Period(start, end),
                           recorded=naming.recorded())
    case_files = list(person_case_files(person).filter(destroyed_at__isnull=True)
                      .order_by("file_reference"))
    entries = trail_entries(events.filter(action__in=ACCESS_ACTIONS))
    return _Content(case_files, _access_rows(entries, naming), start, end,
                    _disclosures(case_files))


def subject_access_csv(*, actor: Actor, person: str, until: date | None = None,
                       naming: StaffNaming = NO_STAFF) -> str:
    """The letter's content as CSV: one row per document and one per access."""
    with translation.override("de"):
        content = _gather(actor, person, until, naming)
        rows = []
        for case_file in content.case_files:
            for document in _documents(case_file):
                rows.append(("Dokument", document.day, case_file.file_reference,
                             document.title, document.kind, document.sender, "", "", ""))
        for at, who, what, where, why in content.rows:
            rows.append(("Zugriff", at, "", where, "", "", who, what, why))
        for day, recipient, basis, count, reference in content.disclosures:
            rows.append(("Offenlegung", day, reference, f"{count} Dokumente", "", "",
                         recipient, basis, ""))
        return csv_text(["Art", "Zeitpunkt oder Datum", "Aktenzeichen", "Objekt",
                         "Dokumenttyp", "Absender", "Wer", "Was", "Zweck"], rows)


def subject_access_report(*, actor: Actor, person: str, until: date | None = None,
                          naming: StaffNaming = NO_STAFF) -> bytes:
    with translation.override("de"):
        content = _gather(actor, person, until, naming)
        case_files, start, end = content.case_files, content.start, content.end
        user = actor.user
        # The officer signs by function; by name only where staff are named at all.
        signer = (user.get_full_name().strip() or user.username) if naming.named else ""
        today = german_time(timezone.localdate())
        letter = Letter(
            sender_name=settings.AUTHORITY_NAME,
            sender_lines=[*settings.AUTHORITY_ADDRESS, *settings.AUTHORITY_CONTACT],
            recipient=[_recipient(person.strip(), case_files)],
            place_date=f"Datum: {today}",
            reference="Unser Zeichen: Auskunft nach Art. 15 DSGVO",
            subject="Auskunft über die Verarbeitung Ihrer personenbezogenen Daten "
                    "(Art. 15 DSGVO, § 83 SGB X)",
            opening=("Guten Tag,\n\nSie haben Auskunft darüber verlangt, welche Daten wir über "
                     "Sie verarbeiten und wer darauf zugegriffen hat. Diese Auskunft geben wir "
                     f"Ihnen hiermit, Stand {today}."),
            blocks=[("h", "1. Akten und Dokumente, die Sie betreffen"),
                    *_case_file_blocks(case_files),
                    ("h", "2. Zugriffe auf diese Daten"),
                    *_access_blocks(content.rows, start, end, naming),
                    ("h", "3. Empfänger, denen Ihre Daten offengelegt wurden"),
                    *_disclosure_blocks(content.disclosures),
                    ("h", "4. Zweck und Speicherdauer"),
                    ("p", "Wir verarbeiten diese Daten, um unsere gesetzlichen Aufgaben als "
                          "Sozialleistungsträger zu erfüllen (§ 67b SGB X, Art. 6 Abs. 1 "
                          "Buchst. c und e DSGVO). Nach Ablauf der genannten Aufbewahrung "
                          "werden die Akten vernichtet oder dem zuständigen Archiv angeboten."),
                    ("h", "5. Ihre Rechte"),
                    ("p", RIGHTS)],
            closing=["Mit freundlichen Grüßen", "", "Im Auftrag",
                     *([signer] if signer else []), "Datenschutz", settings.AUTHORITY_NAME],
            footer=f"{settings.AUTHORITY_NAME} · Auskunft nach Art. 15 DSGVO · erstellt am "
                   f"{german_time(timezone.localtime())}",
        )
        return letter_pdfa(letter, title=f"Auskunft nach Art. 15 DSGVO: {person}")
