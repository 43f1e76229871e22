"""The destruction journal outside the database: what the one destruction path writes (ids
and hashes, nothing personal), and how a restore replays it: only a case file that matches
its line is destroyed again, whatever vetoes a hold from the older backup would raise."""
import json

import pytest

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.backup.rebuild import destructions_replay
from archive.destruction_journal import journal_append, journal_path, journal_read
from archive.errors import InvalidInput
from archive.models import CaseFile, Document, Version
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy
from tests.conftest import user

from .helpers import file_document

APPROVAL = {"list": 1, "proposed_by": "datenschutz", "approved_by": "datenschutz-2"}


@pytest.fixture
def journal_dir(settings, tmp_path):
    settings.CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.CHECKPOINT_DIR


def _file_with_document(demo, text):
    case_file = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                 actor=system_actor(name="test"), title="Altakte",
                                 subject_name="Erika Beispiel")
    return case_file, file_document(case_file, text, store=True)


def _blobs(document):
    return sorted({h for row in Version.objects.filter(document=document)
                   .values_list(*Version.BLOB_FIELDS) for h in row if h})


def test_a_committed_destruction_is_journaled_with_ids_and_hashes_only(
        demo, journal_dir, django_capture_on_commit_callbacks):
    case_file, document = _file_with_document(demo, "Gutachten Beispiel")
    blobs = _blobs(document)
    with django_capture_on_commit_callbacks(execute=True):
        case_files_destroy(case_file_ids=[case_file.pk], actor=acting(user("datenschutz")),
                           approval=APPROVAL)
    entries, problems = journal_read(journal_path())
    assert problems == [] and len(entries) == 1
    assert entries[0]["case_files"] == [case_file.pk]
    assert entries[0]["documents"] == [document.pk] and entries[0]["blobs"] == blobs
    text = journal_path().read_text()
    for personal in ("Beispiel", "Erika", "Altakte", case_file.file_reference, "datenschutz"):
        assert personal not in text


def test_replay_destroys_a_matching_file_again_and_refuses_one_that_does_not_match(
        demo, journal_dir):
    matching, doomed = _file_with_document(demo, "Gutachten eins")
    other, kept = _file_with_document(demo, "Gutachten zwei")
    journal_append(case_file_ids=[matching.pk], document_ids=[doomed.pk], blobs=_blobs(doomed))
    # A line whose ids fit but whose objects do not: another instance's journal.
    journal_append(case_file_ids=[other.pk], document_ids=[kept.pk], blobs=["a" * 64])
    replay = destructions_replay()
    assert [c["id"] for c in replay.case_files] == [matching.pk]
    assert replay.documents == [doomed.pk]
    assert CaseFile.objects.get(pk=matching.pk).destroyed_at is not None
    assert Document.objects.get(pk=doomed.pk).destroyed_at is not None
    assert CaseFile.objects.get(pk=other.pk).destroyed_at is None
    assert any(f"case file {other.pk}" in problem for problem in replay.problems)
    lines = journal_path().read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["prev"]  # replay journals nothing new


def test_only_the_system_replays(demo, journal_dir):
    case_file, _document = _file_with_document(demo, "Gutachten drei")
    with pytest.raises(InvalidInput):
        case_files_destroy(case_file_ids=[case_file.pk], actor=acting(user("datenschutz")),
                           approval=APPROVAL, replay=True)
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is None
