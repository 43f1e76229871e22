"""Triage: find out what the bytes really are (never trusting the name) and refuse what cannot
be processed, before any expensive work."""
import re
import zipfile

import pikepdf
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from ..context import PipelineContext
from ..errors import refused
from .images import image_open
from .limits import run_limited

IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
# A mail starts with header lines; these are the ones every real message has one of.
MAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To"
    rb"|X-[\w-]+):[ \t]", re.IGNORECASE | re.MULTILINE)
OFFICE_MIMES = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text": "application/vnd.oasis.opendocument.text",
}
POINTS_PER_INCH = 72


def _sniff_office(path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return OFFICE_MIMES["word/document.xml"]
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in OFFICE_MIMES:
                    return declared
    except (zipfile.BadZipFile, OSError):
        pass
    return ""


def sniff(head: bytes, path=None) -> tuple[str, str]:
    if b"%PDF-" in head[:1024]:
        return "pdf", "application/pdf"
    for signature, mime in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return "image", mime
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image", "image/heic"
    if head.startswith(b"PK\x03\x04") and path is not None:
        mime = _sniff_office(path)
        if mime:
            return "office", mime
    lines = head.lstrip()[:1024]
    if len(MAIL_HEADER.findall(lines)) >= 2 and b"\n\n" in head.replace(b"\r\n", b"\n"):
        return "email", "message/rfc822"
    return "", ""


def _check_page_sizes(pdf: pikepdf.Pdf, name: str) -> None:
    limit = settings.INGEST_MAX_PAGE_INCHES * POINTS_PER_INCH
    for page in pdf.pages:
        try:
            box = [float(v) for v in page.mediabox]
        except (TypeError, ValueError, pikepdf.PdfError):
            continue
        width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
        if width > limit or height > limit or width < 1 or height < 1:
            raise refused("PAGE_SIZE_ABSURD", f"Die PDF-Datei „{name}“ enthält eine Seite mit "
                          "unsinniger "
                          f"Größe ({width / 72:.0f} × {height / 72:.0f} Zoll).")
        for image in page.get_images().values():
            pixels = int(image.get("/Width", 0)) * int(image.get("/Height", 0))
            if pixels > settings.INGEST_MAX_PIXELS:
                raise refused("IMAGE_TOO_LARGE", f"Die PDF-Datei „{name}“ enthält ein Bild mit "
                              f"{pixels / 1e6:.0f} Megapixeln; das ist zu groß, um sicher "
                              "verarbeitet zu werden.")


def _is_signed(pdf: pikepdf.Pdf) -> bool:
    acroform = pdf.Root.get("/AcroForm")
    if acroform is None:
        return False
    if int(acroform.get("/SigFlags", 0)) & 1:
        return True
    return any(field.get("/FT") == "/Sig" for field in acroform.get("/Fields", []))


def _has_xfa(pdf: pikepdf.Pdf) -> bool:
    acroform = pdf.Root.get("/AcroForm")
    return acroform is not None and "/XFA" in acroform


def _check_pdf(ctx: PipelineContext) -> None:
    password = ctx.job.password
    try:
        with pikepdf.open(ctx.source_path, password=password) as pdf:
            ctx.page_count = len(pdf.pages)
            if ctx.page_count > settings.INGEST_MAX_PAGES:
                # Before any page is looked at: OCR would run until the time limit.
                raise refused("TOO_MANY_PAGES", f"Die PDF-Datei „{ctx.name}“ hat "
                              f"{ctx.page_count} Seiten; mehr als {settings.INGEST_MAX_PAGES} "
                              "werden nicht automatisch verarbeitet.")
            ctx.signed = _is_signed(pdf)
            _check_page_sizes(pdf, ctx.name)
            if bool(pdf.Root.get("/NeedsRendering", False)):
                # A dynamic XFA form has no pages of its own: what is shown is computed by
                # a form viewer. OCRmyPDF cannot render it either.
                raise refused("XFA_UNSUPPORTED", "Die PDF-Datei ist ein dynamisches "
                              "XFA-Formular; bitte als normales PDF (gedruckt) einreichen.")
            ctx.metadata["xfa"] = _has_xfa(pdf)
    except pikepdf.PasswordError:
        if password:
            raise refused("ENCRYPTED_PDF_WRONG_PASSWORD", f"Die PDF-Datei „{ctx.name}“ ist "
                          "verschlüsselt und das angegebene Kennwort passt nicht.") from None
        raise refused("ENCRYPTED_PDF", f"Die PDF-Datei „{ctx.name}“ ist mit einem Kennwort "
                      "geschützt. Bitte "
                      "das Kennwort beim Hochladen angeben oder eine unverschlüsselte Fassung "
                      "einreichen.") from None
    except pikepdf.PdfError:
        # pikepdf's message names the server's copy of the file; the submitter knows its name.
        raise refused("CORRUPT_PDF", f"Die PDF-Datei „{ctx.name}“ ist beschädigt und nicht "
                      "lesbar.") from None
    except RecursionError:
        raise refused("CORRUPT_PDF", f"Die PDF-Datei „{ctx.name}“ ist beschädigt (zyklische "
                      "Struktur).") from None
    if ctx.page_count == 0:
        raise refused("CORRUPT_PDF", f"Die PDF-Datei „{ctx.name}“ enthält keine Seiten.")


def _check_image(ctx: PipelineContext) -> None:
    try:
        with image_open(ctx.source_path) as image:
            image.verify()
        with image_open(ctx.source_path) as image:
            if image.width * image.height > settings.INGEST_MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            ctx.page_count = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise refused("IMAGE_TOO_LARGE", f"Das Bild „{ctx.name}“ ist zu groß, um sicher "
                      "verarbeitet zu werden (Schutz vor Dekompressionsbomben).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # PIL's message names the server's copy of the file.
        raise refused("CORRUPT_IMAGE", f"Die Bilddatei „{ctx.name}“ ist beschädigt.") from None
    if ctx.page_count > settings.INGEST_MAX_PAGES:
        raise refused("TOO_MANY_PAGES", f"Die Bilddatei „{ctx.name}“ hat {ctx.page_count} "
                      f"Seiten; mehr als {settings.INGEST_MAX_PAGES} werden nicht automatisch "
                      "verarbeitet.")


def _inspect(ctx: PipelineContext) -> None:
    if ctx.kind == "pdf":
        _check_pdf(ctx)
    elif ctx.kind == "image":
        _check_image(ctx)


def triage(ctx: PipelineContext) -> None:
    job = ctx.job
    if job.original_size == 0:
        raise refused("EMPTY_FILE", "Die Datei ist leer (0 Byte).")
    if job.original_size > settings.INGEST_MAX_BYTES:
        raise refused("TOO_LARGE", "Die Datei überschreitet die zulässige Größe.")
    with open(ctx.source_path, "rb") as handle:
        head = handle.read(4096)
    ctx.kind, ctx.mime = sniff(head, ctx.source_path)
    if not ctx.kind:
        raise refused("UNSUPPORTED_TYPE", "Die Datei ist kein Dokument, das verarbeitet werden "
                      "kann (PDF, Bild, E-Mail, Word/ODT); ihr Inhalt wurde geprüft, nicht "
                      "ihre Endung.")
    if ctx.kind in ("pdf", "image"):
        run_limited(_inspect, ctx)  # the parsers meet the untrusted bytes in a child
