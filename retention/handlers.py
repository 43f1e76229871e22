"""Reactions to archive signals (archive/signals.py lists their arguments)."""
from archive.models import CaseFile

from .models import CaseFileRetention, ErasureRequest, LegalHold, RetentionSchedule, TransferItem
from .services.holds import destruction_veto
from .services.schedules import retention_recompute


def veto_destruction(sender, *, case_file_ids: list[int], **_):
    destruction_veto(case_file_ids)


def held_files(sender, *, case_file_ids: list[int], **_) -> set[int]:
    """Files under a hold keep their whole trail past its period: the hold preserves the
    file's history as evidence, and who read it may be the very question."""
    return set(LegalHold.objects.filter(case_file_id__in=case_file_ids, lifted_at__isnull=True)
               .values_list("case_file_id", flat=True))


def clear_destroyed(sender, *, case_file_ids: list[int], **_):
    """A destroyed file keeps no free text here either: the reasons and mandates of its holds,
    the reason of an override, the notes of erasure requests and transfer items (they may
    name the person). Dates, decisions and who acted stay, like the residual record."""
    LegalHold.objects.filter(case_file_id__in=case_file_ids).update(
        reason="", mandate="", lift_reason="")
    CaseFileRetention.objects.filter(case_file_id__in=case_file_ids).update(override_reason="")
    ErasureRequest.objects.filter(case_file_id__in=case_file_ids).update(note="", reason="")
    TransferItem.objects.filter(case_file_id__in=case_file_ids).update(note="")
    # Imported here: the package builder brings pikepdf, which every command would otherwise
    # load at start-up (handlers are connected when the apps are ready).
    from .services.disclosure_jobs import disclosure_jobs_forget

    disclosure_jobs_forget(case_file_ids)


def recompute(sender, *, case_file_id: int, **_):
    case_file = CaseFile.objects.filter(pk=case_file_id, destroyed_at__isnull=True).first()
    if case_file is not None:
        retention_recompute(case_file=case_file)


def known_schedules() -> dict[str, str]:
    return dict(RetentionSchedule.objects.values_list("key", "name"))
