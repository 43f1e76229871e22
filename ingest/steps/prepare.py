"""Prepare: turn what was received into the working PDF that OCR reads. The original is never
changed; repaired, decrypted or converted copies live in the job's work directory."""
from pathlib import Path

import pikepdf

from ..context import Parts, PipelineContext
from ..errors import refused
from .emails import email_prepare
from .images import image_to_pdf
from .limits import run_limited
from .office import office_to_pdf


def _pdf_scan_properties(pdf: pikepdf.Pdf) -> dict:
    """Resolution and colour of the first page's largest image: what a scanner produced."""
    page = pdf.pages[0]
    images = list(page.get_images().values())
    if not images:
        return {}
    image = max(images, key=lambda i: int(i.get("/Width", 0)) * int(i.get("/Height", 0)))
    width_in = float(page.mediabox[2] - page.mediabox[0]) / 72 or 1.0
    bits = int(image.get("/BitsPerComponent", 8))
    space = str(image.get("/ColorSpace", ""))
    mode = ("bilevel" if bits == 1 else "grayscale" if "Gray" in space else "colour")
    return {"resolution_dpi": round(int(image.get("/Width", 0)) / width_in), "colour_mode": mode}


def _prepare_pdf(ctx: PipelineContext) -> None:
    with pikepdf.open(ctx.source_path, password=ctx.job.password) as pdf:
        ctx.scan = _pdf_scan_properties(pdf)
        damaged = bool(pdf.get_warnings())
        if pdf.is_encrypted or damaged:
            # OCRmyPDF reads neither encrypted nor damaged files: archive a clean copy's
            # rendition; the original stays as it came (with its signature, if any).
            working = ctx.workdir / "working.pdf"
            pdf.save(working)
            ctx.pdf_path = working
            if damaged:
                ctx.ocr_notes.append("damaged PDF repaired for the rendition")
            if pdf.is_encrypted:
                ctx.ocr_notes.append("encryption removed for the rendition")
        else:
            ctx.pdf_path = ctx.source_path
    if ctx.signed:
        ctx.ocr_notes.append("original carries a digital signature; it is kept unchanged")


def _prepare_image(ctx: PipelineContext) -> None:
    working = ctx.workdir / "images.pdf"
    try:
        found = image_to_pdf(ctx.source_path, working)
    except (OSError, ValueError, SyntaxError, EOFError):
        # PIL's message names the server's copy of the file.
        raise refused("CORRUPT_IMAGE", f"Die Bilddatei „{ctx.name}“ ist beschädigt.") from None
    ctx.pdf_path = working
    ctx.page_count = found["pages"]
    ctx.scan = {"resolution_dpi": found["resolution_dpi"], "colour_mode": found["colour_mode"]}
    ctx.ocr_notes += found["notes"]


def _prepare(ctx: PipelineContext) -> Parts | None:
    found = None
    if ctx.kind == "pdf":
        _prepare_pdf(ctx)
    elif ctx.kind == "image":
        _prepare_image(ctx)
    elif ctx.kind == "email":
        found = email_prepare(ctx)
    elif ctx.kind == "office":
        office_to_pdf(ctx)
    assert isinstance(ctx.pdf_path, Path)
    return found


def prepare(ctx: PipelineContext) -> Parts | None:
    """The working PDF; for a mail also its attachments, which the pipeline hands on."""
    return run_limited(_prepare, ctx)
