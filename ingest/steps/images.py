"""Images to a PDF the OCR can read: every frame of a multi-page TIFF, EXIF orientation
applied, transparency flattened onto white, palette and 16-bit images converted, and a
sensible resolution where the file claims none or an absurd one. Lossless (PNG) except that a
JPEG needing no change is embedded as it is."""
import io
from pathlib import Path

import img2pdf
from django.conf import settings
from PIL import Image, ImageOps, ImageSequence

MIN_SENSIBLE_DPI = 70
MAX_SENSIBLE_DPI = 1200
ASSUMED_DPI = 300  # the common scan resolution, when a file's claim is missing or absurd
MAX_FRAMES = 2000

try:  # HEIC/HEIF (iPhone photos) through the libheif bindings, when installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - the dependency is declared; this keeps imports safe
    pass


def image_open(path: Path) -> Image.Image:
    return Image.open(path)


def sensible_resolution(image: Image.Image) -> tuple[int, int, bool]:
    """The image's horizontal and vertical resolution if both are plausible for a document,
    else the assumed one for both. They differ for a fax (204 × 98 dpi in standard mode)."""
    dpi = image.info.get("dpi")
    try:
        x, y = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        x = y = 0.0
    if all(MIN_SENSIBLE_DPI <= value <= MAX_SENSIBLE_DPI for value in (x, y)):
        return round(x), round(y), True
    return ASSUMED_DPI, ASSUMED_DPI, False


def square_resolution(size: tuple[int, int], x_dpi: int,
                      y_dpi: int) -> tuple[tuple[int, int], int]:
    """The size and resolution a frame with non-square pixels is resampled to: the finer of
    its two resolutions (so the page keeps its size and OCR sees letters in their proportions,
    not squashed to half), or the coarser one if that would exceed the pixel limit."""
    for dpi in (max(x_dpi, y_dpi), min(x_dpi, y_dpi)):
        width = max(1, round(size[0] * dpi / x_dpi))
        height = max(1, round(size[1] * dpi / y_dpi))
        if width * height <= settings.INGEST_MAX_PIXELS:
            break
    return (width, height), dpi


def _square_pixels(frame: Image.Image, x_dpi: int, y_dpi: int) -> tuple[Image.Image, int]:
    if x_dpi == y_dpi:
        return frame, x_dpi
    size, dpi = square_resolution(frame.size, x_dpi, y_dpi)
    smooth = frame.mode not in ("1", "P")
    return frame.resize(size, Image.Resampling.LANCZOS if smooth
                        else Image.Resampling.NEAREST), dpi


def colour_mode(image: Image.Image) -> str:
    if image.mode == "1":
        return "bilevel"
    if image.mode in ("L", "LA", "I", "I;16", "F"):
        return "grayscale"
    if image.mode == "P":
        palette = image.convert("RGB")
        return "grayscale" if _is_gray(palette) else "colour"
    return "colour"


def _is_gray(image: Image.Image) -> bool:
    raw = image.convert("RGB").resize((64, 64)).tobytes()
    return all(raw[i] == raw[i + 1] == raw[i + 2] for i in range(0, len(raw), 3))


def _flatten(frame: Image.Image) -> Image.Image:
    has_alpha = frame.mode in ("RGBA", "LA", "PA") or (
        frame.mode == "P" and "transparency" in frame.info)
    if has_alpha:
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if frame.mode in ("P", "CMYK", "YCbCr", "LAB", "HSV"):
        return frame.convert("RGB")
    if frame.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return frame.point(lambda v: v / 256).convert("L")
    return frame


def image_to_pdf(source: Path, target: Path) -> dict:
    """Write `target`; return what was found (pages, resolution, colour mode, notes)."""
    pages: list[bytes] = []
    notes: list[str] = []
    with image_open(source) as image:
        first_dpi, first_y_dpi, declared = sensible_resolution(image)
        mode = colour_mode(image)
        passthrough = (image.format == "JPEG" and declared and image.mode in ("L", "RGB")
                       and first_dpi == first_y_dpi and image.getexif().get(0x0112, 1) == 1)
        if passthrough:
            pages.append(source.read_bytes())
        else:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_FRAMES:
                    notes.append(f"only the first {MAX_FRAMES} frames were taken")
                    break
                dpi, y_dpi, _ = (sensible_resolution(frame) if index
                                 else (first_dpi, first_y_dpi, declared))
                page = _flatten(ImageOps.exif_transpose(frame) if index == 0 else frame)
                if dpi != y_dpi:
                    # EXIF rotation by 90° would swap the axes; cameras do not write faxes.
                    page, square = _square_pixels(page, dpi, y_dpi)
                    note = f"non-square pixels ({dpi} × {y_dpi} dpi) resampled to {square} dpi"
                    if note not in notes:
                        notes.append(note)
                    dpi = square
                buffer = io.BytesIO()
                page.save(buffer, format="PNG", dpi=(dpi, dpi), compress_level=1)
                pages.append(buffer.getvalue())
        if not declared:
            notes.append(f"image resolution missing or implausible; {ASSUMED_DPI} dpi assumed")
        if image.getexif().get(0x0112, 1) != 1:
            notes.append("EXIF orientation applied")
    target.write_bytes(img2pdf.convert(pages))
    return {"pages": len(pages), "resolution_dpi": first_dpi, "colour_mode": mode,
            "notes": notes}
