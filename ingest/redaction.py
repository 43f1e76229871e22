"""Redaction (Schwärzung): black out areas of pages and make a new version whose image and
text layer no longer hold what was blacked out. The pages are rasterised, painted over and
OCRed afresh, so nothing of the old text layer survives; the earlier versions stay, readable
only with the permission to see unredacted versions."""
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw

from archive.actors import actor_for_user
from archive.blobstore import blob_path, blob_put_file
from archive.errors import InvalidInput
from archive.guards import require_open, require_work
from archive.selectors import document_visible_or_404, version_latest
from archive.services.documents import VersionContent, version_add

from .steps.extract import pdf_text
from .steps.ocr import is_pdfa, raise_for_exit_code, run_ocrmypdf
from .steps.thumbnail import thumbnail_store

DPI = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Box:
    """An area on a page, in millimetres from the page's top-left corner."""

    page: int
    x: float
    y: float
    width: float
    height: float

    def pixels(self) -> tuple[int, int, int, int]:
        scale = DPI / MM_PER_INCH
        return (int(self.x * scale), int(self.y * scale),
                int((self.x + self.width) * scale) + 1, int((self.y + self.height) * scale) + 1)


def _rasterise(pdf: Path, workdir: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf),
                    str(workdir / "page")], check=True, capture_output=True, timeout=600)
    return sorted(workdir.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def _paint(pages: list[Path], boxes: list[Box], target: Path) -> None:
    images = []
    for number, path in enumerate(pages, start=1):
        image = Image.open(path).convert("L")
        draw = ImageDraw.Draw(image)
        for box in boxes:
            if box.page == number:
                draw.rectangle(box.pixels(), fill=0)
        images.append(image)
    images[0].save(target, save_all=True, append_images=images[1:], resolution=DPI)


def document_redact(*, user, document_id, boxes: list[Box], reason: str):
    document = document_visible_or_404(user, document_id)
    if document.case_file_id is None:
        raise InvalidInput("Geschwärzt wird in der Akte, nicht im Posteingang.",
                           code="NOT_FILED")
    require_work(user, document.case_file)
    require_open(document.case_file, document.process)
    if not boxes or not reason.strip():
        raise InvalidInput("Eine Schwärzung braucht Bereiche und einen Grund.",
                           code="REASON_REQUIRED")
    source = version_latest(document)
    if any(box.page < 1 or box.page > source.page_count for box in boxes):
        raise InvalidInput("Eine Seite liegt außerhalb des Dokuments.", code="PAGE_RANGE")
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="redact-", dir=settings.WORK_DIR))
    try:
        painted = workdir / "geschwaerzt.pdf"
        _paint(_rasterise(blob_path(source.rendition_sha256), workdir), boxes, painted)
        rendition = workdir / "rendition.pdf"
        args = ["--language", "+".join(settings.OCR_LANGUAGES), "--output-type", "pdfa-2",
                "--pdfa-backend", "internal", "--jobs", str(settings.OCR_JOBS or 2), "--quiet"]
        code, stderr = run_ocrmypdf(args, painted, rendition)
        if code != 0:
            raise_for_exit_code(code, stderr)
        text = pdf_text(rendition).strip()
        original, output = blob_put_file(painted), blob_put_file(rendition)
        content = VersionContent(
            original_sha256=original.sha256, original_size=original.size,
            original_name=f"geschwaerzt-v{source.number}.pdf", original_mime="application/pdf",
            rendition_sha256=output.sha256, rendition_is_pdfa=is_pdfa(rendition), text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            page_count=source.page_count,
            # Drawn from the redacted rendition: the earlier version's picture shows what
            # was blacked out and is never reused.
            thumbnail_sha256=thumbnail_store(rendition),
            provenance={"redaction_of_version": source.number, "reason": reason,
                        "boxes": [box.__dict__ for box in boxes]})
        return version_add(actor=actor_for_user(user), document_id=document.pk, content=content)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
