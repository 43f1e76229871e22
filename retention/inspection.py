"""The file inspection and court package (Einsichts- und Übersendungspaket): one zip with

- `akte.pdf`: a paginated PDF/A-2b: a cover with the table of contents (fpdf2, PDF/A-2B mode,
  like the protocol and the Art. 15 letter), then each chosen version's PDF/A rendition from
  the blob store (pikepdf appends the pages; the catalogue, its XMP identification and sRGB
  output intent stay the cover's), every page stamped "Seite n von N" with an overlay that
  fpdf2 draws in the page's own size, and a bookmark per document. A version without a
  rendition (or an unreadable one) gets a placeholder page that names its original;
- `originale/`: the originals as filed, byte for byte;
- `index.json`: every file of the package with its SHA-256 and size, and each document's
  version and pages in `akte.pdf`;
- `struktur.xml`: the structure of the file in our own small format
  `urn:registratur:einsichtspaket:1` (documented in docs/design.md, "Inspection and court
  packages"): the disclosure, the case file, its processes and documents with each version's
  number, hashes and file name.

Pure composition: no database access and no authorization; the service
(`retention/services/disclosure.py`) reads through the access function and hands over what it
read."""

import contextlib
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf
from fpdf import FPDF
from fpdf.fonts import FontFace

from archive.blobstore import blob_open
from archive.pdfa import BOLD_FONT_FILE, FONT, FONT_FILE, pdfa_finished, pdfa_from_lines
from archive.pdfa_check import protocol_checked

FORMAT = "registratur-einsichtspaket/1"
XML_NAMESPACE = "urn:registratur:einsichtspaket:1"
PDF_NAME = "akte.pdf"
# Columns of the table of contents in mm (text width 170 mm).
TOC_WIDTHS = (10, 78, 22, 20, 14, 26)
COPY_CHUNK = 1024 * 1024


@dataclass
class PackedVersion:
    """One document as it goes into the package: what the service read."""

    document_id: int
    title: str
    type_name: str
    sender: str
    letter_date: str  # ISO or ""
    received: str  # ISO date
    process: str
    number: int
    original_sha256: str
    original_name: str
    original_mime: str
    original_size: int
    rendition_sha256: str
    # Filled while packing.
    first_page: int = 0
    last_page: int = 0
    original_path: str = ""


@dataclass
class PackageHead:
    register_number: int
    file_reference: str
    case_file_title: str
    unit: str
    plan_unit: str
    recipient: str
    basis: str
    basis_label: str
    purpose: str
    built_by: str
    built_at: str  # ISO, aware
    built_at_text: str  # German, local
    authority: str
    versions: list[PackedVersion] = field(default_factory=list)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "original"
    return cleaned[:80]


def _toc_pdf(head: PackageHead, starts: list[int]) -> bytes:
    pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-2B")
    pdf.set_title(f"Akte {head.file_reference}: Offenlegung Nr. {head.register_number}")
    pdf.set_author(head.authority)
    pdf.set_creator("Registratur")
    pdf.set_lang("de-DE")
    pdf.add_font(FONT, "", str(FONT_FILE))
    pdf.add_font(FONT, "B", str(BOLD_FONT_FILE))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, f"Akte {head.file_reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in (
        head.case_file_title,
        head.authority,
        "",
        f"Empfänger: {head.recipient}",
        f"Rechtsgrundlage: {head.basis_label}",
        f"Zweck: {head.purpose}",
        f"Zusammengestellt am {head.built_at_text} (Offenlegung Nr. {head.register_number})",
        "",
    ):
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, "Inhaltsverzeichnis", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=TOC_WIDTHS,
        line_height=4,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD"),
    ) as table:
        table.row(("Nr.", "Dokument", "Datum", "Eingang", "Fassung", "Seite"))
        for index, (version, start) in enumerate(zip(head.versions, starts, strict=True), 1):
            day = version.letter_date or ""
            table.row(
                (
                    str(index),
                    version.title + (f" ({version.type_name})" if version.type_name else ""),
                    _german_date(day),
                    _german_date(version.received),
                    str(version.number),
                    str(start),
                )
            )
    return pdfa_finished(bytes(pdf.output()))


def _german_date(iso: str) -> str:
    if not iso:
        return "–"
    year, month, day = iso[:10].split("-")
    return f"{day}.{month}.{year}"


def _placeholder(version: PackedVersion) -> bytes:
    return pdfa_from_lines(
        version.title,
        [
            version.title,
            "",
            "Für dieses Dokument gibt es keine PDF/A-Fassung.",
            f"Das Original liegt dem Paket bei: {version.original_path} "
            f"({version.original_mime}, SHA-256 {version.original_sha256}).",
        ],
    )


def _stamp(pdf: pikepdf.Pdf, label: str) -> None:
    """Every page gets "Seite n von N" at its foot, drawn by fpdf2 in the page's own size
    and laid over the page as a form XObject."""
    total = len(pdf.pages)
    overlay = FPDF(unit="pt")
    overlay.add_font(FONT, "", str(FONT_FILE))
    overlay.set_auto_page_break(False)
    for number, page in enumerate(pdf.pages, 1):
        box = page.mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        overlay.add_page(format=(width, height))
        overlay.set_font(FONT, size=7)
        overlay.set_xy(0, height - 18)
        overlay.cell(width - 20, 10, f"{label} · Seite {number} von {total}", align="R")
    stamps = pikepdf.Pdf.open(io.BytesIO(bytes(overlay.output())))
    for page, stamp in zip(pdf.pages, stamps.pages, strict=True):
        page.add_overlay(stamp)


def _rendition(version: PackedVersion, handles: contextlib.ExitStack) -> pikepdf.Pdf:
    """The version's PDF/A rendition, or a placeholder page where it has none or it cannot
    be read as a PDF. Opened from the blob store's file, which pikepdf reads lazily: the
    handle stays open (in `handles`) until the combined PDF is saved."""
    if version.rendition_sha256:
        handle = handles.enter_context(blob_open(version.rendition_sha256))
        try:
            return handles.enter_context(pikepdf.Pdf.open(handle))
        except pikepdf.PdfError:
            pass
    return handles.enter_context(pikepdf.Pdf.open(io.BytesIO(_placeholder(version))))


def no_progress(step: str, done: int, total: int) -> None:
    """The progress report of a build nobody watches."""


def package_pdf(head: PackageHead, target: Path, progress=no_progress) -> None:
    """The paginated PDF/A with its table of contents, written to `target`; sets each
    version's page range. `progress("pdf", k, n)` after the k-th of n documents."""
    with contextlib.ExitStack() as handles:
        parts = [_rendition(version, handles) for version in head.versions]
        # Two passes: the first counts the pages of the table of contents.
        toc_pages = len(
            pikepdf.Pdf.open(io.BytesIO(_toc_pdf(head, [0] * len(head.versions)))).pages
        )
        starts, page = [], toc_pages + 1
        for version, part in zip(head.versions, parts, strict=True):
            starts.append(page)
            version.first_page, version.last_page = page, page + len(part.pages) - 1
            page += len(part.pages)
        combined = handles.enter_context(pikepdf.Pdf.open(io.BytesIO(_toc_pdf(head, starts))))
        if len(combined.pages) != toc_pages:  # the numbers changed the layout: cannot happen
            raise RuntimeError("table of contents changed its length")
        for done, part in enumerate(parts, 1):
            combined.pages.extend(part.pages)
            progress("pdf", done, len(parts))
        with combined.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Inhaltsverzeichnis", 0))
            for index, version in enumerate(head.versions, 1):
                outline.root.append(
                    pikepdf.OutlineItem(f"{index}. {version.title}", version.first_page - 1)
                )
        _stamp(combined, f"Akte {head.file_reference}")
        combined.save(target)


def _copy_hashed(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Copy in chunks (a scan can be large; the process need not hold it) and hash on the way."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(COPY_CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def structure_xml(head: PackageHead) -> bytes:
    ET.register_namespace("", XML_NAMESPACE)

    def tag(name: str) -> str:
        return f"{{{XML_NAMESPACE}}}{name}"

    root = ET.Element(tag("Einsichtspaket"), {"format": FORMAT, "erstellt": head.built_at})
    ET.SubElement(
        root,
        tag("Offenlegung"),
        {
            "nummer": str(head.register_number),
            "empfaenger": head.recipient,
            "rechtsgrundlage": head.basis,
            "rechtsgrundlageText": head.basis_label,
            "zweck": head.purpose,
            "erstelltVon": head.built_by,
        },
    )
    akte = ET.SubElement(
        root,
        tag("Akte"),
        {
            "aktenzeichen": head.file_reference,
            "titel": head.case_file_title,
            "organisationseinheit": head.unit,
            "aktenplan": head.plan_unit,
        },
    )
    containers = {"": akte}
    for version in head.versions:
        parent = containers.get(version.process)
        if parent is None:
            parent = containers[version.process] = ET.SubElement(
                akte, tag("Vorgang"), {"titel": version.process}
            )
        dokument = ET.SubElement(
            parent,
            tag("Dokument"),
            {
                "id": str(version.document_id),
                "titel": version.title,
                "typ": version.type_name,
                "absender": version.sender,
                "datum": version.letter_date,
                "eingang": version.received,
                "seiteVon": str(version.first_page),
                "seiteBis": str(version.last_page),
            },
        )
        ET.SubElement(
            dokument,
            tag("Version"),
            {
                "nummer": str(version.number),
                "sha256Original": version.original_sha256,
                "sha256Rendition": version.rendition_sha256,
                "datei": version.original_path,
                "mime": version.original_mime,
            },
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def package_zip(head: PackageHead, target: Path, progress=no_progress) -> str:
    """The whole package as one zip at `target` (originals are copied in chunks, renditions
    read lazily); returns its SHA-256. `progress(step, done, total)` is told how far it is:
    "pdf" per document appended, "check" before the PDF/A validation, "originals" per
    original copied."""
    for index, version in enumerate(head.versions, 1):
        version.original_path = (
            f"originale/{index:03d}-{version.document_id}-"
            f"v{version.number}-{_safe_name(version.original_name)}"
        )
    target = Path(target)
    pdf_path = target.with_name(f"{target.stem}-{PDF_NAME}")
    package_pdf(head, pdf_path, progress)
    progress("check", 0, 1)
    # Checked, not claimed: the package calls akte.pdf PDF/A only if the validator approves
    # the file as written (a rendition that is a plain PDF makes the whole file fail).
    pdfa = protocol_checked(pdf_path, what=f"inspection package {head.register_number}")
    files = []
    try:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            with (
                open(pdf_path, "rb") as source,
                package.open(PDF_NAME, "w", force_zip64=True) as member,
            ):
                digest, size = _copy_hashed(source, member)
            files.append({"pfad": PDF_NAME, "art": "pdfa" if pdfa.passed else "pdf",
                          "sha256": digest, "bytes": size, "pdfa_pruefung": pdfa.as_data()})
            for done, version in enumerate(head.versions, 1):
                progress("originals", done - 1, len(head.versions))
                with (
                    blob_open(version.original_sha256) as source,
                    package.open(version.original_path, "w", force_zip64=True) as member,
                ):
                    digest, size = _copy_hashed(source, member)
                files.append(
                    {
                        "pfad": version.original_path,
                        "art": "original",
                        "sha256": digest,
                        "bytes": size,
                        "dokument": version.document_id,
                        "version": version.number,
                    }
                )
            structure = structure_xml(head)
            package.writestr("struktur.xml", structure)
            files.append(
                {
                    "pfad": "struktur.xml",
                    "art": "struktur",
                    "sha256": hashlib.sha256(structure).hexdigest(),
                    "bytes": len(structure),
                }
            )
            index = {
                "format": FORMAT,
                "offenlegung": head.register_number,
                "aktenzeichen": head.file_reference,
                "erstellt": head.built_at,
                "dateien": files,
                "dokumente": [
                    {
                        "dokument": v.document_id,
                        "titel": v.title,
                        "version": v.number,
                        "sha256_original": v.original_sha256,
                        "sha256_rendition": v.rendition_sha256,
                        "seite_von": v.first_page,
                        "seite_bis": v.last_page,
                    }
                    for v in head.versions
                ],
            }
            package.writestr("index.json", json.dumps(index, ensure_ascii=False, indent=1))
    finally:
        pdf_path.unlink(missing_ok=True)
    with open(target, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
