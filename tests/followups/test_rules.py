"""The deadline rules are data the administrator keeps (the legal office is no role), each
change logged; the shipped ones are marked as examples; destruction leaves nothing behind."""
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput, PermissionDenied
from archive.models import Event
from followups.handlers import forget_destroyed
from followups.models import DeadlineDone, DeadlineRule, FollowUp
from followups.rules import deadline_done, deadline_rule_add, deadline_rule_update
from followups.services import follow_up_create
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def test_the_shipped_rules_are_examples(demo):
    shipped = {(rule.document_type, rule.months, rule.days): rule
               for rule in DeadlineRule.objects.all()}
    assert {("antrag", 6, 0), ("widerspruch", 3, 0), ("", 3, 0), ("bescheid", 11, 0)} <= set(
        shipped)
    assert all(rule.example and rule.active and rule.legal_basis for rule in shipped.values())
    assert "§ 88 Abs. 2 SGG" in shipped[("widerspruch", 3, 0)].legal_basis


def test_only_the_administrator_keeps_them_and_every_change_is_logged(demo):
    with pytest.raises(PermissionDenied):
        deadline_rule_add(actor=acting(user("sachbearbeitung-a")), label="x", months=1)
    admin = acting(user("admin"))
    rule = deadline_rule_add(actor=admin, document_type="vollmacht", months=0, days=14,
                             label="Vollmacht prüfen", legal_basis="Hausregel")
    with pytest.raises(InvalidInput):
        deadline_rule_add(actor=admin, document_type="gibt-es-nicht", months=1, label="x")
    with pytest.raises(InvalidInput):
        deadline_rule_add(actor=admin, label="ohne Frist")
    deadline_rule_update(actor=admin, rule_id=rule.pk, days=21, example=False)
    actions = list(Event.objects.filter(object_type="deadline_rule", object_id=str(rule.pk))
                   .order_by("seq").values_list("action", "data"))
    assert [action for action, _ in actions] == ["created", "changed"]
    assert actions[1][1]["changes"] == {"days": [14, 21]}


def test_admin_page_lists_and_creates(demo):
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    page = client.get(reverse("web:admin_deadline_rules")).content.decode()
    assert "Beispiel – von der Rechtsabteilung zu bestätigen" in page and "§ 88 Abs. 1 SGG" in page
    response = client.post(reverse("web:admin_deadline_rule_create"), {
        "document_type": "mahnung", "months": "0", "days": "10", "label": "Mahnung prüfen",
        "active": "on"})
    assert response.status_code == 302
    assert DeadlineRule.objects.filter(document_type="mahnung", days=10).exists()
    refused = client.post(reverse("web:admin_deadline_rule_create"), {
        "document_type": "", "months": "0", "days": "0", "label": "Leer", "active": "on"})
    assert refused.status_code == 400 and "DEADLINE_RULE_INVALID" in refused.content.decode()


def test_destruction_leaves_no_follow_up_and_no_done_mark(demo):
    caseworker = user("sachbearbeitung-a")
    document = file_document(demo["A"], text="Ein Schreiben")
    follow_up_create(actor=acting(caseworker), due=timezone.localdate(), reason="Frau X anrufen",
                     document_id=document.pk, assignee=caseworker)
    deadline_done(actor=acting(caseworker), document_id=document.pk,
                  rule_id=DeadlineRule.objects.get(document_type="").pk)
    kept = follow_up_create(actor=acting(caseworker), due=timezone.localdate(), reason="Akte",
                            case_file_id=demo["A"].pk, assignee=caseworker)
    forget_destroyed(sender=None, document_ids=[document.pk])
    assert list(FollowUp.objects.all()) == [kept]
    assert not DeadlineDone.objects.exists()
