"""Scheduled kernel jobs: checkpoints and full checks of the event chain, fixity checks."""
from celery import shared_task

from .actors import system_actor
from .checkpoints import checkpoint_write
from .services.destruction import destruction_finish
from .services.events import events_verify
from .services.fixity import fixity_check
from .services.log_retention import trail_segments_remove


@shared_task(name="archive.write_checkpoint")
def write_checkpoint() -> int | None:
    checkpoint = checkpoint_write()
    return checkpoint.seq if checkpoint else None


@shared_task(name="archive.verify_trail")
def verify_trail() -> bool:
    """The daily full check of the event log; the officer's page shows when it last ran."""
    return events_verify().ok


@shared_task(name="archive.fixity_check")
def run_fixity_check() -> int:
    return len(fixity_check(actor=system_actor("scheduler", "fixity")))


@shared_task(name="archive.finish_destruction")
def finish_destruction() -> int:
    return destruction_finish()


@shared_task(name="archive.trail_retention")
def trail_retention() -> int:
    """The daily log retention: removes the trail's expired entries in whole segments."""
    return trail_segments_remove(actor=system_actor("scheduler", "log_retention")).count
