"""Keeping the deadline rules (the administrator: the legal office is no role of its own, so
the administrator enters what the legal office decided) and marking a deadline done (the
caseworker who may change the file). Each is one event in the trail."""
from django.db import transaction

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.guards import is_administrator, require_person, require_work
from archive.models import DocumentType
from archive.selectors import document_visible_or_404
from archive.services.changes import apply_changes
from archive.services.events import event_append

from .models import DeadlineDone, DeadlineRule

FIELDS = ("document_type", "months", "days", "label", "legal_basis", "example", "active")
DENIED = "Die Fristregeln pflegt die Administration."


def _require_administrator(actor: Actor) -> None:
    if not is_administrator(require_person(actor)):
        raise PermissionDenied(DENIED)


def _checked(values: dict) -> dict:
    values = {**values}
    values["label"] = (values.get("label") or "").strip()
    values["legal_basis"] = (values.get("legal_basis") or "").strip()
    values["document_type"] = (values.get("document_type") or "").strip()
    if not values["label"]:
        raise InvalidInput("Die Fristregel braucht eine Bezeichnung.",
                           code="DEADLINE_RULE_INVALID")
    if not (values.get("months") or values.get("days")):
        raise InvalidInput("Die Frist braucht Monate oder Tage.", code="DEADLINE_RULE_INVALID")
    if values["document_type"] and not DocumentType.objects.filter(
            key=values["document_type"]).exists():
        raise InvalidInput(f"Den Dokumenttyp „{values['document_type']}“ gibt es nicht.",
                           code="DEADLINE_RULE_INVALID")
    return values


def deadline_rule_add(*, actor: Actor, **values) -> DeadlineRule:
    _require_administrator(actor)
    if set(values) - set(FIELDS):
        raise InvalidInput("Unbekannte Angabe.", code="DEADLINE_RULE_INVALID")
    values = _checked(values)
    with transaction.atomic():
        rule = DeadlineRule.objects.create(**values)
        event_append(action="created", object_type="deadline_rule", object_id=rule.pk,
                     actor=actor, data=values)
    return rule


def deadline_rule_update(*, actor: Actor, rule_id, **changes) -> DeadlineRule:
    """One event with old and new values; an unchanged form writes none."""
    _require_administrator(actor)
    if set(changes) - set(FIELDS):
        raise InvalidInput("Unbekannte Angabe.", code="DEADLINE_RULE_INVALID")
    with transaction.atomic():
        rule = DeadlineRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound()
        changes = _checked({**{field: getattr(rule, field) for field in FIELDS}, **changes})
        diff = apply_changes(rule, changes)
        if diff:
            rule.save()
            event_append(action="changed", object_type="deadline_rule", object_id=rule.pk,
                         actor=actor, data={"label": rule.label, "changes": diff})
    return rule


def deadline_rules(*, actor: Actor):
    _require_administrator(actor)
    return DeadlineRule.objects.all()


def deadline_done(*, actor: Actor, document_id, rule_id) -> DeadlineDone:
    """The caseworker marks one deadline of one document done; the event says which."""
    user = require_person(actor)
    document = document_visible_or_404(user, document_id)
    if document.case_file_id is None:
        raise NotFound()
    require_work(user, document.case_file)
    rule = DeadlineRule.objects.filter(pk=rule_id).first()
    if rule is None or rule.document_type != document.document_type:
        raise NotFound()
    with transaction.atomic():
        if DeadlineDone.objects.filter(document=document, rule=rule).exists():
            raise Conflict("Diese Frist ist bereits erledigt.", code="DEADLINE_DONE_ALREADY")
        done = DeadlineDone.objects.create(document=document, rule=rule, done_by=actor.label)
        event_append(action="deadline_done", object_type="document", object_id=document.pk,
                     actor=actor, data={"case_file": document.case_file.file_reference,
                                        "rule": rule.pk, "label": rule.label})
    return done
