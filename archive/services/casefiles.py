"""Case files: issuing file references, changing, closing (zdA) and reopening, sharing."""
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..actors import Actor
from ..errors import Conflict, InvalidInput, NotFound
from ..guards import (
    is_administrator,
    require_open,
    require_perm,
    require_person,
    require_work,
)
from ..models import CaseFile, FilePlanUnit, FileReferenceCounter, Role, Share, Unit
from ..schedules import schedule_exists
from ..signals import (
    case_file_access_changed,
    case_file_closed,
    case_file_reopened,
    case_file_updated,
    retention_basis_changed,
)
from .changes import apply_changes
from .events import event_append

EDITABLE = {"title", "subject_name", "subject_birth_date", "client_number", "confidentiality",
            "staff_case", "subject_street", "subject_postcode", "subject_city"}
ADDRESS_FIELDS = ("subject_street", "subject_postcode", "subject_city")
ACCESS_FIELDS = {"confidentiality", "staff_case"}


def file_reference_format(*, plan_code: str, year: int, number: int) -> str:
    return f"{plan_code}-{year}-{number:06d}"


def address_clean(street: str = "", postcode: str = "", city: str = "") -> dict:
    """An address as stored: trimmed, a German postcode of five digits or none."""
    postcode = (postcode or "").strip()
    if postcode and not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        raise InvalidInput("Die Postleitzahl hat fünf Ziffern.", code="POSTCODE_INVALID")
    return {"street": (street or "").strip()[:200], "postcode": postcode,
            "city": (city or "").strip()[:100]}


def _subject_address(changes: dict) -> dict:
    """The subject's address fields among the changes, cleaned (only those given)."""
    given = {field: changes[field] for field in ADDRESS_FIELDS if field in changes}
    if not given:
        return {}
    clean = address_clean(**{field.removeprefix("subject_"): value or ""
                             for field, value in given.items()})
    return {field: clean[field.removeprefix("subject_")] for field in given}


def _next_number(plan_unit: FilePlanUnit, year: int) -> int:
    # The counter row is locked (PostgreSQL) or the whole database is (SQLite's IMMEDIATE
    # transactions), so parallel creations never draw the same number.
    FileReferenceCounter.objects.get_or_create(plan_unit=plan_unit, year=year)
    counter = FileReferenceCounter.objects.select_for_update().get(plan_unit=plan_unit, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _may_create_in(user, unit: Unit) -> bool:
    scope = getattr(user, "unit_scope", None)
    if scope is not None and unit.pk not in scope:
        return False  # a service token creates only in the units it is scoped to
    profile = getattr(user, "staff_profile", None)
    if is_administrator(user):
        return True
    return (profile is not None and profile.role == Role.CASEWORKER
            and profile.units.filter(pk=unit.pk).exists())


def case_file_create(
    *, plan_unit: FilePlanUnit, unit: Unit, title: str, actor: Actor,
    subject_name: str = "", subject_birth_date=None, client_number: str = "",
    confidentiality: int = 0, subject_street: str = "", subject_postcode: str = "",
    subject_city: str = "",
) -> CaseFile:
    """A person must belong to the unit; without one only the system creates (demo setup)."""
    if not actor.is_system:
        if not _may_create_in(require_person(actor), unit):
            raise NotFound()
    if not plan_unit.active:
        raise InvalidInput(f"Die Aktenplaneinheit {plan_unit.code} ist deaktiviert.",
                           code="PLAN_UNIT_INACTIVE")
    if not schedule_exists(plan_unit.retention_schedule):
        # Its retention could never be computed: it would be kept forever, unnoticed.
        raise InvalidInput(f"Die Aktenplaneinheit {plan_unit.code} hat keine gültige "
                           "Aufbewahrungsfrist; bitte wenden Sie sich an die Administration.",
                           code="PLAN_SCHEDULE_UNKNOWN")
    address = _subject_address({"subject_street": subject_street,
                                "subject_postcode": subject_postcode,
                                "subject_city": subject_city})
    with transaction.atomic():
        year = timezone.localdate().year
        reference = file_reference_format(
            plan_code=plan_unit.code, year=year, number=_next_number(plan_unit, year)
        )
        case_file = CaseFile.objects.create(
            file_reference=reference, plan_unit=plan_unit, unit=unit, title=title,
            subject_name=subject_name, subject_birth_date=subject_birth_date,
            client_number=client_number, confidentiality=confidentiality, **address,
        )
        event_append(action="created", object_type="case_file", object_id=case_file.pk,
                     actor=actor, data={"file_reference": reference, "unit": unit.code,
                                        "plan_unit": plan_unit.code})
        retention_basis_changed.send(sender=CaseFile, case_file_id=case_file.pk)
    return case_file


def case_file_by_reference(reference: str) -> CaseFile | None:
    return CaseFile.objects.filter(file_reference=reference).select_related("unit").first()


def _document_ids(case_file: CaseFile) -> list[int]:
    return list(case_file.documents.values_list("pk", flat=True))


def _reindex(case_file: CaseFile) -> None:
    case_file_access_changed.send(sender=CaseFile, case_file_id=case_file.pk,
                                  document_ids=_document_ids(case_file))


def case_file_update(*, actor: Actor, case_file: CaseFile, **changes) -> CaseFile:
    user = require_person(actor)
    require_work(user, case_file)
    require_open(case_file)
    if set(changes) - EDITABLE:
        raise InvalidInput(f"Nicht änderbar: {', '.join(sorted(set(changes) - EDITABLE))}.")
    changes = {**changes, **_subject_address(changes)}
    with transaction.atomic():
        diff = apply_changes(case_file, changes)
        if not diff:
            return case_file
        case_file.save()
        if case_file.staff_case and "staff_case" in diff:
            # Whoever marks a staff case stays able to work on it.
            case_file.named_persons.add(user)
        event_append(action="changed", object_type="case_file", object_id=case_file.pk,
                     actor=actor, data={"changes": diff})
        if ACCESS_FIELDS & set(diff):
            _reindex(case_file)
        case_file_updated.send(sender=CaseFile, case_file_id=case_file.pk,
                               document_ids=_document_ids(case_file), fields=sorted(diff))
    return case_file


def case_file_close(*, actor: Actor, case_file: CaseFile, note: str = "") -> CaseFile:
    """zdA: read-only from now on; retention starts from this date."""
    user = require_person(actor)
    require_work(user, case_file)
    require_open(case_file)
    with transaction.atomic():
        case_file.closed_at = timezone.now()
        case_file.closed_by = user.username
        case_file.save(update_fields=["closed_at", "closed_by"])
        event_append(action="closed", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=note,
                     data={"closed_at": case_file.closed_at.isoformat()})
        case_file_closed.send(sender=CaseFile, case_file_id=case_file.pk,
                              document_ids=_document_ids(case_file))
    return case_file


def case_file_reopen(*, actor: Actor, case_file: CaseFile, reason: str) -> CaseFile:
    user = require_person(actor)
    require_work(user, case_file)
    require_perm(user, "archive.reopen_casefile",
                 "Die Wiederaufnahme ist der Teamleitung vorbehalten.")
    if not case_file.is_closed:
        raise Conflict("Die Akte ist nicht zdA verfügt.", code="NOT_CLOSED")
    if not reason.strip():
        raise InvalidInput("Die Wiederaufnahme braucht eine Begründung.", code="REASON_REQUIRED")
    with transaction.atomic():
        closed_at = case_file.closed_at
        case_file.closed_at, case_file.closed_by = None, ""
        case_file.save(update_fields=["closed_at", "closed_by"])
        event_append(action="reopened", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=reason,
                     data={"was_closed_at": closed_at.isoformat()})
        case_file_reopened.send(sender=CaseFile, case_file_id=case_file.pk,
                                document_ids=_document_ids(case_file))
    return case_file


def case_file_share(*, actor: Actor, case_file: CaseFile, unit: Unit, reason: str,
                    valid_until: datetime | None = None) -> Share:
    user = require_person(actor)
    require_work(user, case_file)
    require_perm(user, "archive.share_casefile", "Freigaben erteilt die Teamleitung.")
    if case_file.staff_case:
        raise Conflict("Beschäftigtenfälle werden nicht freigegeben; benennen Sie Personen.",
                       code="STAFF_CASE_NOT_SHAREABLE")
    if unit.pk == case_file.unit_id:
        raise InvalidInput("Die Akte gehört dieser Einheit bereits.", code="SHARE_OWN_UNIT")
    if not reason.strip():
        raise InvalidInput("Eine Freigabe braucht einen Anlass.", code="REASON_REQUIRED")
    with transaction.atomic():
        share = Share.objects.create(case_file=case_file, unit=unit, granted_by=user.username,
                                     reason=reason, valid_until=valid_until)
        event_append(action="shared", object_type="case_file", object_id=case_file.pk,
                     actor=actor, purpose=reason,
                     data={"share": share.pk, "unit": unit.code,
                           "valid_until": valid_until.isoformat() if valid_until else None})
    return share


def case_file_unshare(*, actor: Actor, share: Share) -> Share:
    user = require_person(actor)
    require_work(user, share.case_file)
    require_perm(user, "archive.share_casefile", "Freigaben entzieht die Teamleitung.")
    with transaction.atomic():
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        event_append(action="unshared", object_type="case_file", object_id=share.case_file_id,
                     actor=actor, data={"share": share.pk, "unit": share.unit.code})
    return share


def case_file_name_person(*, actor: Actor, case_file: CaseFile, person) -> None:
    """Staff cases are visible only to the persons named here, never to personnel admin."""
    user = require_person(actor)
    require_work(user, case_file)
    if not case_file.staff_case:
        raise Conflict("Nur Beschäftigtenfälle haben benannte Personen.", code="NOT_STAFF_CASE")
    profile = getattr(person, "staff_profile", None)
    if profile is None or profile.personnel_administration or profile.role != Role.CASEWORKER:
        raise InvalidInput("Benannt werden können nur Sachbearbeitende außerhalb der "
                           "Personalverwaltung.", code="PERSON_NOT_ELIGIBLE")
    with transaction.atomic():
        case_file.named_persons.add(person)
        event_append(action="person_named", object_type="case_file", object_id=case_file.pk,
                     actor=actor, data={"person": person.username})
        _reindex(case_file)
