"""A working copy without active content, for PDFs the PDF/A converter refuses."""
from pathlib import Path

import pikepdf

ACTIVE_CATALOG_KEYS = ("/OpenAction", "/AA")


def pdf_strip_active_content(source: Path, target: Path) -> bool:
    """Write a copy without document-level actions and JavaScript; True if anything changed."""
    changed = False
    with pikepdf.open(source) as pdf:
        for key in ACTIVE_CATALOG_KEYS:
            if key in pdf.Root:
                del pdf.Root[key]
                changed = True
        names = pdf.Root.get("/Names")
        if names is not None and "/JavaScript" in names:
            del names["/JavaScript"]
            changed = True
        for page in pdf.pages:
            if "/AA" in page.obj:
                del page.obj["/AA"]
                changed = True
        if changed:
            pdf.save(target)
    return changed
