"""Reactions to archive signals (archive/signals.py lists their arguments)."""
from archive.models import CaseFile

from .models import RetentionSchedule
from .services.holds import destruction_veto
from .services.schedules import retention_recompute


def veto_destruction(sender, *, case_file_ids: list[int], **_):
    destruction_veto(case_file_ids)


def recompute(sender, *, case_file_id: int, **_):
    case_file = CaseFile.objects.filter(pk=case_file_id, destroyed_at__isnull=True).first()
    if case_file is not None:
        retention_recompute(case_file=case_file)


def known_schedules() -> dict[str, str]:
    return dict(RetentionSchedule.objects.values_list("key", "name"))
