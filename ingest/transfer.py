"""The transfer note (Transfervermerk, BSI TR-RESISCAN): who scanned what, on which device with
which settings, how many pages were declared and found; bound to the scan by its SHA-256 and
written to the hash-chained event log."""
import hashlib
import json

from django.utils import timezone

from archive.services.events import event_append
from archive.timestamps import transfer_note_token

from .models import IngestJob


def transfer_note_build(job: IngestJob, *, found: dict) -> dict:
    """The note with its hash; transfer_note_record writes it to the event log."""
    declared = job.provenance.get("scan", {})
    note = {
        "scan_sha256": job.original_sha256,
        "scan_name": job.original_name,
        "received_at": job.created_at.isoformat(),
        "source": job.source,
        "operator": declared.get("operator") or job.submitted_by or job.source,
        "device": declared.get("device", ""),
        "profile": declared.get("profile", ""),
        "resolution_dpi": declared.get("resolution_dpi") or found.get("resolution_dpi"),
        "colour_mode": declared.get("colour_mode") or found.get("colour_mode"),
        "pages_declared": declared.get("pages_declared"),
        "pages_found": found.get("pages_found"),
        "written_at": timezone.now().isoformat(),
    }
    declared_pages = note["pages_declared"]
    note["pages_match"] = declared_pages in (None, "") or int(declared_pages) == note["pages_found"]
    canonical = json.dumps(note, sort_keys=True, ensure_ascii=False).encode()
    return {**note, "note_sha256": hashlib.sha256(canonical).hexdigest()}


def transfer_note_record(job: IngestJob, note: dict) -> None:
    """Written with an RFC 3161 token over the note's hash when an authority is configured
    (archive/timestamps.py); without one, or while it is down, the note goes in unstamped."""
    body = {key: value for key, value in note.items() if key != "note_sha256"}
    data = {"note": body, "note_sha256": note["note_sha256"]}
    token = transfer_note_token(note["note_sha256"])
    if token:
        data["timestamp"] = token
    event_append(action="transfer_note", object_type="ingest_job", object_id=job.pk,
                 actor=note["operator"], data=data)
