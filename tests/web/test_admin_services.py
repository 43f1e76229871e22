"""The services behind the administration's pages authorize the actor themselves: another
caller (a command, the API, a task) cannot forget the check."""
import pytest
from django.test import Client

from archive.actors import actor_for_cli, actor_for_user, system_actor
from archive.errors import InvalidInput, PermissionDenied
from archive.models import DocumentType, Event, Unit
from archive.services.doctypes import document_type_add, document_type_update
from archive.services.staff import user_create, user_deactivate, user_update
from archive.services.units import unit_create, unit_update
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db

OTHERS = ["poststelle", "sachbearbeitung-a", "datenschutz"]


@pytest.mark.parametrize("username", OTHERS)
def test_only_the_administrator_keeps_units_users_and_document_types(demo, username):
    actor = actor_for_user(user(username))
    antrag = DocumentType.objects.get(key="antrag")
    before = Event.objects.count()
    attempts = [
        lambda: unit_create(actor=actor, code="C", name="Sachgebiet C"),
        lambda: unit_update(actor=actor, unit=demo["A"].unit, name="Umbenannt"),
        lambda: user_create(actor=actor, username="neu", role="caseworker",
                            password="ein-langes-kennwort"),
        lambda: user_update(actor=actor, user=user(username), role="administrator"),
        lambda: user_deactivate(actor=actor, user=user("sachbearbeitung-b")),
        lambda: document_type_update(actor=actor, document_type=antrag, name="Umbenannt"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert Event.objects.count() == before
    assert not Unit.objects.filter(code="C").exists()
    assert user(username).staff_profile.role != "administrator"
    assert user("sachbearbeitung-b").is_active


def test_the_system_may_not_keep_staff_but_the_operator_at_the_command_line_may(demo):
    with pytest.raises(PermissionDenied):
        unit_create(actor=system_actor(), code="C", name="Sachgebiet C")
    # The first administrator of an instance is set up by whoever holds the machine; the
    # event names the OS account.
    operator = actor_for_cli(None, os_user="betrieb")
    unit = unit_create(actor=operator, code="C", name="Sachgebiet C")
    created = user_create(actor=operator, username="erste-admin", role="administrator",
                          password="ein-langes-kennwort", units=["C"])
    events = Event.objects.filter(object_type__in=["unit", "staff"]).order_by("seq")
    assert [(e.object_type, e.object_id, e.actor, e.data["via"]["os_user"])
            for e in events] == [("unit", str(unit.pk), "cli", "betrieb"),
                                 ("staff", str(created.pk), "cli", "betrieb")]


def test_a_document_types_key_stays_and_an_empty_regex_is_refused(demo):
    admin = actor_for_user(user("admin"))
    antrag = DocumentType.objects.get(key="antrag")
    with pytest.raises(InvalidInput) as fixed:
        document_type_update(actor=admin, document_type=antrag, key="anderer")
    assert fixed.value.code == "DOCUMENT_TYPE_KEY_FIXED"
    for call in (lambda: document_type_update(actor=admin, document_type=antrag, rule="",
                                              rule_is_regex=True),
                 lambda: document_type_add(actor=admin, key="alles", name="Alles",
                                           rule_is_regex=True)):
        with pytest.raises(InvalidInput) as empty:
            call()
        assert empty.value.code == "DOCUMENT_TYPE_RULE_INVALID"
    # An empty expression would match every letter; the stored rule is unchanged.
    assert DocumentType.objects.get(pk=antrag.pk).rule == antrag.rule
    assert not DocumentType.objects.filter(key="alles").exists()


def test_a_regex_error_names_the_position_in_german(demo):
    admin = actor_for_user(user("admin"))
    with pytest.raises(InvalidInput) as refused:
        document_type_add(actor=admin, key="kaputt", name="Kaputt", rule="Antrag [a-",
                          rule_is_regex=True)
    assert refused.value.code == "DOCUMENT_TYPE_RULE_INVALID"
    assert "kein gültiger regulärer Ausdruck (Fehler bei Zeichen 8)" in refused.value.message


def test_the_administrator_sets_a_types_protection_need_and_keep_paper_flag(demo):
    admin = actor_for_user(user("admin"))
    antrag = DocumentType.objects.get(key="antrag")
    document_type_update(actor=admin, document_type=antrag, protection_need="sehr_hoch",
                         keep_paper=True)
    antrag.refresh_from_db()
    assert (antrag.protection_need, antrag.keep_paper) == ("sehr_hoch", True)
    changed = Event.objects.filter(object_type="document_type", action="changed").last()
    assert set(changed.data["changes"]) == {"protection_need", "keep_paper"}
    with pytest.raises(InvalidInput) as refused:
        document_type_update(actor=admin, document_type=antrag, protection_need="egal")
    assert refused.value.code == "PROTECTION_NEED_INVALID"
    # Through the administration's page, in German.
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    form = client.get(f"/verwaltung/dokumenttypen/{antrag.pk}/")
    assert "Schutzbedarf" in form.content.decode()
    assert "Papieroriginal aufbewahren" in form.content.decode()
