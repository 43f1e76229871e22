"""Destroyed documents and the index: every trace purged from the index's storage.
Transactional because PostgreSQL's purge, a VACUUM FULL, cannot run inside a transaction."""
from search.indexing import documents_index, documents_purge

from .helpers import (
    SECRET,
    file_document,
    ids,
    index_holds,
    search_as,
    unreferenced_segment_files,
)

A = "sachbearbeitung-a"


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


def test_destruction_purges_the_index(demo, backend, transactional_db):
    from django.utils import timezone

    from archive.models import Document
    from archive.signals import documents_destroyed
    from search.backends import get_backend

    kept = file_document(demo["A"], "Ein Schreiben zur Miete.", title="Miete")
    doomed = file_document(demo["A"], f"Gutachten über {SECRET}.", title="Gutachten")
    Document.objects.filter(pk=doomed.pk).update(destroyed_at=timezone.now())
    documents_destroyed.send(sender=Document, document_ids=[doomed.pk])
    assert get_backend().document_ids() == {kept.pk}
    assert not index_holds(backend, SECRET)
