"""Reading separator and cover sheets: QR codes through zxing-cpp, and Kodak PATCH-T, which
zxing-cpp does not read, by its bar pattern.

PATCH-T is four parallel bars with narrow (0.08 in) and wide (0.2 in) widths and narrow gaps:
narrow bar, gap, wide bar, gap, narrow bar, gap, wide bar. A sheet repeats it along its edges,
so it is accepted only when several scan lines agree; a damaged code does not split."""
from dataclasses import dataclass

import pypdfium2
import zxingcpp
from PIL import Image

from .pdfium import PDFIUM_LOCK

RENDER_DPI = 150
NARROW_INCH = 0.08
PATCH_T = (0, 0, 1, 0, 0, 0, 1)  # 1 = wide, for bar, gap, bar, gap, bar, gap, bar
MIN_AGREEING_LINES = 3
SEPARATOR_TEXTS = {"PATCHT", "PATCH-T", "REGISTRATUR:TRENNBLATT"}
COVER_PREFIX = "REGISTRATUR:DECKBLATT:"


@dataclass(frozen=True)
class Sheet:
    kind: str  # "separator" or "cover"
    reference: str = ""


def _runs(values: list[bool]) -> list[tuple[bool, int]]:
    runs: list[tuple[bool, int]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1] + 1)
        else:
            runs.append((value, 1))
    return runs


def _is_patch_t(widths: list[int], narrow_px: float) -> bool:
    narrow = min(widths)
    if not 0.5 * narrow_px <= narrow <= 2.0 * narrow_px:
        return False
    pattern = []
    for width in widths:
        ratio = width / narrow
        if ratio <= 1.6:
            pattern.append(0)
        elif 1.9 <= ratio <= 3.6:
            pattern.append(1)
        else:
            return False
    return tuple(pattern) in (PATCH_T, PATCH_T[::-1])


def _line_has_patch_t(values: list[bool], narrow_px: float) -> bool:
    runs = _runs(values)
    for start in range(1, len(runs) - 7):
        window = runs[start:start + 7]
        if not window[0][0]:
            continue  # a code starts with a bar
        before, after = runs[start - 1], runs[start + 7]
        quiet = min(w for _, w in window) * 1.5
        if before[1] < quiet or after[1] < quiet:
            continue
        if _is_patch_t([w for _, w in window], narrow_px):
            return True
    return False


def has_patch_t(image: Image.Image, dpi: int = RENDER_DPI) -> bool:
    gray = image.convert("L")
    width, height = gray.size
    pixels = gray.load()
    narrow_px = NARROW_INCH * dpi
    rows = cols = 0
    for y in range(0, height, max(1, height // 40)):
        rows += _line_has_patch_t([pixels[x, y] < 128 for x in range(width)], narrow_px)
    for x in range(0, width, max(1, width // 40)):
        cols += _line_has_patch_t([pixels[x, y] < 128 for y in range(height)], narrow_px)
    return max(rows, cols) >= MIN_AGREEING_LINES


def read_sheet(image: Image.Image, dpi: int = RENDER_DPI) -> Sheet | None:
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        text = barcode.text.strip()
        if text.upper() in SEPARATOR_TEXTS:
            return Sheet("separator")
        if text.upper().startswith(COVER_PREFIX):
            return Sheet("cover", text[len(COVER_PREFIX):].strip())
    if has_patch_t(image, dpi):
        return Sheet("separator")
    return None


def pages_worth_checking(pdf) -> list[int]:
    """Separator and cover sheets are scanned paper: pages with an image. A born-digital page
    of pure text is skipped, so long digital documents cost nothing here."""
    indexes = []
    for index in range(len(pdf)):
        page = pdf[index]
        has_image = any(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
                        for obj in page.get_objects(max_depth=2))
        if has_image:
            indexes.append(index)
        page.close()
    return indexes


def find_sheets(path) -> tuple[int, dict[int, Sheet]]:
    """Page count and the separator/cover sheets found, by page index."""
    found: dict[int, Sheet] = {}
    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            for index in pages_worth_checking(pdf):
                page = pdf[index]
                bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
                sheet = read_sheet(bitmap.to_pil(), RENDER_DPI)
                bitmap.close()  # inside the lock, not whenever the collector gets to it
                page.close()
                if sheet is not None:
                    found[index] = sheet
            return len(pdf), found
        finally:
            pdf.close()
