"""The data subject's access report (Art. 15 GDPR, § 83 SGB X) as a letter of the authority:
its letterhead (settings AUTHORITY_*), every case file and document concerning the person with
the storage period, every recorded access with local time, who, what (German labels), on
which object and why, and the person's rights; as PDF/A-2b. The letter goes to a citizen and
is therefore always German, whatever language the officer's pages are in."""
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from archive.actors import Actor
from archive.models import CaseFile
from archive.selectors import READ_ACTIONS
from archive.services.reports import Period, report_person
from archive.services.trail import trail_entries

from ..models import CaseFileRetention
from ..protocol import Letter, german_time, letter_pdfa

ACCESS_ACTIONS = (*READ_ACTIONS, "break_glass")
# Columns of the table of accesses, in mm (the text width of the letter is 165 mm).
ACCESS_WIDTHS = (29, 29, 24, 41, 42)

RIGHTS = (
    "Sie können verlangen, dass unrichtige Daten berichtigt (Art. 16 DSGVO), Daten gelöscht "
    "(Art. 17 DSGVO, § 84 SGB X) oder ihre Verarbeitung eingeschränkt wird (Art. 18 DSGVO), "
    "und der Verarbeitung widersprechen (Art. 21 DSGVO). Sie haben das Recht, sich bei einer "
    "Datenschutz-Aufsichtsbehörde zu beschweren (Art. 77 DSGVO).")


def _recipient(person: str, case_files: list[CaseFile]) -> str:
    names = {case_file.subject_name for case_file in case_files if case_file.subject_name}
    return names.pop() if len(names) == 1 else person


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
        lines = [text + "."]
        for document in case_file.documents.filter(destroyed_at__isnull=True).order_by(
                "received_at"):
            lines.append(f"  – {document.title}, eingegangen am "
                         f"{german_time(timezone.localdate(document.received_at))}")
        blocks.append(("p", "\n".join(lines)))
    return blocks


def _access_blocks(entries, start: date, end: date) -> list:
    period = f"vom {german_time(start)} bis zum {german_time(end)}"
    if not entries:
        return [("p", f"Im Zeitraum {period} ist kein Zugriff aufgezeichnet.")]
    rows = [(f"{entry.at:%d.%m.%Y %H:%M}", entry.who, entry.action_label, entry.object_label,
             entry.purpose or "–") for entry in entries]
    return [("p", "Jeder Zugriff auf Ihre Daten wird mit Zeitpunkt, Person, Art und Zweck "
                  f"aufgezeichnet. Im Zeitraum {period} sind diese Zugriffe aufgezeichnet "
                  "(Zeiten in deutscher Ortszeit):"),
            ("t", ("Zeitpunkt", "Wer", "Was", "Woran", "Zweck"), rows, ACCESS_WIDTHS)]


def subject_access_report(*, actor: Actor, person: str, until: date | None = None) -> bytes:
    start, end = date(2000, 1, 1), until or timezone.localdate()
    with translation.override("de"):
        # report_person checks the role (DPO only) and logs the report itself.
        events = report_person(actor=actor, person=person, period=Period(start, end))
        case_files = list(CaseFile.objects.filter(
            Q(subject_name__icontains=person.strip()) | Q(client_number=person.strip()),
            destroyed_at__isnull=True).order_by("file_reference"))
        entries = trail_entries(events.filter(action__in=ACCESS_ACTIONS))
        user = actor.user
        signer = (user.get_full_name().strip() or user.username) if user else ""
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
                    *_access_blocks(entries, start, end),
                    ("h", "3. Zweck und Speicherdauer"),
                    ("p", "Wir verarbeiten diese Daten, um unsere gesetzlichen Aufgaben als "
                          "Sozialleistungsträger zu erfüllen (§ 67b SGB X, Art. 6 Abs. 1 "
                          "Buchst. c und e DSGVO). Nach Ablauf der genannten Aufbewahrung "
                          "werden die Akten vernichtet oder dem zuständigen Archiv angeboten."),
                    ("h", "4. Ihre Rechte"),
                    ("p", RIGHTS)],
            closing=["Mit freundlichen Grüßen", "", "Im Auftrag", signer, "Datenschutz",
                     settings.AUTHORITY_NAME],
            footer=f"{settings.AUTHORITY_NAME} · Auskunft nach Art. 15 DSGVO · erstellt am "
                   f"{german_time(timezone.localtime())}",
        )
        return letter_pdfa(letter, title=f"Auskunft nach Art. 15 DSGVO: {person}")
