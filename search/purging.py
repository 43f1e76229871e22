"""Destroyed documents leave the index in two steps. At the destruction's commit a record of
them (IndexPurge) hides their entries from every hit, count, facet and suggestion at once; the
purge that deletes them and removes every trace from the index's storage (for tantivy a rewrite
of the whole index) runs afterwards on the index queue, once for each document."""
from celery import current_app
from django.db import transaction
from django.utils import timezone

from .indexing import documents_purge
from .models import IndexPurge

PURGE_TASK = "search.purge_documents"

CHUNK = 500


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def destroyed_documents_hide(document_ids: list[int]) -> None:
    """Called with the documents of a committed destruction, again by the hourly repair of a
    destruction whose finish was interrupted: documents already recorded are not purged twice.
    Pending purges are also retried hourly by the scheduler (search.purge_documents)."""
    ids = sorted(set(document_ids))
    known: set[int] = set()
    for chunk in _chunks(ids):
        known.update(IndexPurge.objects.filter(document_id__in=chunk)
                     .values_list("document_id", flat=True))
    new = [pk for pk in ids if pk not in known]
    if new:
        # Searches leave pending documents out inside the query (search.services), so the
        # record alone hides them; the destroying request never waits for the index writer,
        # which a running purge may hold for minutes.
        IndexPurge.objects.bulk_create([IndexPurge(document_id=pk) for pk in new],
                                       batch_size=CHUNK, ignore_conflicts=True)
    if IndexPurge.objects.filter(purged_at__isnull=True).exists():
        transaction.on_commit(_purge_queue)


def pending_purges_run() -> int:
    """Purge every destroyed document not purged yet, in one go; the number purged."""
    pending = list(IndexPurge.objects.filter(purged_at__isnull=True)
                   .order_by("document_id").values_list("document_id", flat=True))
    if not pending:
        return 0
    documents_purge(pending)
    for chunk in _chunks(pending):
        IndexPurge.objects.filter(document_id__in=chunk).update(purged_at=timezone.now())
    return len(pending)


def _purge_queue() -> None:
    """Queue the purge by task name (the task module imports this one); where tasks run in
    this process (tests, the command line without a worker), run it here."""
    if current_app.conf.task_always_eager:
        current_app.tasks[PURGE_TASK].apply()
    else:
        current_app.send_task(PURGE_TASK)
