"""Plain reports as PDF/A-2b, composed with fpdf2, whose PDF/A-2B mode embeds the fonts,
writes the XMP identification and the sRGB output intent, and refuses anything PDF/A
forbids. In the kernel because more than one app composes such a PDF (retention's protocol
and letters, sign-off's file notes) and apps of one layer do not import each other."""
from pathlib import Path

from fpdf import FPDF

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD_FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT = "DejaVuSans"


def pdfa_from_lines(title: str, lines: list[str]) -> bytes:
    """A plain report as PDF/A-2b: the first line large, the rest as they are; a line too long
    for the page wraps rather than being cut."""
    pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-2B")
    pdf.set_title(title)
    pdf.set_creator("Registratur")
    pdf.add_font(FONT, "", str(FONT_FILE))  # embedded: PDF/A needs its fonts
    pdf.set_margins(20, 25, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for number, line in enumerate(lines):
        pdf.set_font(FONT, size=14 if number == 0 else 9)
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
