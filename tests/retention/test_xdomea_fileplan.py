"""The file plan as xdomea 0301 (issue 14.11): every unit with its retention and default
Aussonderungsart, nested as in the plan, valid against the official schema (checked with lxml
directly), logged; only the administration and the officer may export it."""
import pytest
from django.test import Client
from lxml import etree

from archive.actors import actor_for_user as acting
from archive.errors import PermissionDenied
from archive.models import Event, FilePlanUnit
from retention.services.fileplan_export import file_plan_export
from tests.conftest import DEMO_PASSWORD, user

from .xdomea_helpers import NS, SHIPPED, X

pytestmark = pytest.mark.django_db
SCHEMA = SHIPPED / "3.0.0" / "xdomea-Nachrichten-AktenplanAustauschen.xsd"


def _valid(data: bytes) -> etree._ElementTree:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    tree = etree.fromstring(data).getroottree()
    assert schema.validate(tree), [f"{e.line}: {e.message}" for e in schema.error_log]
    return tree


def test_the_plan_is_exported_nested_with_retention_and_appraisal(schedules):
    parent = FilePlanUnit.objects.create(code="60", title="Hilfe zur Pflege",
                                         retention_schedule="SGB-10J-ZDA-ANBIETEN")
    FilePlanUnit.objects.create(code="60.1", title="Pflegegeld", parent=parent,
                                retention_schedule="SGB-10J-ZDA", active=False)
    FilePlanUnit.objects.create(code="61", title="Ohne Frist", retention_schedule="")
    name, data = file_plan_export(actor=acting(user("datenschutz")))
    assert name.endswith("_Aktenplan.Aktenplan.0301.xml")
    tree = _valid(data)
    assert tree.getroot().tag == f"{X}Aktenplan.Aktenplan.0301"
    assert tree.findtext("x:Kopf/x:Nachrichtentyp/code", namespaces=NS) == "0301"
    top = {e.findtext("x:Kennzeichen", namespaces=NS): e
           for e in tree.findall("x:Aktenplan/x:Einheit", NS)}
    assert set(top) >= {"60", "61"} and "60.1" not in top
    [child] = top["60"].findall("x:Einheit", NS)
    assert child.findtext("x:Kennzeichen", namespaces=NS) == "60.1"
    assert child.findtext("x:Stillgelegt", namespaces=NS) == "1"
    assert child.findtext("x:Aussonderungsart/x:Aussonderungsart/code", namespaces=NS) == "V"
    assert child.findtext("x:Aufbewahrungsdauer/x:AnzahlJahre", namespaces=NS) == "10"
    assert top["60"].findtext("x:Aussonderungsart/x:Aussonderungsart/code",
                              namespaces=NS) == "B"
    assert top["61"].findtext("x:Aufbewahrungsdauer/x:Unbefristet", namespaces=NS) == "1"
    assert Event.objects.filter(action="file_plan_exported", actor="datenschutz").exists()


def test_only_administration_and_officer_export_the_plan(schedules):
    for username in ("sachbearbeitung-a", "sachbearbeitung-b", "poststelle"):
        with pytest.raises(PermissionDenied):
            file_plan_export(actor=acting(user(username)))
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert client.get("/aktenplan/xdomea-0301.xml").status_code == 404
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    response = client.get("/aktenplan/xdomea-0301.xml")
    assert response.status_code == 200
    _valid(response.content)
    assert not Event.objects.filter(action="file_plan_exported",
                                    actor__startswith="sachbearbeitung").exists()


def test_command_line_writes_the_message(schedules, tmp_path):
    from django.core.management import call_command

    call_command("xdomea", "fileplan", "--out", str(tmp_path), "--user", "admin")
    [path] = tmp_path.glob("*_Aktenplan.Aktenplan.0301.xml")
    _valid(path.read_bytes())
