"""Thumbnail: a small greyscale PNG of the rendition's first page, for the document page and
the search hits. It is drawn from the finished rendition (never the original), so a redacted
version's thumbnail shows the redaction; pdfium renders an A4 page at about 29 dpi,
which costs milliseconds. A thumbnail is a convenience: when none can be made this is logged
and noted, and the document is archived without one."""
import io
import logging
from pathlib import Path

import pypdfium2
from PIL import Image

from archive.blobstore import blob_put_bytes

from ..context import PipelineContext
from ..errors import IngestRefused
from .limits import run_limited
from .pdfium import PDFIUM_LOCK

log = logging.getLogger(__name__)

WIDTH = 240  # pixels; an A4 page becomes 240 x 340
MAX_HEIGHT = 4 * WIDTH  # a till roll or a very long page is cut down, not rendered in full


def thumbnail_render(pdf: Path, *, width: int = WIDTH) -> bytes:
    """PNG bytes of the first page, `width` pixels wide (narrower only if very tall)."""
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            page = document[0]
            try:
                page_width, page_height = page.get_size()
                scale = min(width / page_width, MAX_HEIGHT / page_height)
                image = page.render(scale=scale, grayscale=True).to_pil().copy()
            finally:
                page.close()
        finally:
            document.close()
    if image.width > width:  # rounding up in pdfium may add a pixel
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def thumbnail_store(pdf: Path | None) -> str:
    """Make and store the thumbnail of a rendition: its hash, or "" when none could be made.
    Never raises, so that a picture for lists cannot stop a document from being archived."""
    if pdf is None:
        return ""
    try:
        return blob_put_bytes(thumbnail_render(pdf)).sha256
    except Exception:  # a damaged or exotic rendition is still archived, just without picture
        log.warning("no thumbnail for %s", pdf.name, exc_info=True)
        return ""


def _render_first_page(ctx: PipelineContext) -> bytes:
    return thumbnail_render(ctx.rendition_path)


def thumbnail(ctx: PipelineContext) -> None:
    # The rendition keeps the original's page content: pdfium draws it in a child.
    try:
        png = run_limited(_render_first_page, ctx)
        ctx.thumbnail_sha256 = blob_put_bytes(png).sha256
    except (IngestRefused, RuntimeError, ValueError):
        log.warning("no thumbnail for job %s", ctx.job.pk, exc_info=True)
        ctx.thumbnail_sha256 = ""
    if not ctx.thumbnail_sha256:
        ctx.ocr_notes.append("no thumbnail: the first page could not be rendered")
