"""Page images of a rendition for the document page: one small picture per page (the page
thumbnails and the surface redaction boxes are drawn on), the page sizes that turn a box
drawn on such a picture into millimetres, and a preview of a redaction (the page with black
boxes, nothing stored or changed).

The web process asks for these, so the rendition (which keeps the original's page content:
untrusted) is never parsed in it: pdftoppm and pdfinfo run as child processes under the
job's memory limit and a time limit, and a PDF that crashes or exhausts them costs a child,
not the web server. Pictures and sizes are cached under `$DATA_DIR/cache/pages/<document>/`
(the service account's alone, like the rest of the data directory); the cache of a document
goes when it is destroyed (`page_cache_purge`, a `documents_destroyed` receiver)."""
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw

from archive.blobstore import blob_path

from .errors import failed
from .steps.limits import limit_child

log = logging.getLogger(__name__)

WIDTHS = (160, 800)  # the thumbnail strip, and the page picture boxes are drawn on
TIMEOUT_SECONDS = 60
MM_PER_POINT = 25.4 / 72
_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.MULTILINE)
_ROTATION = re.compile(r"^Page\s+(\d+)\s+rot:\s+(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class PageSize:
    """A page as it is shown (crop box, turned by its /Rotate), in PDF points."""

    width: float
    height: float

    @property
    def width_mm(self) -> float:
        return self.width * MM_PER_POINT

    @property
    def height_mm(self) -> float:
        return self.height * MM_PER_POINT


def _cache_root() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "pages"


def _cache_dir(document_id: int, rendition_sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", rendition_sha256):
        raise ValueError("not a blob hash")
    path = Path(settings.DATA_DIR)
    for part in ("cache", "pages", str(int(document_id)), rendition_sha256):
        path = path / part
        path.mkdir(exist_ok=True, mode=0o700)  # every level the service account's alone
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a picture; two requests rendering the same page both win."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _run(args: list[str]) -> bytes:
    try:
        result = subprocess.run(args, capture_output=True, timeout=TIMEOUT_SECONDS,
                                preexec_fn=limit_child)
    except subprocess.TimeoutExpired:
        result = None
    if result is None or result.returncode != 0:
        # The tools name the server's copy of the file: logged, not shown.
        log.error("%s failed: %s", args[0], "timeout" if result is None else
                  result.stderr.decode(errors="replace")[-300:])
        raise failed("PAGE_IMAGE_FAILED", "Die Seite konnte nicht dargestellt werden.")
    return result.stdout


def page_sizes(*, document_id: int, rendition_sha256: str) -> list[PageSize]:
    """The size of every page as pdfium (the redaction's rasteriser) and pdftoppm show it:
    the crop box, width and height swapped for pages turned by 90 or 270 degrees."""
    cached = _cache_dir(document_id, rendition_sha256) / "sizes.json"
    if cached.exists():
        return [PageSize(*size) for size in json.loads(cached.read_text())]
    out = _run(["pdfinfo", "-f", "1", "-l", "100000",
                str(blob_path(rendition_sha256))]).decode(errors="replace")
    rotations = {int(number): int(angle) % 360 for number, angle in _ROTATION.findall(out)}
    sizes = []
    for number, width, height in _SIZE.findall(out):
        width, height = float(width), float(height)
        if rotations.get(int(number), 0) in (90, 270):
            width, height = height, width
        sizes.append(PageSize(width, height))
    _write_atomically(cached, json.dumps([[s.width, s.height] for s in sizes]).encode())
    return sizes


def page_image(*, document_id: int, rendition_sha256: str, page: int, width: int) -> Path:
    """A greyscale PNG of one page, `width` pixels wide, rendered once and then cached."""
    if width not in WIDTHS:
        raise ValueError(f"unsupported width {width}")
    target = _cache_dir(document_id, rendition_sha256) / f"page-{int(page):05d}-{width}.png"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".render-") as work:
        prefix = Path(work) / "page"
        _run(["pdftoppm", "-png", "-gray", "-f", str(page), "-l", str(page), "-singlefile",
              "-scale-to-x", str(width), "-scale-to-y", "-1",
              str(blob_path(rendition_sha256)), str(prefix)])
        _write_atomically(target, prefix.with_suffix(".png").read_bytes())
    return target


def redaction_preview(*, document_id: int, rendition_sha256: str, page: int,
                      boxes_mm: list[tuple[float, float, float, float]]) -> bytes:
    """The page picture with the boxes (x, y, width, height in millimetres from the top-left
    corner) painted black, as the redaction will paint them; nothing is stored."""
    sizes = page_sizes(document_id=document_id, rendition_sha256=rendition_sha256)
    if not 1 <= page <= len(sizes):  # the stored page count and the file disagree
        raise failed("PAGE_IMAGE_FAILED", "Die Seite konnte nicht dargestellt werden.")
    size = sizes[page - 1]
    path = page_image(document_id=document_id, rendition_sha256=rendition_sha256, page=page,
                      width=WIDTHS[-1])
    with Image.open(path) as opened:
        image = opened.convert("L")
    scale = image.width / size.width_mm
    draw = ImageDraw.Draw(image)
    for x, y, width, height in boxes_mm:
        draw.rectangle((int(x * scale), int(y * scale), int((x + width) * scale) + 1,
                        int((y + height) * scale) + 1), fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def page_cache_purge(sender=None, *, document_ids, **kwargs) -> None:
    """documents_destroyed receiver: the cached pictures of a destroyed document are copies of
    its content and go with it."""
    for document_id in document_ids:
        shutil.rmtree(_cache_root() / str(int(document_id)), ignore_errors=True)
