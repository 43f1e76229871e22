"""Finishing a destruction: the stored objects go (unless another document holds the same
bytes), the other apps are told once, and the hourly repair catches up only what a crash left
unfinished."""
import pytest

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.blobstore import blob_path
from archive.models import Document, Version
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy, destruction_finish
from archive.signals import documents_destroyed
from tests.conftest import user

from .helpers import file_document

APPROVAL = {"list": 1, "proposed_by": "datenschutz", "approved_by": "datenschutz-2"}


@pytest.fixture
def told():
    """The document ids each documents_destroyed signal carried."""
    calls: list[list[int]] = []

    def receiver(sender, *, document_ids, **kwargs):
        calls.append(sorted(document_ids))

    documents_destroyed.connect(receiver)
    yield calls
    documents_destroyed.disconnect(receiver)


def _doomed(demo, text):
    case_file = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                 actor=system_actor(name="test"), title="Altakte")
    return case_file, file_document(case_file, text, store=True)


def test_the_hourly_repair_finishes_only_what_is_unfinished(demo, told):
    kept = file_document(demo["A"], "Heizkosten für März", store=True).versions.get()
    first_file, first = _doomed(demo, "Gutachten eins")
    # The doomed original has the same bytes as the document that stays: it must survive.
    version = first.versions.get()
    Version.objects.filter(pk=version.pk).update(original_sha256=kept.original_sha256)

    case_files_destroy(case_file_ids=[first_file.pk], actor=acting(user("datenschutz")),
                       approval=APPROVAL)
    destruction_finish(document_ids=[first.pk])  # what the destruction's commit runs
    assert told == [[first.pk]]
    assert blob_path(kept.original_sha256).exists()  # held by the document that stays
    assert not blob_path(version.rendition_sha256).exists()
    assert not blob_path(version.thumbnail_sha256).exists()
    assert Document.objects.get(pk=first.pk).destruction_finished_at is not None

    destruction_finish()  # the hourly repair: nothing is unfinished
    assert told == [[first.pk]]

    # A destruction whose finish a crash lost is caught up, once.
    second_file, second = _doomed(demo, "Gutachten zwei")
    second_rendition = second.versions.get().rendition_sha256
    case_files_destroy(case_file_ids=[second_file.pk], actor=acting(user("datenschutz")),
                       approval=APPROVAL)
    destruction_finish()
    assert told == [[first.pk], [second.pk]]
    assert not blob_path(second_rendition).exists()
    destruction_finish()
    assert told == [[first.pk], [second.pk]]
    assert blob_path(kept.rendition_sha256).exists()
