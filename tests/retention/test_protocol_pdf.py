"""The destruction protocol and the Art. 15 report are PDF/A-2b composed with fpdf2: fonts
embedded, XMP identification, sRGB output intent, every line of the content readable as text,
long lines wrapped rather than cut, and no reportlab needed."""
import importlib
import io
import subprocess
import sys

import pikepdf

from retention import protocol

PROTOCOL = {
    "list": 7, "proposed_by": "datenschutz", "proposed_at": "2026-11-02T09:00:00+01:00",
    "approved_by": "datenschutz-2", "approved_at": "2026-11-03T10:00:00+01:00",
    "executed_at": "2026-11-03T10:05:00+01:00",
    "case_files": [{"file_reference": "50.20.1-2014-000001", "plan_unit": "50.20.1",
                    "key": "SGB-10J-ZDA", "retention_end": "2025-12-31", "documents": [1, 2]},
                   {"file_reference": "50.30.1-2013-000004", "plan_unit": "50.30.1",
                    "key": None, "retention_end": "2024-12-31", "documents": []}],
}


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def assert_pdfa2b(data: bytes) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    assert not pdf.is_encrypted and pdf.trailer.get("/ID") is not None
    assert pdf.pdf_version <= "1.7"
    with pdf.open_metadata() as xmp:
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("2", "B")
        title = xmp.get("dc:title")
    if "/Title" in pdf.docinfo:  # if both exist they must agree
        assert str(pdf.docinfo.Title) == title
    [intent] = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            fonts = font.get("/DescendantFonts") or [font]
            for part in fonts:
                descriptor = part.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return pdf


def test_the_destruction_protocol_is_pdfa_with_its_whole_content():
    data = protocol.protocol_pdfa(PROTOCOL)
    pdf = assert_pdfa2b(data)
    with pdf.open_metadata() as xmp:
        assert xmp.get("dc:title") == "Vernichtungsprotokoll 7"
    text = " ".join(_text(data).split())
    for expected in ("Vernichtungsprotokoll", "Aussonderungsliste: 7",
                     "Vorgeschlagen von: datenschutz am 02.11.2026, 09:00 Uhr",
                     "Genehmigt von: datenschutz-2 am 03.11.2026, 10:00 Uhr",
                     "Vollzogen am: 03.11.2026, 10:05 Uhr",
                     "ohne personenbezogene Daten",
                     "50.20.1-2014-000001 Aktenplan 50.20.1 Frist SGB-10J-ZDA "
                     "Fristende 31.12.2025 Dokumente 2",
                     "50.30.1-2013-000004 Aktenplan 50.30.1 Frist - Fristende 31.12.2024 "
                     "Dokumente 0"):
        assert expected in text, expected


def test_long_reports_wrap_and_break_pages_without_losing_text():
    lines = ["Auskunft nach Art. 15 DSGVO: Jürgen Müller", ""]
    lines += [f"  Zeile {n:03d} Prüfvermerk" for n in range(120)]
    lines.append("Ende " + "ÄÖÜß-" * 60 + " Schluss")
    data = protocol.pdfa_from_lines("Auskunft", lines)
    pdf = assert_pdfa2b(data)
    assert len(pdf.pages) >= 3
    text = _text(data)
    assert "Jürgen Müller" in text and "Zeile 000" in text and "Zeile 119" in text
    assert "Schluss" in text  # a line longer than the page is wrapped, not cut


def test_no_reportlab_is_needed(monkeypatch):
    monkeypatch.setitem(sys.modules, "reportlab", None)  # any import of it now fails
    reloaded = importlib.reload(protocol)
    assert_pdfa2b(reloaded.pdfa_from_lines("Test", ["Test"]))
