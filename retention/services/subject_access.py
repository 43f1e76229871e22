"""The data subject's access report (Art. 15 GDPR): every case file and document concerning
the person, and every recorded access to them with date and purpose, as PDF/A."""
from datetime import date

from django.db.models import Q
from django.utils import timezone

from archive.actors import Actor
from archive.models import CaseFile
from archive.selectors import READ_ACTIONS
from archive.services.reports import Period, report_person

from ..protocol import pdfa_from_lines

ACCESS_ACTIONS = (*READ_ACTIONS, "break_glass")


def subject_access_report(*, actor: Actor, person: str, until: date | None = None) -> bytes:
    # report_person checks the role (DPO only) and logs the report itself.
    events = report_person(actor=actor, person=person, period=Period(date(2000, 1, 1),
                                                                   until or timezone.localdate()))
    case_files = CaseFile.objects.filter(Q(subject_name__icontains=person.strip())
                                         | Q(client_number=person.strip()),
                                         destroyed_at__isnull=True)
    lines = [f"Auskunft nach Art. 15 DSGVO: {person}", "",
             "Akten und Dokumente, die die Person betreffen:"]
    for case_file in case_files:
        marks = " [Verarbeitung eingeschränkt]" if case_file.restricted else ""
        marks += f" [bestritten: {case_file.disputed_note}]" if case_file.disputed_note else ""
        lines.append(f"  Akte {case_file.file_reference}: {case_file.title}{marks}")
        for document in case_file.documents.filter(destroyed_at__isnull=True):
            lines.append(f"    Dokument {document.pk}: {document.title}, eingegangen "
                         f"{timezone.localtime(document.received_at):%d.%m.%Y}")
    lines += ["", "Aufgezeichnete Zugriffe (Datum, Person, Art, Zweck):"]
    for event in events:
        if event.action in ACCESS_ACTIONS:
            at = timezone.localtime(event.at)
            lines.append(f"  {at:%d.%m.%Y %H:%M}  {event.actor}  {event.action}  "
                         f"{event.object_type} {event.object_id}  {event.purpose}")
    return pdfa_from_lines(f"Auskunft Art. 15 DSGVO {person}", lines)
