"""Document types are data kept by the administrator; a fresh instance ships a set for a
social-services department."""
import json

import pytest

from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput, PermissionDenied
from archive.models import DocumentType, Event
from archive.services.doctypes import (
    document_type_add,
    document_type_list,
    document_types_for_recognition,
)
from tests.conftest import registratur, user

SOCIAL_SERVICES_TYPES = {
    "antrag": "Antrag", "bescheid": "Bescheid", "widerspruch": "Widerspruch",
    "widerspruchsbescheid": "Widerspruchsbescheid", "einkommensnachweis": "Einkommensnachweis",
    "kontoauszug": "Kontoauszug", "mietvertrag": "Mietvertrag / Mietbescheinigung",
    "attest": "Ärztliches Attest / Gutachten", "sozialgericht": "Schreiben des Sozialgerichts",
    "anhoerung": "Anhörung", "mahnung": "Mahnung / Zahlungserinnerung",
    "vollmacht": "Vollmacht", "meldebescheinigung": "Meldebescheinigung",
}


@pytest.mark.django_db
def test_a_fresh_instance_has_the_social_services_types_with_rules():
    stored = {t.key: t for t in DocumentType.objects.all()}
    assert {key: stored[key].name for key in SOCIAL_SERVICES_TYPES} == SOCIAL_SERVICES_TYPES
    assert all(t.rule and t.active for t in stored.values())
    # the specific type is weighed before the general one it contains
    assert stored["widerspruchsbescheid"].priority > stored["widerspruch"].priority
    assert stored["sozialgericht"].rule_is_regex
    assert stored["widerspruch"].process_name == "Widerspruchsverfahren"


@pytest.mark.django_db
def test_only_the_administrator_adds_and_lists_types(demo):
    admin = user("admin")
    added = document_type_add(actor=acting(admin), key="kita-beitrag", name="Kita-Beitragsbescheid",
                              process_name="Elternbeiträge", rule="Elternbeitrag, Kita",
                              priority=55)
    assert added.rule_words() == ["Elternbeitrag", "Kita"]
    assert Event.objects.filter(object_type="document_type", object_id=str(added.pk),
                                action="created", actor="admin").exists()
    assert "kita-beitrag" in [t.key for t in document_type_list(actor=acting(admin))]
    for other in ("sachbearbeitung-a", "poststelle", "datenschutz"):
        with pytest.raises(PermissionDenied):
            document_type_add(actor=acting(user(other)), key="x", name="X")
        with pytest.raises(PermissionDenied):
            document_type_list(actor=acting(user(other)))
    assert not DocumentType.objects.filter(key="x").exists()


@pytest.mark.django_db
def test_bad_types_are_refused_with_a_code(demo):
    admin = user("admin")
    cases = [({"key": "antrag", "name": "Antrag"}, "DOCUMENT_TYPE_KEY_TAKEN"),
             ({"key": "Mit Leerzeichen", "name": "X"}, "DOCUMENT_TYPE_KEY_INVALID"),
             ({"key": "leer", "name": "  "}, "DOCUMENT_TYPE_NAME_MISSING"),
             ({"key": "kaputt", "name": "X", "rule": "(offen", "rule_is_regex": True},
              "DOCUMENT_TYPE_RULE_INVALID")]
    for arguments, code in cases:
        with pytest.raises(InvalidInput) as refused:
            document_type_add(actor=acting(admin), **arguments)
        assert refused.value.code == code


@pytest.mark.django_db
def test_inactive_types_are_not_used_for_recognition(demo):
    document_type_add(actor=acting(user("admin")), key="alt", name="Altes Formular",
                      rule="Formblatt", active=False)
    keys = [t.key for t in document_types_for_recognition()]
    assert "alt" not in keys and "antrag" in keys
    assert keys.index("widerspruchsbescheid") < keys.index("widerspruch")


@pytest.mark.django_db(transaction=True)
def test_the_command_line_adds_and_lists(demo_tx):
    added = registratur("doctype", "add", "betreuung", "Betreuungsverfügung",
                        "--process", "Betreuung", "--rule", "Betreuungsgericht, Betreuer",
                        "--user", "admin")
    assert added.returncode == 0, added.stderr
    listed = registratur("doctype", "list", "--json", "--user", "admin")
    assert listed.returncode == 0, listed.stderr
    types = {t["key"]: t for t in json.loads(listed.stdout)}
    assert types["betreuung"]["process_name"] == "Betreuung"
    assert types["betreuung"]["rule"] == "Betreuungsgericht, Betreuer"
    refused = registratur("doctype", "add", "y", "Y", "--user", "poststelle")
    assert refused.returncode != 0 and "PERMISSION_DENIED" in refused.stderr
