"""Processes (Vorgänge) inside a case file."""
from django.db import transaction
from django.utils import timezone

from ..actors import Actor
from ..errors import Conflict, InvalidInput
from ..guards import require_open, require_person, require_work
from ..models import CaseFile, Document, Process
from ..signals import document_changed
from .events import event_append


def process_create(*, actor: Actor, case_file: CaseFile, title: str) -> Process:
    user = require_person(actor)
    require_work(user, case_file)
    require_open(case_file)
    with transaction.atomic():
        process = Process.objects.create(case_file=case_file, title=title)
        event_append(action="created", object_type="process", object_id=process.pk,
                     actor=actor, data={"case_file": case_file.file_reference,
                                                "title": title})
    return process


def process_close(*, actor: Actor, process: Process) -> Process:
    user = require_person(actor)
    require_work(user, process.case_file)
    require_open(process.case_file, process)
    with transaction.atomic():
        process.closed_at, process.closed_by = timezone.now(), user.username
        process.save(update_fields=["closed_at", "closed_by"])
        event_append(action="closed", object_type="process", object_id=process.pk,
                     actor=actor, data={"case_file": process.case_file.file_reference})
    return process


def process_reopen(*, actor: Actor, process: Process, reason: str) -> Process:
    """Undo a process's zdA, with a reason, as long as its case file is open (reopening the
    file is the team lead's; a process is the caseworker's own structure)."""
    user = require_person(actor)
    require_work(user, process.case_file)
    require_open(process.case_file)
    if process.closed_at is None:
        raise Conflict("Der Vorgang ist nicht zdA verfügt.", code="PROCESS_NOT_CLOSED")
    if not reason.strip():
        raise InvalidInput("Die Wiederaufnahme braucht eine Begründung.", code="REASON_REQUIRED")
    with transaction.atomic():
        closed_at = process.closed_at
        process.closed_at, process.closed_by = None, ""
        process.save(update_fields=["closed_at", "closed_by"])
        event_append(action="reopened", object_type="process", object_id=process.pk,
                     actor=actor, purpose=reason.strip(),
                     data={"case_file": process.case_file.file_reference,
                           "was_closed_at": closed_at.isoformat()})
    return process


def process_move(*, actor: Actor, process: Process, target: CaseFile) -> Process:
    """Same id, same history; the event records where from and where to."""
    user = require_person(actor)
    source = process.case_file
    require_work(user, source)
    require_work(user, target)
    require_open(source, process)
    require_open(target)
    with transaction.atomic():
        process.case_file = target
        process.save(update_fields=["case_file"])
        moved = list(process.documents.values_list("pk", flat=True))
        process.documents.update(case_file=target)
        event_append(action="moved", object_type="process", object_id=process.pk,
                     actor=actor,
                     data={"from": source.file_reference, "to": target.file_reference,
                           "documents": moved})
        for document_id in moved:
            event_append(action="moved", object_type="document", object_id=document_id,
                         actor=actor,
                         data={"from": source.file_reference, "to": target.file_reference,
                               "with_process": process.pk})
            document_changed.send(sender=Document, document_id=document_id)
    return process
