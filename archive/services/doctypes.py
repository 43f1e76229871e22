"""Document types: the administrator keeps them; recognition reads the active ones."""
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput, PermissionDenied
from ..guards import is_administrator, require_person
from ..models import DocumentType, ProtectionNeed
from ..models.doctypes import KEY_VALIDATOR
from .changes import apply_changes
from .events import event_append

DENIED = "Die Dokumenttypen pflegt die Administration."


def _require_administrator(actor: Actor) -> None:
    if not is_administrator(require_person(actor)):
        raise PermissionDenied(DENIED)


def document_type_add(*, actor: Actor, key: str, name: str, process_name: str = "", rule: str = "",
                      rule_is_regex: bool = False, priority: int = 0,
                      active: bool = True, protection_need: str = "normal",
                      keep_paper: bool = False) -> DocumentType:
    _require_administrator(actor)
    key, name, rule = key.strip(), name.strip(), rule.strip()
    try:
        KEY_VALIDATOR(key)
    except ValidationError:
        raise InvalidInput(f"Der Schlüssel „{key}“ ist ungültig: erlaubt sind Kleinbuchstaben, "
                           "Ziffern, „-“ und „_“.", code="DOCUMENT_TYPE_KEY_INVALID") from None
    _check_name_and_rule(name, rule, rule_is_regex)
    with transaction.atomic():
        if DocumentType.objects.filter(key=key).exists():
            raise InvalidInput(f"Den Dokumenttyp „{key}“ gibt es schon.",
                               code="DOCUMENT_TYPE_KEY_TAKEN")
        document_type = DocumentType.objects.create(
            key=key, name=name, process_name=process_name.strip(), rule=rule,
            rule_is_regex=rule_is_regex, priority=priority, active=active,
            protection_need=_need_checked(protection_need), keep_paper=keep_paper)
        event_append(action="created", object_type="document_type", object_id=document_type.pk,
                     actor=actor,
                     data={"key": key, "name": name, "process_name": process_name,
                           "rule": rule, "rule_is_regex": rule_is_regex, "priority": priority,
                           "active": active, "protection_need": protection_need,
                           "keep_paper": keep_paper})
    return document_type


def _check_name_and_rule(name: str, rule: str, rule_is_regex: bool) -> None:
    if not name:
        raise InvalidInput("Der Dokumenttyp braucht eine Bezeichnung.",
                           code="DOCUMENT_TYPE_NAME_MISSING")
    if rule_is_regex and not rule:
        # An empty expression matches every letter.
        raise InvalidInput("Ein regulärer Ausdruck als Regel darf nicht leer sein.",
                           code="DOCUMENT_TYPE_RULE_INVALID")
    if rule_is_regex:
        try:
            re.compile(rule)
        except re.error as error:
            where = "" if error.pos is None else f" (Fehler bei Zeichen {error.pos + 1})"
            raise InvalidInput(f"Die Regel ist kein gültiger regulärer Ausdruck{where}. Bitte "
                               "prüfen Sie Klammern, Wiederholungszeichen wie * + ? und "
                               "Escape-Zeichen (\\).",
                               code="DOCUMENT_TYPE_RULE_INVALID") from None


UPDATABLE = ("name", "process_name", "rule", "rule_is_regex", "priority", "active",
             "protection_need", "keep_paper")


def _need_checked(need: str) -> str:
    """Replacement scanning's protection need (BSI): it sets the share of scans checked."""
    if need not in ProtectionNeed.values:
        raise InvalidInput("Unbekannter Schutzbedarf: erlaubt sind normal, hoch und sehr hoch.",
                           code="PROTECTION_NEED_INVALID")
    return need


def document_type_update(*, actor: Actor, document_type: DocumentType,
                         **changes) -> DocumentType:
    """Name, default process, rule, priority and status; the key stays, because documents
    store it. One event with old and new values; an unchanged form writes none."""
    _require_administrator(actor)
    if set(changes) - set(UPDATABLE):
        raise InvalidInput("Der Schlüssel eines Dokumenttyps ist nicht änderbar.",
                           code="DOCUMENT_TYPE_KEY_FIXED")
    for field in ("name", "process_name", "rule"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    if "protection_need" in changes:
        changes["protection_need"] = _need_checked(changes["protection_need"])
    with transaction.atomic():
        document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
        _check_name_and_rule(changes.get("name", document_type.name),
                             changes.get("rule", document_type.rule),
                             changes.get("rule_is_regex", document_type.rule_is_regex))
        diff = apply_changes(document_type, changes)
        if diff:
            document_type.save()
            event_append(action="changed", object_type="document_type",
                         object_id=document_type.pk, actor=actor,
                         data={"key": document_type.key, "changes": diff})
    return document_type


def document_type_list(*, actor: Actor, active_only: bool = False):
    _require_administrator(actor)
    types = DocumentType.objects.all()
    return types.filter(active=True) if active_only else types


def document_types_for_recognition() -> list[DocumentType]:
    """The active types in the order recognition weighs them (higher priority first). No user:
    the pipeline reads them for every document, and they hold no personal data."""
    return list(DocumentType.objects.filter(active=True).order_by("-priority", "key"))


# --- the type of a document -----------------------------------------------------------------

def document_type_names() -> dict[str, str]:
    """Key -> German name of every type, inactive ones too (a document keeps the type it was
    given when that type is retired). No user: type names hold no personal data."""
    return dict(DocumentType.objects.values_list("key", "name"))


def document_type_name(key: str) -> str:
    """The German name of a key; an unknown key (a type since removed) shows as itself."""
    if not key:
        return ""
    return DocumentType.objects.filter(key=key).values_list("name", flat=True).first() or key


def document_type_choices() -> list[tuple[str, str]]:
    """What a person may choose when setting a type: the active types by name."""
    return sorted(DocumentType.objects.filter(active=True).values_list("key", "name"),
                  key=lambda choice: choice[1].casefold())


def document_type_checked(key: str, *, current: str = "") -> str:
    """The key a person chose, or the German refusal with a stable code. Empty means "no
    type" (none fits); the type a document already has may stay even if since retired."""
    key = (key or "").strip()
    if not key or key == current:
        return key
    found = DocumentType.objects.filter(key=key).values_list("active", flat=True).first()
    if found is None:
        raise InvalidInput(f"Den Dokumenttyp „{key[:64]}“ gibt es nicht.",
                           code="DOCUMENT_TYPE_UNKNOWN")
    if not found:
        raise InvalidInput(f"Der Dokumenttyp „{key}“ wird nicht mehr verwendet.",
                           code="DOCUMENT_TYPE_INACTIVE")
    return key


def _number(value) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else round(float(value), 4)
    except (TypeError, ValueError):
        return None


def type_suggestion(provenance: dict | None) -> dict:
    """What recognition suggested as the type of a version ({"value", "confidence",
    "model_version", "reasons"}), read from its provenance. Tolerant of older and partial
    provenance: a missing key is None (reasons: an empty list); "reason" is the older name of
    "reasons" and may be one text."""
    recognition = (provenance or {}).get("recognition") or {}
    suggested = recognition.get("document_type") if isinstance(recognition, dict) else None
    if not isinstance(suggested, dict):
        suggested = {}
    reasons = suggested.get("reasons", suggested.get("reason")) or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return {"value": suggested.get("value") or None,
            "confidence": _number(suggested.get("confidence")),
            "model_version": suggested.get("model_version") or None,
            "reasons": [str(reason) for reason in reasons if reason] if isinstance(
                reasons, list | tuple) else []}
