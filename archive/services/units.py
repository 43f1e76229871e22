"""Organisation units (Organisationseinheiten): the administration creates them and changes
their code and name. A unit is never deleted: case files, shares and the trail refer to it."""
from django.db import transaction

from ..actors import Actor
from ..errors import InvalidInput
from ..guards import require_admin_or_operator
from ..models import Unit
from .changes import apply_changes
from .events import event_append

DENIED = "Organisationseinheiten pflegt die Administration."
CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length


def _clean(code: str, name: str) -> tuple[str, str]:
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise InvalidInput("Die Organisationseinheit braucht ein Kürzel.",
                           code="UNIT_CODE_MISSING")
    if len(code) > CODE_MAX or any(character.isspace() for character in code):
        raise InvalidInput(f"Das Kürzel „{code}“ ist ungültig: höchstens {CODE_MAX} Zeichen, "
                           "ohne Leerzeichen.", code="UNIT_CODE_INVALID")
    if not name:
        raise InvalidInput("Die Organisationseinheit braucht eine Bezeichnung.",
                           code="UNIT_NAME_MISSING")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Die Bezeichnung ist länger als {NAME_MAX} Zeichen.",
                           code="UNIT_NAME_INVALID")
    return code, name


def _require_free(code: str, unit: Unit | None = None) -> None:
    taken = Unit.objects.filter(code__iexact=code)
    if unit is not None:
        taken = taken.exclude(pk=unit.pk)
    if taken.exists():
        # Codes differing in case only would be confused on the command line and in lists.
        raise InvalidInput(f"Das Kürzel „{code}“ ist schon vergeben.", code="UNIT_CODE_TAKEN")


def unit_create(*, actor: Actor, code: str, name: str) -> Unit:
    require_admin_or_operator(actor, DENIED)
    code, name = _clean(code, name)
    with transaction.atomic():
        _require_free(code)
        unit = Unit.objects.create(code=code, name=name)
        event_append(action="created", object_type="unit", object_id=unit.pk, actor=actor,
                     data={"code": code, "name": name})
    return unit


def unit_update(*, actor: Actor, unit: Unit, code: str | None = None,
                name: str | None = None) -> Unit:
    """Only what really changed is recorded; an unchanged form writes no event."""
    require_admin_or_operator(actor, DENIED)
    code, name = _clean(unit.code if code is None else code,
                        unit.name if name is None else name)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if code != unit.code:
            _require_free(code, unit)
        diff = apply_changes(unit, {"code": code, "name": name})
        if diff:
            unit.save()
            event_append(action="changed", object_type="unit", object_id=unit.pk, actor=actor,
                         data={"code": unit.code, "changes": diff})
    return unit
