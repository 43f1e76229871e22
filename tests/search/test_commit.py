"""Indexing follows the database transaction: what rolls back is never found. The file-based
backends index after the commit (through the queue, run in this process here); PostgreSQL
writes the entry inside the filing transaction, so it rolls back with it."""
import pytest
from django.db import transaction

from search.backends import get_backend

from .helpers import file_document, ids, search_as


class Rollback(Exception):
    pass


def test_a_filing_that_rolls_back_leaves_no_index_entry(demo, backend, transactional_db,
                                                        eager):
    with pytest.raises(Rollback), transaction.atomic():
        lost = file_document(demo["A"], "Zurückgerollt wolkenbruch3318.", index=False)
        if backend == "postgres":  # written with the document, inside the transaction
            assert lost.pk in get_backend().document_ids()
        raise Rollback
    assert lost.pk not in get_backend().document_ids()
    assert search_as("sachbearbeitung-a", "wolkenbruch3318").count == 0
    # The same filing committed is found (the path above could index at all).
    with transaction.atomic():
        kept = file_document(demo["A"], "Festgeschrieben wolkenbruch3318.", index=False)
    assert ids(search_as("sachbearbeitung-a", "wolkenbruch3318")) == [kept.pk]
