"""Split: separator sheets (PATCH-T, QR) divide a scanned batch into documents, and a cover
sheet's QR code routes the pages after it into a case file. Separator and cover pages are not
archived. Each part becomes a child job; the batch job ends as "split".

A batch is never itself a Version and its parts are written afresh (other bytes) each time, so
the same batch delivered again is recognised by its own SHA-256: an earlier job that split it."""
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ..context import PipelineContext
from ..jobs import job_batch_split_before, job_receive
from ..models import IngestJob
from ..transfer import transfer_note
from .barcodes import Sheet, find_sheets


@dataclass(frozen=True)
class PlannedPart:
    path: Path
    name: str
    provenance: dict


class BatchSplit(Exception):
    """Control flow: the batch's parts are written; the pipeline hands them on as child jobs
    (split_commit) in the same transaction that ends the batch job."""

    def __init__(self, planned: list[PlannedPart], *, existing: int = 0):
        self.planned = planned
        self.parts = existing or len(planned)
        super().__init__(f"split into {self.parts} parts")


class DuplicateBatch(Exception):
    """Control flow: these bytes were split before; `batch` is the job that did it."""

    def __init__(self, batch: IngestJob):
        self.batch = batch
        super().__init__(f"batch already split by job {batch.pk}")


def batch_seen_before(ctx: PipelineContext) -> None:
    earlier = job_batch_split_before(ctx.job)
    if earlier is not None:
        raise DuplicateBatch(earlier)


def split_commit(job: IngestJob, batch: BatchSplit) -> int:
    """Receive the planned parts as child jobs (call inside the batch's transaction)."""
    for part in batch.planned:
        job_receive(path=part.path, original_name=part.name, source=job.source,
                    submitted_by=job.submitted_by, provenance=part.provenance, parent=job)
    return batch.parts


def segments(page_count: int, sheets: dict[int, Sheet]) -> list[tuple[list[int], str]]:
    """Runs of content pages between sheets, each with the file reference of its cover."""
    parts: list[tuple[list[int], str]] = []
    current: list[int] = []
    reference = ""
    for index in range(page_count):
        sheet = sheets.get(index)
        if sheet is None:
            current.append(index)
            continue
        if current:
            parts.append((current, reference))
        current = []
        reference = sheet.reference if sheet.kind == "cover" else ""
    if current:
        parts.append((current, reference))
    return parts


def _write_part(source: Path, pages: list[int], target: Path) -> None:
    with pikepdf.open(source) as pdf, pikepdf.new() as part:
        for index in pages:
            part.pages.append(pdf.pages[index])
        part.save(target)


def split(ctx: PipelineContext) -> None:
    job = ctx.job
    if job.provenance.get("batch"):
        # A part cut out between the sheets holds none, and its batch's pages were rendered
        # and read once already: the part's own pages are all there is to record.
        ctx.scan["pages_found"] = ctx.page_count
        return
    page_count, sheets = find_sheets(ctx.pdf_path)
    ctx.scan["pages_found"] = page_count
    if job.parent_id is None:
        note = transfer_note(job, found=ctx.scan)
        ctx.scan["transfer_note"] = note
        if not note["pages_match"]:
            # Pages may be missing from the batch (double feed, jam): the mailroom checks.
            job.flagged = True
            IngestJob.objects.filter(pk=job.pk).update(flagged=True)
            ctx.ocr_notes.append(f"{note['pages_declared']} pages declared, "
                                 f"{page_count} found")
    if not sheets:
        return
    parts = segments(page_count, sheets)
    ctx.ocr_notes.append(f"batch of {page_count} pages, {len(sheets)} separator/cover sheets")
    if job.children.exists():
        raise BatchSplit([], existing=job.children.count())  # a retry: the parts exist
    stem = Path(job.original_name).stem
    # The operator declared the batch's pages, not a part's: that count stays with the batch.
    declared = {key: value for key, value in job.provenance.get("scan", {}).items()
                if key != "pages_declared"}
    planned = []
    for number, (pages, reference) in enumerate(parts, start=1):
        target = ctx.workdir / f"part-{number}.pdf"
        _write_part(ctx.pdf_path, pages, target)
        provenance = {
            **job.provenance, "scan": declared,
            "batch": {"job": str(job.pk), "sha256": job.original_sha256,
                      "name": job.original_name, "part": number,
                      "pages": [p + 1 for p in pages], "scan": ctx.scan,
                      "pages_declared": ctx.scan.get("transfer_note", {}).get("pages_declared"),
                      "pages_found": page_count, "flagged": job.flagged},
        }
        if reference:
            provenance["route_reference"] = reference
            provenance["route_source"] = "cover sheet"
        planned.append(PlannedPart(target, f"{stem}-teil-{number}.pdf", provenance))
    raise BatchSplit(planned)
