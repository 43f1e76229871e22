"""Triage: find out what the bytes really are (never trusting the name) and refuse what cannot
be processed, before any expensive work."""
import pikepdf
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from archive.selectors import version_by_original_sha256

from ..context import PipelineContext
from ..errors import refused

IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
MIN_SENSIBLE_DPI = 70
MAX_SENSIBLE_DPI = 1200


class DuplicateOriginal(Exception):
    def __init__(self, document):
        self.document = document
        super().__init__(f"already archived as document {document.pk}")


def sniff(head: bytes) -> tuple[str, str]:
    if b"%PDF-" in head[:1024]:
        return "pdf", "application/pdf"
    for signature, mime in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return "image", mime
    return "", ""


def _check_pdf(ctx: PipelineContext) -> None:
    try:
        with pikepdf.open(ctx.source_path) as pdf:
            if pdf.is_encrypted:
                raise refused("ENCRYPTED_PDF", "Die PDF-Datei ist verschlüsselt. Bitte eine "
                              "unverschlüsselte Fassung einreichen.")
            ctx.page_count = len(pdf.pages)
    except pikepdf.PasswordError:
        raise refused("ENCRYPTED_PDF", "Die PDF-Datei ist mit einem Kennwort geschützt und kann "
                      "ohne Kennwort nicht gelesen werden.") from None
    except pikepdf.PdfError as exc:
        raise refused("CORRUPT_PDF", f"Die PDF-Datei ist beschädigt und nicht lesbar ({exc}).") \
            from None
    if ctx.page_count == 0:
        raise refused("CORRUPT_PDF", "Die PDF-Datei enthält keine Seiten.")


def _check_image(ctx: PipelineContext) -> None:
    try:
        with Image.open(ctx.source_path) as image:
            image.verify()
        with Image.open(ctx.source_path) as image:
            dpi = image.info.get("dpi")
            ctx.page_count = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise refused("IMAGE_TOO_LARGE", "Das Bild ist zu groß, um sicher verarbeitet zu "
                      "werden.") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise refused("CORRUPT_IMAGE", f"Die Bilddatei ist beschädigt ({exc}).") from None
    if dpi and MIN_SENSIBLE_DPI <= float(dpi[0]) <= MAX_SENSIBLE_DPI:
        ctx.image_dpi = None  # the image's own claim is sensible
    else:
        ctx.image_dpi = 300  # missing or absurd: assume the common scan resolution


def triage(ctx: PipelineContext) -> None:
    job = ctx.job
    if job.original_size == 0:
        raise refused("EMPTY_FILE", "Die Datei ist leer (0 Byte).")
    if job.original_size > settings.INGEST_MAX_BYTES:
        raise refused("TOO_LARGE", "Die Datei überschreitet die zulässige Größe.")
    with open(ctx.source_path, "rb") as handle:
        head = handle.read(2048)
    ctx.kind, ctx.mime = sniff(head)
    if not ctx.kind:
        raise refused("UNSUPPORTED_TYPE", "Die Datei ist weder ein PDF noch ein Bild "
                      "(PNG, JPEG, TIFF, GIF); ihr Inhalt wurde geprüft, nicht ihre Endung.")
    existing = version_by_original_sha256(job.original_sha256)
    if existing is not None:
        raise DuplicateOriginal(existing.document)
    if ctx.kind == "pdf":
        _check_pdf(ctx)
    else:
        _check_image(ctx)
