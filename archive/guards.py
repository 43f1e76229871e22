"""Checks for changing records. Reading is decided by principals (permissions.py); changing
needs more: membership of the owning unit (or being a named person of a staff case), enough
clearance, and a case file that is not closed."""
from .errors import Conflict, NotFound, PermissionDenied
from .models import CaseFile, Process, Role
from .permissions import user_role


def _profile(user):
    return getattr(user, "staff_profile", None)


def is_administrator(user) -> bool:
    return user_role(user) == Role.ADMINISTRATOR


def is_data_protection_officer(user) -> bool:
    return user_role(user) == Role.DATA_PROTECTION


def may_work_on(user, case_file: CaseFile) -> bool:
    """Shares and break-glass give reading only; working needs ownership."""
    profile = _profile(user)
    if user_role(user) != Role.CASEWORKER or profile is None or case_file.restricted:
        return False
    if case_file.staff_case:
        return (not profile.personnel_administration
                and case_file.named_persons.filter(pk=user.pk).exists())
    return (profile.units.filter(pk=case_file.unit_id).exists()
            and profile.clearance >= case_file.confidentiality)


def require_work(user, case_file: CaseFile) -> None:
    if not may_work_on(user, case_file):
        # Whoever may not work on it may not learn that it exists either.
        raise NotFound()


def require_open(case_file: CaseFile | None, process: Process | None = None) -> None:
    if case_file is not None and case_file.is_closed:
        raise Conflict(f"Die Akte {case_file.file_reference} ist zdA verfügt und nur lesbar.",
                       code="CASE_FILE_CLOSED")
    if process is not None and process.is_closed:
        raise Conflict(f"Der Vorgang „{process.title}“ ist zdA verfügt und nur lesbar.",
                       code="PROCESS_CLOSED")


def require_perm(user, permission: str, message: str) -> None:
    if not (user.is_active and (user.has_perm(permission) or is_administrator(user))):
        raise PermissionDenied(message)


def require_role(user, *roles: str) -> None:
    if user_role(user) not in roles:
        raise NotFound()


def require_person(actor):
    """What only people may do needs a person: the system and the bare command line may not.
    Returns the user acted for."""
    user = actor.user
    if user is None or not user.is_active:
        raise PermissionDenied("Dafür muss eine berechtigte Person handeln (--user).",
                               code="PERSON_REQUIRED")
    return user


def require_dpo_or_system(actor, message: str) -> None:
    """Disposal, destruction and the transfer to the public archive: the data-protection
    officer, or a scheduled run that carries out what the officer has decided."""
    if actor.is_system:
        return
    if actor.user is None or not is_data_protection_officer(actor.user):
        raise PermissionDenied(message)


def require_admin_or_operator(actor, message: str) -> None:
    """Staff and package imports: an administrator, or the command line's operator, who holds
    the machine (and so the database) already; the event names the OS account."""
    if actor.is_operator:
        return
    if actor.user is None or not is_administrator(actor.user):
        raise PermissionDenied(message)
