"""A delivery whose type and case file a person states on the command line (`registratur
ingest PATH --document-type KEY --file-reference REF`): checked before anything is received,
recorded in the job's provenance, filed by the pipeline as a confirmation (training data, as
the mailroom's review is)."""
from archive.actors import os_account
from archive.errors import InvalidInput
from archive.guards import may_work_on, require_open
from archive.models import Direction, DocumentType
from archive.selectors import case_files_visible_to
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import target_refused

from .steps.filing import may_file_into


def confirmed_delivery(*, document_type: str, file_reference: str, username: str = "",
                       os_user: str = "") -> dict:
    """The job provenance of a confirmed delivery: the route to the case file and who
    confirmed what. Unknown types and references are refused; a reference the user may not
    file into answers exactly as an unknown one (denied looks like unknown)."""
    document_type, file_reference = document_type.strip(), file_reference.strip()
    if not document_type or not file_reference:
        raise InvalidInput("Eine bestätigte Ablage braucht beides: --document-type und "
                           "--file-reference.", code="CONFIRMATION_INCOMPLETE")
    if not DocumentType.objects.filter(key=document_type, active=True).exists():
        raise InvalidInput(f"Unbekannter Dokumenttyp: {document_type} (die vorhandenen "
                           "zeigt „registratur doctype list“).", code="UNKNOWN_DOCUMENT_TYPE")
    case_file = case_file_by_reference(file_reference)
    if case_file is None or case_file.destroyed_at is not None or case_file.restricted or \
            not may_file_into(username, case_file)[0]:
        raise InvalidInput(f"Unbekanntes Aktenzeichen: {file_reference}",
                           code="UNKNOWN_FILE_REFERENCE")
    require_open(case_file)
    return {"route_reference": case_file.file_reference,
            "route_source": "Befehlszeile (bestätigt)",
            "confirmed": {"document_type": document_type,
                          "file_reference": case_file.file_reference,
                          "user": username, "os_user": os_user or os_account()}}


def api_delivery(*, user, client: str, file_reference: str = "", document_type: str = "",
                 process_id: int | None = None, direction: str = Direction.INCOMING) -> dict:
    """The job provenance of an upload through the API that names its target: a specialist
    procedure files its own letter (say, an outgoing decision) into a case file, optionally a
    process of it, with the type it states, in one call. The caller is the token's account,
    narrowed to the token's units: a file outside them, one the account may not work on and
    an unknown reference are refused alike. Without a target the upload is ordinary post."""
    if direction not in Direction.values:
        raise InvalidInput(f"Unbekannte Richtung: {direction}.", code="DIRECTION_UNKNOWN")
    if not file_reference.strip():
        if document_type.strip() or process_id is not None:
            raise InvalidInput("Dokumenttyp und Vorgang gelten nur mit einem Aktenzeichen.",
                               code="CONFIRMATION_INCOMPLETE")
        return {"direction": direction} if direction != Direction.INCOMING else {}
    case_file = case_files_visible_to(user).filter(
        file_reference=file_reference.strip()).first()
    if case_file is None or case_file.restricted or not may_work_on(user, case_file):
        raise target_refused()
    provenance = confirmed_delivery(document_type=document_type, file_reference=file_reference,
                                    username=user.username, os_user="-")
    provenance["route_source"] = f"API ({client})" if client else "API"
    provenance["direction"] = direction
    if process_id is not None:
        process = case_file.processes.filter(pk=process_id).first()
        if process is None:
            raise InvalidInput("Der Vorgang gehört nicht zu dieser Akte.",
                               code="PROCESS_NOT_IN_FILE")
        require_open(case_file, process)
        provenance["route_process"] = process.pk
    return provenance
