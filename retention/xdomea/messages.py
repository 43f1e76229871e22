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
class HistoryData:
    """One entry of an object's history (HistorienProtokollInformation), from the trail."""
    action: str  # in German
    actor: str
    at: datetime  # local time, no zone (xs:dateTime as the rest of the message)
    name: str = ""  # the changed field, where the entry records one
    old: str = ""
    new: str = ""
    note: str = ""


@dataclass(frozen=True)
class DocumentData:
    id: str
    title: str
    received: date | None
    letter_date: date | None
    kind: str
    files: list[FileData] = field(default_factory=list)
    history: list[HistoryData] = field(default_factory=list)


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
    appraisal: str = codes.TO_APPRAISE  # Aussonderungsart: B until the archive decided
    confidentiality: int = 0  # archive.models.Confidentiality
    restricted: bool = False  # Art. 18 GDPR / § 84 SGB X
    disputed_note: str = ""  # Art. 16 GDPR: the subject disputes the accuracy
    history: list[HistoryData] = field(default_factory=list)


@dataclass(frozen=True)
class PlanUnitData:
    """One unit of the file plan for the 0301 export, with its children."""
    code: str
    title: str
    active: bool
    appraisal: str  # Aussonderungsart: B (the archive appraises) or V
    years: int | None  # retention in whole years; None: no schedule, kept without end
    children: list["PlanUnitData"] = field(default_factory=list)


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


def _history(entries: list[HistoryData]) -> list[etree._Element]:
    return [X.HistorienProtokollInformation(
        *_optional(_text("MetadatumName", entry.name) if entry.name else None,
                   _text("MetadatumAlterWert", entry.old) if entry.name else None,
                   _text("MetadatumNeuerWert", entry.new) if entry.name else None),
        _text("Akteur", entry.actor or "System"),
        _text("DatumUhrzeit", entry.at.replace(microsecond=0)),
        *_optional(_text("Bemerkung", entry.note) if entry.note else None),
        _text("Aktion", entry.action)) for entry in entries]


def _marks(record: CaseFileData) -> list[etree._Element]:
    """Restriction and dispute have no element of their own in 3.0.0: they go to the remark
    (for people) and to the extension point (for machines)."""
    fields = []
    if record.confidentiality == 2:
        fields.append(("Vertraulichkeit", "streng vertraulich"))
    if record.restricted:
        fields.append(("Verarbeitung eingeschraenkt", "Art. 18 DSGVO / § 84 SGB X"))
    if record.disputed_note:
        fields.append(("Richtigkeit bestritten", record.disputed_note))
    if not fields:
        return []
    return [X.AnwendungsspezifischeErweiterung(
        _text("Kennung", "urn:registratur:kennzeichen"),
        _text("Name", "Kennzeichen der Akte"),
        *[X.Feld(_text("Name", name), _text("Wert", value)) for name, value in fields])]


def _remark(record: CaseFileData) -> str:
    parts = []
    if record.restricted:
        parts.append("Verarbeitung eingeschränkt (Art. 18 DSGVO, § 84 SGB X).")
    if record.disputed_note:
        parts.append(f"Richtigkeit bestritten: {record.disputed_note}")
    return " ".join(parts)


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
        *(_history(doc.history) if with_files else []),
        *versions,
        *([_checksums(doc.files)] if with_files and doc.files else []))


def _case_file(record: CaseFileData, *, with_files: bool) -> etree._Element:
    """0501 (with_files False) offers metadata; 0503 carries the primary documents, the
    history and the archive's own decision."""
    appraisal = record.appraisal if with_files else codes.TO_APPRAISE
    retention = X.ArchivspezifischeMetadaten(
        *_optional(X.Aufbewahrungsdauer(_text("AnzahlJahre", record.retention_years))
                   if record.retention_years is not None else None),
        X.Aussonderungsart(_code("Aussonderungsart", appraisal, codes.APPRAISAL_LIST)),
        *_optional(_dated("Aufbewahrungsende", record.retention_end)))
    content = X.Akteninhalt(
        *[_document(doc, with_files=with_files) for doc in record.documents],
        *[X.Vorgang(X.Identifikation(_text("ID", process.id)),
                    X.AllgemeineMetadaten(_text("Betreff", process.title)),
                    *_optional(_bool("ZdA", True) if process.closed else None,
                               _dated("ZdADatum", process.closed)),
                    *[_document(doc, with_files=with_files) for doc in process.documents])
          for process in record.processes])
    remark = _remark(record)
    return X.Akte(
        X.Identifikation(_text("ID", record.id)),
        X.AllgemeineMetadaten(
            _text("Betreff", record.title), _text("Kennzeichen", record.file_reference),
            _code("Vertraulichkeitsstufe", codes.CONFIDENTIALITY[record.confidentiality],
                  codes.CONFIDENTIALITY_LIST),
            *_optional(_text("Bemerkung", remark) if remark else None),
            X.Aktenplaneinheit(_text("Kennzeichen", record.plan_code),
                               _text("Inhaltsangabe", record.plan_title))),
        retention,
        X.Laufzeit(*_optional(_dated("Beginn", record.begin), _dated("Ende", record.closed))),
        *(_history(record.history) if with_files else []),
        content,
        *_optional(_bool("ZdA", True) if record.closed else None,
                   _dated("ZdADatum", record.closed)),
        *_marks(record))


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


def _plan_unit(unit: PlanUnitData) -> etree._Element:
    duration = (X.Aufbewahrungsdauer(_text("AnzahlJahre", unit.years)) if unit.years is not None
                else X.Aufbewahrungsdauer(_bool("Unbefristet", True)))
    return X.Einheit(
        _text("Kennzeichen", unit.code), _text("Inhaltsangabe", unit.title),
        X.Aussonderungsart(_code("Aussonderungsart", unit.appraisal, codes.APPRAISAL_LIST)),
        _bool("Stillgelegt", not unit.active),
        duration,
        *[_plan_unit(child) for child in unit.children])


def file_plan(header: Header, *, name: str, version: str,
              units: list[PlanUnitData]) -> etree._ElementTree:
    """0301 Aktenplan: the file plan with each unit's retention and default appraisal."""
    head = _header(header, "0301")
    head.append(_bool("Empfangsbestaetigung", False))
    root = X(codes.MESSAGES["0301"], head,
             X.Aktenplan(_text("Bezeichnung", name), _text("Version", version),
                         *[_plan_unit(unit) for unit in units]))
    return etree.ElementTree(root)


def receipt(header: Header, code: str) -> etree._ElementTree:
    """A bare receipt (e.g. 0505 for a received 0502): only the header."""
    return etree.ElementTree(X(codes.MESSAGES[code], _header(header, code)))


def serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
