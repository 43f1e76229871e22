"""The classifier's scheduled training (nightly, and after a destruction retired a model)."""
from celery import shared_task

from .files import TRAIN_TASK


@shared_task(name=TRAIN_TASK)
def train_classifier() -> dict:
    from .service import classifier_train

    result = classifier_train()
    return {key: result.get(key) for key in ("trained", "version", "reason")}
