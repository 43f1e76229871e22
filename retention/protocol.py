"""Reports as PDF/A-2b: the destruction protocol (Vernichtungsprotokoll, also as JSON for
machines, both hashed into the audit chain) and the data subject's access report."""
import io
import json
from datetime import datetime

import pikepdf
from PIL import ImageCms
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
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
    """A plain report as PDF/A-2b: the first line large, the rest as they are."""
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE))  # embedded: PDF/A needs its fonts
    raw = io.BytesIO()
    page = canvas.Canvas(raw, pagesize=A4, invariant=True)
    page.setTitle(title)
    y = A4[1] - 25 * mm
    for number, line in enumerate(lines):
        page.setFont(FONT, 14 if number == 0 else 9)
        page.drawString(20 * mm, y, line[:150])
        y -= 6 * mm
        if y < 20 * mm:
            page.showPage()
            y = A4[1] - 25 * mm
    page.save()
    return _as_pdfa2b(raw.getvalue(), title=title)


def _as_pdfa2b(data: bytes, *, title: str) -> bytes:
    """Declare PDF/A-2b: XMP identification and an sRGB output intent."""
    pdf = pikepdf.open(io.BytesIO(data))
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    profile = pdf.make_stream(icc)
    profile.N = 3
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String("sRGB"), DestOutputProfile=profile)])
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title
        meta["xmp:CreateDate"] = datetime.now().astimezone().isoformat()
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=True)
    return out.getvalue()
