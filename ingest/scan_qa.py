"""The pipeline's part of replacement scanning (BSI TR-RESISCAN): whether a document came
from paper, and the visual-check sample drawn when it is filed. A sampled scan is held in the
mailroom's inbox instead of being filed: the mailroom may read inbox post (read basis
"inbox") but not what was filed into a unit's case file, so the check has to come first. The
case file the pipeline chose is kept and applied when the check passes
(archive/services/scan_qa.py)."""
from dataclasses import dataclass

from archive.errors import InvalidInput
from archive.models import CaseFile, Document, ScanCheck
from archive.services.scan_qa import (
    protection_need_of,
    rescan_request_open,
    scan_check_create,
    scan_sample_draw,
)

from .context import PipelineContext

# What an operator declares about a scanned batch (ingest/uploads.py SCAN_FIELDS).
DECLARED_SCAN = ("device", "profile", "resolution_dpi", "colour_mode")


def paper_origin(ctx: PipelineContext) -> bool:
    """Scanned from paper: the file shows a scan resolution, or its operator declared the
    scanner (device, profile, resolution); mail and born-digital uploads are not."""
    if ctx.kind == "email" or ctx.job.provenance.get("direction") == "outgoing":
        return False
    declared = ctx.job.provenance.get("scan") or {}
    return bool(ctx.scan.get("resolution_dpi")
                or any(declared.get(key) for key in DECLARED_SCAN))


@dataclass(frozen=True)
class Draw:
    need: str
    sequence: int
    sampled: bool
    held: CaseFile | None  # where the pipeline would have filed a sampled scan
    rescan_of: ScanCheck | None


def scan_qa_draw(ctx: PipelineContext, *, document_type: str,
                 case_file: CaseFile | None) -> Draw | None:
    """For a new scanned document: its need, its place in the need's sequence and whether it
    is drawn (a rescan always is). None for anything else, new versions included."""
    if ctx.job.provenance.get("new_version_of") or not paper_origin(ctx):
        return None
    rescan_id = ctx.job.provenance.get("rescan_of")
    # Checked when it was handed in; a request answered meanwhile counts as none.
    rescan_of = None
    if rescan_id:
        try:
            rescan_of = rescan_request_open(rescan_id)
        except InvalidInput:  # answered meanwhile: an ordinary scan then
            rescan_of = None
    need = protection_need_of(document_type)
    sequence, sampled = scan_sample_draw(need, always=rescan_of is not None)
    return Draw(need, sequence, sampled, case_file if sampled else None, rescan_of)


def held_reason(draw: Draw, reason: str) -> str:
    return (f"Stichprobe zur Sichtprüfung (Schutzbedarf {draw.need}, Nr. {draw.sequence}); "
            f"nach bestandener Prüfung: {reason}")


def scan_qa_record(draw: Draw | None, document: Document) -> None:
    if draw is not None:
        scan_check_create(document=document, need=draw.need, sequence=draw.sequence,
                          sampled=draw.sampled, held_case_file=draw.held,
                          rescan_of=draw.rescan_of)
