"""Split: separator sheets (PATCH-T, QR) divide a scanned batch into documents, and a cover
sheet's QR code routes the pages after it into a case file. Separator and cover pages are not
archived. The step writes the parts into the job's folder; the pipeline receives each as a
child job and ends the batch job as "split", in one transaction."""
from pathlib import Path

import pikepdf

from ..context import Part, Parts, PipelineContext
from ..transfer import transfer_note_build
from .barcodes import Sheet, find_sheets
from .limits import run_limited


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


def _split(ctx: PipelineContext) -> Parts | None:
    job = ctx.job
    page_count, sheets = find_sheets(ctx.pdf_path)
    ctx.scan["pages_found"] = page_count
    if job.parent_id is None:
        # The pipeline writes the note to the event log.
        note = transfer_note_build(job, found=ctx.scan)
        ctx.scan["transfer_note"] = note
        if not note["pages_match"]:
            # Pages may be missing from the batch (double feed, jam): the mailroom checks.
            ctx.flagged = True
            ctx.ocr_notes.append(f"{note['pages_declared']} pages declared, "
                                 f"{page_count} found")
    if not sheets:
        return None
    parts = segments(page_count, sheets)
    ctx.ocr_notes.append(f"batch of {page_count} pages, {len(sheets)} separator/cover sheets")
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
                      "pages_found": page_count, "flagged": ctx.flagged or job.flagged},
        }
        if reference:
            provenance["route_reference"] = reference
            provenance["route_source"] = "cover sheet"
        planned.append(Part(target, f"{stem}-teil-{number}.pdf", provenance))
    return Parts(tuple(planned), replaces_original=True)


def split(ctx: PipelineContext) -> Parts | None:
    """The parts of a batch (the pipeline receives them and ends the batch), or None."""
    if ctx.job.provenance.get("batch"):
        # A part cut out between the sheets holds none, and its batch's pages were rendered
        # and read once already: the part's own pages are all there is to record.
        ctx.scan["pages_found"] = ctx.page_count
        return None
    return run_limited(_split, ctx)  # pdfium reads the untrusted pages in a child
