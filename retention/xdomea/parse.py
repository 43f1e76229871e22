"""Reading incoming messages: which message it is (by its root element; the sample messages
show that the header's Nachrichtentyp cannot be relied on), its process id, and its content."""
from dataclasses import dataclass, field

from lxml import etree

from archive.errors import InvalidInput

from . import codes
from .schema import schema_assert_valid

NAMES = {name: code for code, name in codes.MESSAGES.items()}


def _q(tag: str) -> str:
    return f"{{{codes.NS}}}{tag}"


@dataclass(frozen=True)
class Appraisal:
    object_id: str
    code: str  # Aussonderungsart code, or "" when only a configurable free text was given
    free_text: str = ""


@dataclass(frozen=True)
class ImportResult:
    object_id: str
    success: bool
    errors: list[str]
    archive_reference: str


@dataclass(frozen=True)
class Message:
    code: str
    name: str
    process_id: str
    header_type: str
    receipt_requested: bool
    objects: list[str] = field(default_factory=list)
    appraisals: list[Appraisal] = field(default_factory=list)
    results: list[ImportResult] = field(default_factory=list)


def _parse_xml(data: bytes):
    # No entities, no network: the file comes from outside.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"Keine wohlgeformte XML-Datei: {error}",
                           code="XDOMEA_INVALID_XML") from None


def _text(element, path: str) -> str:
    found = element.find(path, {"x": codes.NS})
    return (found.text or "").strip() if found is not None else ""


def message_parse(data: bytes) -> Message:
    tree = _parse_xml(data)
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace != codes.NS or qname.localname not in NAMES:
        raise InvalidInput(f"Keine xdomea-3.0.0-Aussonderungsnachricht: {qname.localname}",
                           code="XDOMEA_WRONG_MESSAGE_TYPE")
    schema_assert_valid(tree, what=qname.localname)
    process_id = _text(root, "x:Kopf/x:ProzessID")
    if not process_id:
        raise InvalidInput("Die Nachricht nennt keine ProzessID.", code="XDOMEA_INVALID")
    message = Message(
        code=NAMES[qname.localname], name=qname.localname, process_id=process_id.lower(),
        header_type=_text(root, "x:Kopf/x:Nachrichtentyp/code"),
        receipt_requested=_text(root, "x:Kopf/x:Empfangsbestaetigung") in ("1", "true"),
        objects=[_text(obj, "x:*/x:Identifikation/x:ID").lower()
                 for obj in root.iterfind("x:Schriftgutobjekt", {"x": codes.NS})])
    for item in root.iterfind(_q("BewertetesObjekt")):
        message.appraisals.append(Appraisal(
            object_id=_text(item, "x:ID").lower(),
            code=_text(item, "x:Aussonderungsart/x:Aussonderungsart/code"),
            free_text=_text(item, "x:Aussonderungsart/x:AussonderungsartKonfigurierbar")))
    for item in root.iterfind(_q("AusgesondertesSGO")):
        message.results.append(ImportResult(
            object_id=_text(item, "x:IDSGO").lower(),
            success=_text(item, "x:Erfolgreich") in ("1", "true"),
            errors=[(e.text or "").strip() for e in item.iterfind(_q("Fehlermeldung"))]
            + [_text(e, "code") for e in item.iterfind(_q("FehlermeldungCode"))],
            archive_reference=_text(item, "x:Archivkennung")))
    return message
