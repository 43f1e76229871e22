"""Shared pieces of the xdomea tests: the official schemas (shipped with the package), the
official sample messages (not shipped; read from ../shared/xdomea) and messages from the
archive's side, built from the official samples."""
import copy
import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from lxml import etree

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "xdomea"
SHIPPED = Path(__file__).resolve().parents[2] / "retention" / "xdomea" / "schemas"
SCHEMA = SHIPPED / "3.0.0" / "xdomea-Nachrichten-AussonderungDurchfuehren.xsd"
CODE_LISTS = SHIPPED / "3.0.0" / "code_lists"
SAMPLES = SHARED / "samples_3.0.0"
NS = {"x": "urn:xoev-de:xdomea:schema:3.0.0"}
X = "{urn:xoev-de:xdomea:schema:3.0.0}"

needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=f"official xdomea 3.0.0 sample messages not found at {SAMPLES} (../shared/xdomea)")

_schema = None


def assert_valid(tree_or_bytes):
    """Validate with lxml directly against the official schema, not through the code under
    test."""
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    tree = (etree.fromstring(tree_or_bytes).getroottree()
            if isinstance(tree_or_bytes, bytes) else tree_or_bytes)
    assert _schema.validate(tree), [f"{e.line}: {e.message}" for e in _schema.error_log]
    return tree


def sample(name: str) -> etree._ElementTree:
    return etree.parse(str(next(SAMPLES.glob(f"*{name}*.xml"))))


def _with_process(tree, process_id: str):
    tree.find("x:Kopf/x:ProzessID", NS).text = process_id
    return tree


def appraisal_0502(process_id: str, decisions: dict[str, str]) -> bytes:
    """The archive's Bewertungsverzeichnis, from the official sample with our objects."""
    tree = _with_process(sample("0502"), process_id)
    root = tree.getroot()
    template = root.find("x:BewertetesObjekt", NS)
    root.remove(template)
    for object_id, code in decisions.items():
        item = copy.deepcopy(template)
        item.find("x:ID", NS).text = object_id
        item.find("x:Aussonderungsart/x:Aussonderungsart/code", NS).text = code
        root.append(item)
    return etree.tostring(assert_valid(tree), xml_declaration=True, encoding="UTF-8")


def confirmation_0506(process_id: str, results: dict[str, tuple[bool, str]]) -> bytes:
    """The archive's AussonderungImportBestaetigen (no sample exists): the sample 0504's header
    under the 0506 root, one AusgesondertesSGO per object (success, Archivkennung or error)."""
    receipt = sample("0504").getroot()
    root = etree.Element(f"{X}Aussonderung.AussonderungImportBestaetigen.0506",
                         nsmap=receipt.nsmap)
    kopf = copy.deepcopy(receipt.find("x:Kopf", NS))
    kopf.find("x:ProzessID", NS).text = process_id
    kopf.find("x:Nachrichtentyp/code", NS).text = "0506"
    root.append(kopf)
    for object_id, (success, text) in results.items():
        item = etree.SubElement(root, f"{X}AusgesondertesSGO")
        etree.SubElement(item, f"{X}IDSGO").text = object_id
        etree.SubElement(item, f"{X}Erfolgreich").text = "1" if success else "0"
        etree.SubElement(item, f"{X}Fehlermeldung" if not success else f"{X}Archivkennung") \
            .text = text
    tree = root.getroottree()
    return etree.tostring(assert_valid(tree), xml_declaration=True, encoding="UTF-8")


def close_long_ago(case_file, owner: str):
    from archive.actors import actor_for_user as acting
    from archive.models import CaseFile
    from archive.services.casefiles import case_file_close
    from tests.conftest import user

    case_file_close(actor=acting(user(owner)), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(2010, 6, 1)))
    return CaseFile.objects.get(pk=case_file.pk)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
