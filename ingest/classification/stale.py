"""A model that learned from post that was since destroyed, erased or restricted is retired:
its files are deleted at once (they hold that post's influence, and terms of it) and a new one
is trained without it. Until then classify() uses the next older usable model or the rules."""
import logging

from celery import current_app
from django.db import transaction
from django.db.models import Q

from archive.models import Document

from .files import TRAIN_TASK, model_delete, model_metadata, model_versions, models_dir

log = logging.getLogger(__name__)


def _withdrawn(document_ids) -> set[int]:
    ids = set(document_ids)
    if not ids:
        return set()
    withdrawn = (Document.objects
                 .filter(Q(destroyed_at__isnull=False) | Q(case_file__destroyed_at__isnull=False)
                         | Q(case_file__restricted=True))
                 .values_list("pk", flat=True))
    return ids & set(withdrawn.iterator(chunk_size=5000))


def learned_from_withdrawn(metadata: dict) -> bool:
    return bool(_withdrawn(metadata.get("document_ids", [])))


def models_retire(*, document_ids) -> list[str]:
    """Delete every model that learned from any of these documents; returns their versions."""
    ids = set(document_ids)
    directory = models_dir()
    retired = []
    for version in model_versions(directory):
        if ids & set(model_metadata(version, directory).get("document_ids", [])):
            model_delete(version, directory)
            retired.append(version)
    return retired


def _retrain_later() -> None:
    # By task name: the task module imports the trainer, which reads models through this one.
    try:
        current_app.send_task(TRAIN_TASK)
    except Exception:  # no broker reachable: the nightly run trains; rules decide until then
        log.warning("classifier retraining could not be queued", exc_info=True)


def retire_models_of_destroyed(sender, *, document_ids, **kwargs) -> None:
    """documents_destroyed receiver."""
    if models_retire(document_ids=document_ids):
        transaction.on_commit(_retrain_later)


def retire_models_of_restricted(sender, *, document_id, **kwargs) -> None:
    """document_changed receiver (restricting a case file sends it for each of its
    documents): a restricted case file's post leaves the model too."""
    if not Document.objects.filter(pk=document_id, case_file__restricted=True).exists():
        return
    if models_retire(document_ids=[document_id]):
        transaction.on_commit(_retrain_later)
