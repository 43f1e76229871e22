"""A delivery whose type and case file a person states on the command line (`registratur
ingest PATH --document-type KEY --file-reference REF`): checked before anything is received,
recorded in the job's provenance, filed by the pipeline as a confirmation (training data, as
the mailroom's review is)."""
from archive.actors import os_account
from archive.errors import InvalidInput
from archive.guards import require_open
from archive.models import DocumentType
from archive.services.casefiles import case_file_by_reference

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
