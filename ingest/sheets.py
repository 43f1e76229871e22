"""Printable sheets for batch scanning: a cover sheet (Deckblatt) whose QR code routes the
pages after it into a case file, and a separator sheet (Trennblatt) with a QR code and the
PATCH-T bars that scanners and the pipeline both recognise."""
import io

import segno
from django.utils import timezone
from fpdf import FPDF

from .steps.barcodes import COVER_PREFIX, NARROW_INCH, PATCH_T
from .steps.emails import FONT_DIR

MM_PER_INCH = 25.4


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    return pdf


def _qr_png(text: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(text, error="h").save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    return buffer


def _patch_t_bars(pdf: FPDF, x: float, y: float, height: float) -> None:
    narrow = NARROW_INCH * MM_PER_INCH
    for index, wide in enumerate(PATCH_T):
        width = narrow * 2.5 if wide else narrow
        if index % 2 == 0:  # bars; odd elements are the gaps between them
            pdf.rect(x, y, width, height, style="F")
        x += width


def cover_sheet_pdf(*, file_reference: str, title: str, unit: str = "") -> bytes:
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(20, 25)
    pdf.cell(0, 12, "Deckblatt für den Scan")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, 45)
    pdf.multi_cell(170, 8, f"Aktenzeichen: {file_reference}\nAkte: {title}\n"
                           f"{'Sachgebiet: ' + unit if unit else ''}\n"
                           f"Gedruckt am {timezone.localdate():%d.%m.%Y}")
    pdf.image(_qr_png(COVER_PREFIX + file_reference), x=55, y=95, w=100, h=100)
    pdf.set_xy(20, 210)
    pdf.multi_cell(170, 7, "Dieses Blatt vor die Seiten legen, die in diese Akte gehören. "
                           "Das Deckblatt selbst wird nicht archiviert. Ein weiteres "
                           "Deckblatt oder ein Trennblatt beendet das Dokument.")
    return bytes(pdf.output())


def separator_sheet_pdf() -> bytes:
    pdf = _pdf()
    pdf.add_page()
    _patch_t_bars(pdf, 20, 20, 257)
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(60, 30)
    pdf.cell(0, 12, "Trennblatt")
    pdf.image(_qr_png("REGISTRATUR:TRENNBLATT"), x=75, y=100, w=80, h=80)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(60, 200)
    pdf.multi_cell(130, 7, "Beginnt ein neues Dokument. Dieses Blatt wird nicht archiviert.")
    return bytes(pdf.output())
