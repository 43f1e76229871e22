"""Reports as PDF/A-2b: the destruction protocol (Vernichtungsprotokoll, also as JSON for
machines, both hashed into the audit chain) and the data subject's access report. Composed
with fpdf2, whose PDF/A-2B mode embeds the fonts, writes the XMP identification and the sRGB
output intent, and refuses anything PDF/A forbids."""
import json
from pathlib import Path

from fpdf import FPDF

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT = "DejaVuSans"


def protocol_json(protocol: dict) -> bytes:
    return json.dumps(protocol, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _lines(protocol: dict) -> list[str]:
    lines = [
        "Vernichtungsprotokoll",
        "",
        f"Aussonderungsliste: {protocol['list']}",
        f"Vorgeschlagen von: {protocol['proposed_by']} am {protocol['proposed_at']}",
        f"Genehmigt von: {protocol['approved_by']} am {protocol['approved_at']}",
        f"Vollzogen am: {protocol['executed_at']}",
        "",
        "Vernichtete Akten (Restnachweis, ohne personenbezogene Daten):",
    ]
    for item in protocol["case_files"]:
        lines.append(f"  {item['file_reference']}  Aktenplan {item['plan_unit']}  "
                     f"Frist {item.get('key') or '-'}  Fristende {item.get('retention_end')}  "
                     f"Dokumente {len(item.get('documents', []))}")
    return lines


def protocol_pdfa(protocol: dict) -> bytes:
    return pdfa_from_lines(f"Vernichtungsprotokoll {protocol['list']}", _lines(protocol))


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
