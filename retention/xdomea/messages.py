"""Builders of the outgoing messages. They take plain data (see the dataclasses) and return
lxml trees in the element order the 3.0.0 schema prescribes."""
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree
from lxml.builder import ElementMaker

from . import codes

X = ElementMaker(namespace=codes.NS, nsmap={"xdomea": codes.NS})
PRODUCT = "Registratur"


@dataclass(frozen=True)
class Party:
    key: str
    name: str


@dataclass(frozen=True)
class Header:
    process_id: str
    created: datetime
    sender: Party
    recipient: Party


@dataclass(frozen=True)
class FileData:
    """One primary document: a version's file in the package, named as the XML says."""
    number: int
    name: str
    pdfa: bool
    sha256: str
    created: datetime


@dataclass(frozen=True)
class DocumentData:
    id: str
    title: str
    received: date | None
    letter_date: date | None
    kind: str
    files: list[FileData] = field(default_factory=list)


@dataclass(frozen=True)
class ProcessData:
    id: str
    title: str
    closed: date | None
    documents: list[DocumentData]


@dataclass(frozen=True)
class CaseFileData:
    id: str
    file_reference: str
    title: str
    plan_code: str
    plan_title: str
    begin: date | None
    closed: date | None
    retention_years: int | None
    retention_end: date | None
    documents: list[DocumentData]
    processes: list[ProcessData]


def _text(tag: str, value) -> etree._Element:
    element = X(tag)
    element.text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return element


def _bool(tag: str, value: bool) -> etree._Element:
    return _text(tag, "1" if value else "0")


def _code(tag: str, value: str, code_list: tuple[str, str] | None = None) -> etree._Element:
    element = X(tag)
    if code_list:
        element.set("listURI", code_list[0])
        element.set("listVersionID", code_list[1])
    etree.SubElement(element, "code").text = value  # unqualified, as xoev-code:Code wants
    return element


def _party(tag: str, party: Party) -> etree._Element:
    key = X.Behoerdenschluessel(etree.Element("code"), etree.Element("name"))
    key[0].text, key[1].text = party.key, party.name
    return X(tag, X.Behoerdenkennung(key), X.Institution(_text("Name", party.name)))


def _header(header: Header, code: str, tag: str = "Kopf") -> etree._Element:
    return X(tag,
             _text("ProzessID", header.process_id),
             _code("Nachrichtentyp", code, codes.MESSAGE_TYPE_LIST),
             _text("Erstellungszeitpunkt", header.created.replace(microsecond=0)),
             _party("Absender", header.sender),
             _party("Empfaenger", header.recipient),
             X.SendendesSystem(_text("Produktname", PRODUCT)))


def _optional(*elements):
    return [element for element in elements if element is not None]


def _dated(tag: str, value) -> etree._Element | None:
    return _text(tag, value) if value else None


def _checksums(files: list[FileData]) -> etree._Element:
    """3.0.0 has no checksum element; the standard's extension point carries them."""
    return X.AnwendungsspezifischeErweiterung(
        _text("Kennung", "urn:registratur:pruefsummen"),
        _text("Name", "Prüfsummen der Primärdokumente"),
        *[X.Feld(_text("Name", f.name), _text("Beschreibung", "SHA-256"), _text("Wert", f.sha256))
          for f in files])


def _document(doc: DocumentData, *, with_files: bool) -> etree._Element:
    versions = []
    if with_files:
        for f in doc.files:
            versions.append(X.Version(
                _text("Nummer", f.number),
                X.Format(_code("Name", codes.PDFA if f.pdfa else codes.PDF,
                               codes.FILE_FORMAT_LIST),
                         _text("Version", "2b" if f.pdfa else ""),
                         X.Primaerdokument(_text("Dateiname", f.name),
                                           _text("DatumUhrzeit",
                                                 f.created.replace(microsecond=0))))))
    return X.Dokument(
        X.Identifikation(_text("ID", doc.id)),
        X.AllgemeineMetadaten(_text("Betreff", doc.title)),
        *_optional(_dated("Posteingangsdatum", doc.received),
                   _dated("DatumDesSchreibens", doc.letter_date),
                   _text("Typ", doc.kind) if doc.kind else None),
        *versions,
        *([_checksums(doc.files)] if with_files and doc.files else []))


def _case_file(record: CaseFileData, *, with_files: bool) -> etree._Element:
    retention = X.ArchivspezifischeMetadaten(
        *_optional(X.Aufbewahrungsdauer(_text("AnzahlJahre", record.retention_years))
                   if record.retention_years is not None else None),
        X.Aussonderungsart(_code("Aussonderungsart", codes.TO_APPRAISE, codes.APPRAISAL_LIST)),
        *_optional(_dated("Aufbewahrungsende", record.retention_end)))
    content = X.Akteninhalt(
        *[_document(doc, with_files=with_files) for doc in record.documents],
        *[X.Vorgang(X.Identifikation(_text("ID", process.id)),
                    X.AllgemeineMetadaten(_text("Betreff", process.title)),
                    *_optional(_bool("ZdA", True) if process.closed else None,
                               _dated("ZdADatum", process.closed)),
                    *[_document(doc, with_files=with_files) for doc in process.documents])
          for process in record.processes])
    return X.Akte(
        X.Identifikation(_text("ID", record.id)),
        X.AllgemeineMetadaten(
            _text("Betreff", record.title), _text("Kennzeichen", record.file_reference),
            X.Aktenplaneinheit(_text("Kennzeichen", record.plan_code),
                               _text("Inhaltsangabe", record.plan_title))),
        retention,
        X.Laufzeit(*_optional(_dated("Beginn", record.begin), _dated("Ende", record.closed))),
        content,
        *_optional(_bool("ZdA", True) if record.closed else None,
                   _dated("ZdADatum", record.closed)))


def offer_list(header: Header, case_files: list[CaseFileData]) -> etree._ElementTree:
    """0501 Anbieteverzeichnis: metadata only, no primary documents."""
    root = X(codes.MESSAGES["0501"], _header(header, "0501"))
    root[0].append(_bool("Empfangsbestaetigung", True))
    for record in case_files:
        root.append(X.Schriftgutobjekt(_case_file(record, with_files=False)))
    return etree.ElementTree(root)


def transfer(header: Header, case_files: list[CaseFileData]) -> etree._ElementTree:
    """0503 Aussonderung: metadata plus a Version/Format/Primaerdokument per stored file."""
    root = X(codes.MESSAGES["0503"], _header(header, "0503"))
    root[0].extend([_bool("Importbestaetigung", True), _bool("RueckmeldungArchivkennung", True),
                    _bool("Empfangsbestaetigung", True)])
    for record in case_files:
        root.append(X.Schriftgutobjekt(_case_file(record, with_files=True)))
    return etree.ElementTree(root)


def receipt(header: Header, code: str) -> etree._ElementTree:
    """A bare receipt (e.g. 0505 for a received 0502): only the header."""
    return etree.ElementTree(X(codes.MESSAGES[code], _header(header, code)))


def serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
