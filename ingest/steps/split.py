"""Split: separator sheets (PATCH-T, QR) divide a scanned batch into documents, and a cover
sheet's QR code routes the pages after it into a case file. Separator and cover pages are not
archived. Each part becomes a child job; the batch job ends as "split"."""
from pathlib import Path

import pikepdf

from ..context import PipelineContext
from ..models import IngestJob
from ..transfer import transfer_note
from .barcodes import Sheet, find_sheets


class BatchSplit(Exception):
    """Control flow: the job handed its parts on and ends here."""

    def __init__(self, parts: int):
        self.parts = parts
        super().__init__(f"split into {parts} parts")


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
    from ..jobs import job_receive

    job = ctx.job
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
        raise BatchSplit(job.children.count())  # a retry: the parts exist already
    stem = Path(job.original_name).stem
    for number, (pages, reference) in enumerate(parts, start=1):
        target = ctx.workdir / f"part-{number}.pdf"
        _write_part(ctx.pdf_path, pages, target)
        provenance = {
            **job.provenance,
            "batch": {"job": str(job.pk), "sha256": job.original_sha256,
                      "name": job.original_name, "part": number,
                      "pages": [p + 1 for p in pages], "scan": ctx.scan,
                      "flagged": job.flagged},
        }
        if reference:
            provenance["route_reference"] = reference
            provenance["route_source"] = "cover sheet"
        job_receive(path=target, original_name=f"{stem}-teil-{number}.pdf", source=job.source,
                    submitted_by=job.submitted_by, provenance=provenance, parent=job)
    raise BatchSplit(len(parts))
