"""Filing by recognition respects who submitted: a caseworker's letter quoting another unit's
file reference goes to the mailroom, not into that unit's case file, and what the submitter is
told does not reveal whether a reference exists or where a duplicate lies (#16.4)."""
import pytest

from archive.models import Document
from archive.selectors import events_for_object
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.reporting import job_status
from tests.conftest import user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
UNKNOWN_REFERENCE = "50.20.1-2025-999999"


def _upload(path, username):
    job = job_receive(path=path, original_name=path.name, source="upload",
                      submitted_by=username)
    return job_run(job.pk, worker="test")


def _letter(tmp_path, name, reference):
    return born_digital_pdf(tmp_path / name, ["Antrag auf Wohngeld", f"Aktenzeichen {reference}"])


def _seen_by(job, username) -> dict:
    status = job_status(job, user=user(username))
    outcome = status["outcome"]
    return {"state": status["state"], "suggestions": status["suggestions"],
            "file_reference": outcome["file_reference"], "message": outcome["message"],
            "code": outcome["code"]}


def test_a_caseworker_cannot_file_into_another_units_case_file(demo, tmp_path):
    foreign = demo["A"]
    job = _upload(_letter(tmp_path, "brief.pdf", foreign.file_reference), "sachbearbeitung-b")
    assert job.state == JobState.INBOX, job.message
    assert job.document.case_file_id is None
    assert not Document.objects.filter(case_file=foreign).exists()
    # The mailroom sees why.
    reason = job_status(job, user=user("poststelle"))["suggestions"]["file_reference"]
    assert reason["value"] == foreign.file_reference
    inbox = events_for_object("document", job.document_id).get(action="inbox")
    assert "sachbearbeitung-b darf nicht" in inbox.clear_purpose


def test_the_unit_itself_still_files_by_recognition(demo, tmp_path):
    own = demo["A"]
    job = _upload(_letter(tmp_path, "brief.pdf", own.file_reference), "sachbearbeitung-a")
    assert job.state == JobState.FILED and job.document.case_file_id == own.pk
    job = _upload(_letter(tmp_path, "post.pdf", demo["B"].file_reference), "poststelle")
    assert job.state == JobState.FILED and job.document.case_file_id == demo["B"].pk


def test_an_existing_foreign_reference_and_an_unknown_one_look_the_same(demo, tmp_path):
    existing = _upload(_letter(tmp_path, "a.pdf", demo["A"].file_reference),
                       "sachbearbeitung-b")
    unknown = _upload(_letter(tmp_path, "b.pdf", UNKNOWN_REFERENCE), "sachbearbeitung-b")
    assert existing.state == unknown.state == JobState.INBOX
    seen = _seen_by(existing, "sachbearbeitung-b")
    assert seen == _seen_by(unknown, "sachbearbeitung-b")
    assert demo["A"].file_reference not in str(seen) and "bekannt" not in str(seen)
    # The mailroom still tells them apart.
    assert _seen_by(existing, "poststelle") != _seen_by(unknown, "poststelle")


def test_a_copy_of_another_units_document_reveals_nothing(demo, tmp_path):
    path = _letter(tmp_path, "bescheid.pdf", demo["A"].file_reference)
    first = _upload(path, "sachbearbeitung-a")
    assert first.state == JobState.FILED
    again = _upload(path, "sachbearbeitung-b")
    assert again.state == JobState.DUPLICATE
    seen = _seen_by(again, "sachbearbeitung-b")
    assert seen["file_reference"] is None
    assert "archiviert" not in seen["message"] and demo["A"].file_reference not in str(seen)
    assert job_status(again, user=user("sachbearbeitung-b"))["outcome"]["document"] is None
    # Who may see the original is told where it is.
    assert job_status(again, user=user("sachbearbeitung-a"))["outcome"]["document"] == \
        first.document_id
