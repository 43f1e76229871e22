"""Destroyed documents and the index: hidden from every query as soon as the destruction
commits, every trace purged from the index's storage afterwards (once), and a restriction
of processing hidden at its commit. Transactional where the real commit path is under test
(and because PostgreSQL's purge, a VACUUM FULL, cannot run inside a transaction)."""
import threading

import pytest
from django.db import connection
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.models import Document
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy
from archive.services.subject_rights import case_file_restrict
from archive.tasks import finish_destruction
from search.backends import get_backend
from search.indexing import documents_index, documents_purge
from search.models import IndexPurge
from search.services import search_suggestions
from search.tasks import purge_documents
from tests.conftest import user

from .helpers import (
    SECRET,
    file_document,
    ids,
    index_bytes,
    index_holds,
    search_as,
    unreferenced_segment_files,
)

A = "sachbearbeitung-a"


def _doomed_file(demo, text=f"Gutachten über {SECRET}, Heizkosten.", **fields):
    case_file = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                 actor=system_actor(name="test"), title="Altakte")
    fields.setdefault("document_type", f"Typ{SECRET}")
    fields.setdefault("sender", f"Absender {SECRET}")
    return case_file, file_document(case_file, text, title=f"Akte {SECRET}", **fields)


def _destroy(case_file):
    case_files_destroy(case_file_ids=[case_file.pk], actor=acting(user("datenschutz")),
                       approval={"list": 1, "proposed_by": "datenschutz",
                                 "approved_by": "datenschutz-2"})


def _facet_labels(page) -> set[str]:
    return {bucket.label for buckets in page.facets.values() for bucket in buckets}


def test_a_purged_document_leaves_no_token_in_the_index(demo, backend, transactional_db):
    others = [file_document(demo["A"], f"Ein Schreiben Nummer {n} zur Miete.", title="Miete")
              for n in range(3)]
    doomed = file_document(demo["A"], f"Gutachten über {SECRET} mit Diagnose.",
                           title=f"Akte {SECRET}", sender=f"Absender {SECRET}")
    documents_index([doomed.pk])  # a second write leaves an older, deleted copy behind
    assert index_holds(backend, SECRET)
    documents_purge([doomed.pk])
    assert not index_holds(backend, SECRET)
    if backend == "tantivy":
        assert unreferenced_segment_files() == []
    assert search_as(A, SECRET).count == 0
    assert set(ids(search_as(A, "Miete"))) == {d.pk for d in others}


def test_destruction_hides_at_commit_and_the_queue_purges(demo, backend, transactional_db):
    kept = file_document(demo["A"], "Heizkosten für März.", title="Heizung",
                         document_type="Antrag", sender="Stadtwerke", index=False)
    case_file, doomed = _doomed_file(demo, index=False)
    # In one tantivy segment: a segment whose every document is deleted is dropped at once.
    documents_index([kept.pk, doomed.pk])
    assert search_as(A, "Heizkosten").count == 2
    _destroy(case_file)  # commits; the purge is queued, not run here
    # Until the index queue purges, the entry's bytes are still stored, yet no query shows it.
    assert index_holds(backend, SECRET)
    page = search_as(A, "Heizkosten", facets=True)
    assert (page.count, ids(page)) == (1, [kept.pk])
    assert not {f"Typ{SECRET}", f"Absender {SECRET}", case_file.file_reference} \
        & _facet_labels(page)
    assert search_as(A, SECRET, facets=True).count == 0
    assert search_as(A, f"{SECRET[:6]}*").count == 0
    assert search_suggestions(user=user(A), prefix=SECRET[:5]) == []
    assert purge_documents() == 1  # what the index worker runs
    assert not index_holds(backend, SECRET)
    assert ids(search_as(A, "Heizkosten")) == [kept.pk]


@pytest.mark.parametrize("backend", ["tantivy", "whoosh"], indirect=True)
def test_destroyed_entries_are_hidden_while_the_index_writer_is_busy(demo, backend,
                                                                    transactional_db):
    kept = file_document(demo["A"], "Heizkosten für März.", title="Heizung")
    case_file, doomed = _doomed_file(demo)
    finished = threading.Event()

    def destroy():  # a request destroying while another writer holds the index
        try:
            _destroy(case_file)
        finally:
            connection.close()
            finished.set()

    with get_backend()._lock():  # that writer: a purge rewriting the index, a large batch
        thread = threading.Thread(target=destroy)
        thread.start()
        # The destroying request does not wait for the writer.
        assert finished.wait(timeout=30), "the destruction waited for the index writer"
        assert IndexPurge.objects.filter(document_id=doomed.pk, purged_at__isnull=True).exists()
        page = search_as(A, "Heizkosten", facets=True)
        assert (page.count, ids(page)) == (1, [kept.pk])
        assert not {f"Typ{SECRET}", f"Absender {SECRET}"} & _facet_labels(page)
    thread.join(timeout=30)
    assert finished.is_set() and purge_documents() == 1
    assert not index_holds(backend, SECRET)


def _generation(backend_name: str):
    """Changes whenever the index's storage is written (PostgreSQL: VACUUM FULL gives the
    table a new file)."""
    if backend_name == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_filenode('search_searchentry')")
            return cursor.fetchone()[0]
    return hash(index_bytes(backend_name))


def test_the_hourly_finish_purges_only_what_is_still_pending(demo, backend, transactional_db,
                                                            eager):
    file_document(demo["A"], "Heizkosten für März.", title="Heizung")
    first, _ = _doomed_file(demo)
    _destroy(first)  # the queue (eager here) purges at once
    assert not index_holds(backend, SECRET)
    purged = _generation(backend)
    finish_destruction()  # the hourly beat task
    assert _generation(backend) == purged, "a destroyed document was purged again"
    # A destruction committed whose finish was lost (a crash): the beat catches it up.
    _, lost = _doomed_file(demo, text="Gutachten über quaxelmoor5521.")
    assert index_holds(backend, "quaxelmoor5521")
    Document.objects.filter(pk=lost.pk).update(destroyed_at=timezone.now())
    finish_destruction()
    assert not index_holds(backend, "quaxelmoor5521")
    assert _generation(backend) != purged
    assert search_as(A, "Heizkosten").count == 1


def test_restriction_hides_at_its_commit(demo, backend, django_capture_on_commit_callbacks):
    case_file, document = _doomed_file(demo)
    assert search_as(A, SECRET).count == 1
    # No worker runs here: whatever waits in the index queue stays undone.
    with django_capture_on_commit_callbacks(execute=True):
        case_file_restrict(actor=acting(user("datenschutz")), case_file=case_file,
                           reason="Art. 18 DSGVO, Antrag vom 2.11.")
    page = search_as(A, "Heizkosten", facets=True)
    assert (page.count, page.facets) == (0, {})
    assert search_as(A, SECRET).count == 0
    assert search_as("datenschutz", SECRET).count == 1
    with django_capture_on_commit_callbacks(execute=True):
        case_file_restrict(actor=acting(user("datenschutz")), case_file=case_file,
                           reason="Einschränkung aufgehoben", restricted=False)
    assert ids(search_as(A, SECRET)) == [document.pk]


def test_the_scheduler_retries_a_purge_whose_queued_task_was_lost(demo, backend,
                                                                  transactional_db):
    """No worker takes the queued purge here (as when its retries ran out): the destroyed
    document stays hidden, and the hourly scheduled task purges it."""
    from django.conf import settings

    from config.celery import app

    case_file, _ = _doomed_file(demo)
    _destroy(case_file)  # its purge task goes to the broker, and nobody runs it
    assert index_holds(backend, SECRET)
    assert search_as(A, SECRET).count == 0
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "search.purge_documents" in scheduled
    assert app.tasks["search.purge_documents"]() == 1  # what the beat sends, run here
    assert not index_holds(backend, SECRET)
