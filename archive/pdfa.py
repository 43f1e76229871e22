"""Plain reports as PDF/A-2b, composed with fpdf2, whose PDF/A-2B mode embeds the fonts,
writes the XMP identification and the sRGB output intent, and refuses anything PDF/A
forbids. In the kernel because more than one app composes such a PDF (retention's protocol
and letters, sign-off's file notes) and apps of one layer do not import each other.

fpdf2 always writes an /OpenAction (the initial view) into the catalogue. PDF/A-2 allows one
that only goes to a page, but the validator (archive/pdfa_check.py) does not check actions
and would leave such a file "not_checked"; `pdfa_finished` removes it, so that what we
compose ourselves is shown to be PDF/A rather than merely claimed."""
import io
from pathlib import Path

import pikepdf
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
    return pdfa_finished(bytes(pdf.output()))


def pdfa_finished(data: bytes) -> bytes:
    """fpdf2's PDF/A-2b output without its /OpenAction, written with the save settings
    PDF/A-2b needs (pikepdf.pdfa pins them). Nothing else is changed."""
    from pikepdf import pdfa  # its optional dependencies load only when a PDF is made

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/OpenAction" not in pdf.Root:
            return data
        del pdf.Root["/OpenAction"]
        out = io.BytesIO()
        pdf.save(out, **pdfa.resolve_save_kwargs("2b"))
    return out.getvalue()
