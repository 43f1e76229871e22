"""Scheduled kernel jobs: checkpoints of the event chain and fixity checks."""
from celery import shared_task

from .actors import system_actor
from .checkpoints import checkpoint_write
from .services.destruction import destruction_finish
from .services.fixity import fixity_check


@shared_task(name="archive.write_checkpoint")
def write_checkpoint() -> int | None:
    checkpoint = checkpoint_write()
    return checkpoint.seq if checkpoint else None


@shared_task(name="archive.fixity_check")
def run_fixity_check() -> int:
    return len(fixity_check(actor=system_actor("scheduler", "fixity")))


@shared_task(name="archive.finish_destruction")
def finish_destruction() -> int:
    return destruction_finish()
