"""Reports as PDF/A-2b: the destruction protocol (Vernichtungsprotokoll, also as JSON for
machines, both hashed into the audit chain) and the data subject's access report. Composed
with fpdf2, whose PDF/A-2B mode embeds the fonts, writes the XMP identification and the sRGB
output intent, and refuses anything PDF/A forbids."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

# The plain-report helper is the kernel's, shared with the file notes of the sign-off app.
from archive.pdfa import BOLD_FONT_FILE, FONT, FONT_FILE, pdfa_finished, pdfa_from_lines

__all__ = ["pdfa_from_lines", "protocol_pdfa", "letter_pdfa", "protocol_json", "german_time"]


def german_time(value) -> str:
    """A moment (datetime or ISO text, as the protocol's JSON keeps it) in local time and
    German form, "31.12.2026, 23:30 Uhr"; a date alone as "31.12.2026"."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else \
                date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%d.%m.%Y, %H:%M} Uhr"
    return f"{value:%d.%m.%Y}"


def protocol_json(protocol: dict) -> bytes:
    return json.dumps(protocol, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _lines(protocol: dict) -> list[str]:
    lines = [
        "Vernichtungsprotokoll",
        "",
        f"Aussonderungsliste: {protocol['list']}",
        f"Vorgeschlagen von: {protocol['proposed_by']} am {german_time(protocol['proposed_at'])}",
        f"Genehmigt von: {protocol['approved_by']} am {german_time(protocol['approved_at'])}",
        f"Vollzogen am: {german_time(protocol['executed_at'])}",
        "",
        "Vernichtete Akten (Restnachweis, ohne personenbezogene Daten):",
    ]
    for item in protocol["case_files"]:
        lines.append(f"  {item['file_reference']}  Aktenplan {item['plan_unit']}  "
                     f"Frist {item.get('key') or '-'}  "
                     f"Fristende {german_time(item.get('retention_end'))}  "
                     f"Dokumente {len(item.get('documents', []))}")
    return lines


def protocol_pdfa(protocol: dict) -> bytes:
    return pdfa_from_lines(f"Vernichtungsprotokoll {protocol['list']}", _lines(protocol))


@dataclass
class Letter:
    """A letter of the authority (DIN 5008 in outline): letterhead, recipient, date and
    reference, subject, paragraphs and sections, closing. Sections hold paragraphs or tables
    (a header row and rows)."""

    sender_name: str
    sender_lines: list[str]
    recipient: list[str]
    place_date: str
    reference: str
    subject: str
    opening: str
    # ("h", heading) | ("p", paragraph) | ("t", header, rows, column widths in mm)
    blocks: list = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    footer: str = ""


class _LetterPDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-15)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text}   Seite {self.page_no()} von {{nb}}", align="C")


def letter_pdfa(letter: Letter, *, title: str) -> bytes:
    """The letter as PDF/A-2b (fonts embedded, XMP identification, sRGB intent by fpdf2)."""
    pdf = _LetterPDF(format="A4", unit="mm", enforce_compliance="PDF/A-2B")
    pdf.footer_text = letter.footer
    pdf.set_title(title)
    pdf.set_author(letter.sender_name)
    pdf.set_creator("Registratur")
    pdf.set_lang("de-DE")
    pdf.add_font(FONT, "", str(FONT_FILE))
    pdf.add_font(FONT, "B", str(BOLD_FONT_FILE))
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    # Letterhead, right-aligned.
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, letter.sender_name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    for line in letter.sender_lines:
        pdf.multi_cell(0, 4, line, align="R", new_x="LMARGIN", new_y="NEXT")
    # The recipient where a window envelope shows it (DIN 5008: 45 mm from the top).
    pdf.set_y(max(pdf.get_y() + 4, 45))
    pdf.set_font(FONT, "", 6)
    pdf.cell(85, 4, " · ".join([letter.sender_name, *letter.sender_lines[:2]])[:95],
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in letter.recipient:
        pdf.cell(85, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y() + 8, 90))
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, letter.reference, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, letter.place_date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, letter.subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, letter.opening, new_x="LMARGIN", new_y="NEXT")
    for block in letter.blocks:
        kind = block[0]
        if kind == "h":
            pdf.ln(3)
            pdf.set_font(FONT, "B", 10)
            pdf.multi_cell(0, 6, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 10)
        elif kind == "p":
            pdf.ln(1)
            pdf.multi_cell(0, 5, block[1], new_x="LMARGIN", new_y="NEXT")
        elif kind == "t":
            _, header, rows, widths = block
            pdf.ln(1)
            pdf.set_font(FONT, "", 8)
            with pdf.table(col_widths=widths, line_height=4, first_row_as_headings=True,
                           headings_style=FontFace(emphasis="BOLD")) as table:
                table.row(header)
                for row in rows:
                    table.row([str(cell) for cell in row])
            pdf.set_font(FONT, "", 10)
    pdf.ln(6)
    if pdf.get_y() + 5 * len(letter.closing) > pdf.page_break_trigger:
        pdf.add_page()  # the closing and signature stay together
    for line in letter.closing:
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    return pdfa_finished(bytes(pdf.output()))
