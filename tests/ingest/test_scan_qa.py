"""Replacement scanning (BSI TR-RESISCAN, issue 14.8): the visual check of a sample drawn at
ingest per protection need, rescans of rejected scans, and the paper-release list whose
endpoint refuses for each missing precondition. Born-digital PDFs declared as scans (the
operator names the scanner) keep the real pipeline fast: no OCR."""
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from archive.actors import actor_for_user
from archive.blobstore import blob_path
from archive.checkpoints import checkpoint_write
from archive.errors import Conflict, InvalidInput, NotFound, RegistraturError
from archive.models import Document, DocumentType, Event, ScanCheck, ScanResult
from archive.services.access import document_read
from archive.services.documents import document_move
from archive.services.scan_qa import (
    paper_release,
    rescan_requests,
    scan_check_pass,
    scan_check_reject,
    scan_checks_open,
    scan_sample_draw,
)
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.uploads import upload_receive
from tests.conftest import user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
ALL = {"normal": 100.0, "hoch": 100.0, "sehr_hoch": 100.0}
NONE = {"normal": 0.0, "hoch": 0.0, "sehr_hoch": 0.0}
SCANNER = {"device": "Fujitsu fi-7160", "profile": "Posteingang 300 dpi"}


@pytest.fixture(autouse=True)
def trail_dirs(own_trail):
    """Checkpoints and signing key of this test's own trail (tests/conftest.py)."""


def _scan(tmp_path, name, case_file, *, lines=("Antrag auf Wohngeld",), declared=SCANNER):
    path = born_digital_pdf(tmp_path / name, [*lines, f"Aktenzeichen {case_file.file_reference}",
                                              name])
    job = job_receive(path=path, original_name=name, source="upload", submitted_by="poststelle",
                      provenance={"scan": dict(declared)})
    return job_run(job.pk, worker="test")


def _mailroom():
    return actor_for_user(user("poststelle"))


def _codes(document) -> list[str]:
    return list(Event.objects.filter(object_type="document", object_id=str(document.pk))
                .order_by("seq").values_list("action", flat=True))


@override_settings(SCAN_QA_RATES=ALL)
def test_a_sampled_scan_waits_in_the_mailroom_and_is_filed_as_decided_when_it_passes(demo,
                                                                                    tmp_path):
    job = _scan(tmp_path, "stichprobe.pdf", demo["A"])
    document = job.document
    assert job.state == JobState.INBOX and document.case_file is None
    check = document.scan_check
    assert check.sampled and check.result == ScanResult.OPEN
    assert check.held_case_file == demo["A"] and document.medium == "scan"
    assert list(scan_checks_open(user("poststelle"))) == [check]
    assert list(scan_checks_open(user("sachbearbeitung-a"))) == []
    # The inspector reads it as inbox post; the read is logged with that basis.
    document_read(user=user("poststelle"), document_id=document.pk)
    read = Event.objects.filter(action="viewed", object_id=str(document.pk)).get()
    assert read.clear_data["basis"] == "inbox"
    # Filing it by hand would skip the check.
    with pytest.raises(Conflict) as refused:
        document_move(actor=_mailroom(), document_id=document.pk, case_file=demo["B"])
    assert refused.value.code == "SCAN_QA_PENDING"
    # Only the mailroom inspects.
    with pytest.raises(NotFound):
        scan_check_pass(actor=actor_for_user(user("sachbearbeitung-a")), check_id=check.pk)
    scan_check_pass(actor=_mailroom(), check_id=check.pk)
    document.refresh_from_db()
    check.refresh_from_db()
    assert document.case_file == demo["A"]
    assert check.result == ScanResult.PASSED and check.inspector == user("poststelle")
    assert check.inspected_at is not None
    assert _codes(document)[-2:] == ["scan_qa_passed", "filed"]
    passed = Event.objects.get(action="scan_qa_passed", object_id=str(document.pk))
    assert passed.actor == "poststelle"
    with pytest.raises(Conflict):  # decided once
        scan_check_pass(actor=_mailroom(), check_id=check.pk)


@override_settings(SCAN_QA_RATES={"normal": 0.0, "hoch": 0.0, "sehr_hoch": 100.0},
                   SCAN_QA_UNCLASSIFIED_NEED="normal")
def test_the_sample_rate_follows_the_document_types_protection_need(demo, tmp_path):
    job = _scan(tmp_path, "normal.pdf", demo["A"])
    kind = job.document.document_type
    assert kind, "the letter's type is recognised"
    assert job.state == JobState.FILED and not job.document.scan_check.sampled
    DocumentType.objects.filter(key=kind).update(protection_need="sehr_hoch")
    held = _scan(tmp_path, "sehr-hoch.pdf", demo["A"])
    assert held.state == JobState.INBOX and held.document.scan_check.sampled
    assert held.document.scan_check.need == "sehr_hoch"


@override_settings(SCAN_QA_RATES={"normal": 20.0, "hoch": 50.0, "sehr_hoch": 100.0})
def test_every_nth_scan_of_a_need_is_drawn():
    assert [scan_sample_draw("normal")[1] for _ in range(10)] == [
        False, False, False, False, True, False, False, False, False, True]
    assert [scan_sample_draw("hoch")[1] for _ in range(4)] == [False, True, False, True]
    assert scan_sample_draw("normal", always=True) == (11, True)


@override_settings(SCAN_QA_RATES=ALL)
def test_born_digital_post_is_no_scan_and_has_no_paper(demo, tmp_path):
    job = _scan(tmp_path, "digital.pdf", demo["A"], declared={})
    assert job.state == JobState.FILED and job.document.medium == "digital"
    assert not ScanCheck.objects.filter(document=job.document).exists()


@override_settings(SCAN_QA_RATES=ALL)
def test_a_rejected_scan_stays_marked_and_its_rescan_closes_the_request(demo, tmp_path):
    attempt = _scan(tmp_path, "schief.pdf", demo["A"]).document
    check = attempt.scan_check
    with pytest.raises(InvalidInput) as no_reason:
        scan_check_reject(actor=_mailroom(), check_id=check.pk, reason=" ")
    assert no_reason.value.code == "SCAN_QA_REASON_MISSING"
    scan_check_reject(actor=_mailroom(), check_id=check.pk, reason="Seite 2 unscharf")
    check.refresh_from_db()
    assert check.result == ScanResult.REJECTED and check.inspector == user("poststelle")
    # Nothing is lost: the attempt, its version and its trail stay.
    assert Document.objects.filter(pk=attempt.pk, case_file__isnull=True).exists()
    assert attempt.versions.count() == 1
    rejected = Event.objects.get(action="scan_qa_rejected", object_id=str(attempt.pk))
    assert rejected.clear_purpose == "Seite 2 unscharf"
    assert list(rescan_requests(user("poststelle"))) == [check]
    with pytest.raises(Conflict):
        document_move(actor=_mailroom(), document_id=attempt.pk, case_file=demo["A"])
    # Only the mailroom answers a request, with one file, naming an open request.
    path = born_digital_pdf(tmp_path / "neu.pdf", ["Antrag auf Wohngeld",
                                                   f"Aktenzeichen {demo['A'].file_reference}",
                                                   "neu gescannt"])

    def upload(username, number):
        return upload_receive(user=user(username), source="upload", scan=SCANNER,
                              rescan_of=number, files=[SimpleUploadedFile(
                                  "neu.pdf", path.read_bytes(), "application/pdf")])
    for username, number in (("sachbearbeitung-a", check.pk), ("poststelle", check.pk + 99)):
        with pytest.raises(InvalidInput) as unknown:
            upload(username, number)
        assert unknown.value.code == "RESCAN_REQUEST_UNKNOWN"
    [job] = upload("poststelle", check.pk)
    job = job_run(job.pk, worker="test")
    rescan = job.document.scan_check
    assert rescan.rescan_of == check and rescan.sampled  # a rescan is always inspected
    assert list(rescan_requests(user("poststelle"))) == []
    linked = Event.objects.get(action="rescan_received", object_id=str(attempt.pk))
    assert linked.clear_data["rescan"] == job.document.pk


# --- paper release -----------------------------------------------------------------------------

def _passed(tmp_path, name, case_file):
    document = _scan(tmp_path, name, case_file).document
    scan_check_pass(actor=_mailroom(), check_id=document.scan_check.pk)
    return document


def _refusal(document) -> str:
    with pytest.raises(RegistraturError) as refused:
        paper_release(actor=_mailroom(), documents=[document.pk])
    assert refused.value.http_status == 409 and f"Nr. {document.pk}" in refused.value.message
    return refused.value.code


@override_settings(SCAN_QA_RATES=ALL)
def test_paper_is_released_once_every_precondition_holds(demo, tmp_path):
    document = _passed(tmp_path, "fertig.pdf", demo["A"])
    checkpoint_write()
    with pytest.raises(NotFound):
        paper_release(actor=actor_for_user(user("sachbearbeitung-a")), documents=[document.pk])
    [release] = paper_release(actor=_mailroom(), documents=[document.pk])
    assert release.released_by == user("poststelle") and release.released_at
    assert Event.objects.filter(action="paper_released", object_id=str(document.pk),
                                actor="poststelle").exists()
    assert _refusal(document) == "PAPER_ALREADY_RELEASED"


@override_settings(SCAN_QA_RATES=ALL)
def test_release_refuses_a_scan_whose_check_is_open_or_rejected(demo, tmp_path):
    open_one = _scan(tmp_path, "offen.pdf", demo["A"]).document
    rejected = _scan(tmp_path, "abgelehnt.pdf", demo["A"]).document
    scan_check_reject(actor=_mailroom(), check_id=rejected.scan_check.pk, reason="schief")
    checkpoint_write()
    assert _refusal(open_one) == "SCAN_QA_NOT_PASSED"
    assert _refusal(rejected) == "SCAN_QA_NOT_PASSED"


def test_an_unsampled_scan_waits_for_the_sample_that_vouches_for_it(demo, tmp_path):
    with override_settings(SCAN_QA_RATES={"normal": 50.0, "hoch": 50.0, "sehr_hoch": 50.0}):
        first = _scan(tmp_path, "eins.pdf", demo["A"]).document  # 1st: not drawn
        checkpoint_write()
        assert not first.scan_check.sampled and first.case_file == demo["A"]
        assert _refusal(first) == "SCAN_QA_NOT_PASSED"  # no sample after it yet
        second = _scan(tmp_path, "zwei.pdf", demo["A"]).document  # 2nd: the sample
        assert second.scan_check.sampled and second.scan_check.need == first.scan_check.need
        checkpoint_write()
        assert _refusal(first) == "SCAN_QA_NOT_PASSED"  # drawn, not inspected
        scan_check_pass(actor=_mailroom(), check_id=second.scan_check.pk)
        checkpoint_write()
        paper_release(actor=_mailroom(), documents=[first.pk, second.pk])


@override_settings(SCAN_QA_RATES=ALL)
def test_release_refuses_until_a_signed_checkpoint_covers_the_scan(demo, tmp_path):
    document = _passed(tmp_path, "ungesichert.pdf", demo["A"])
    assert _refusal(document) == "SCAN_INTEGRITY_PENDING"
    checkpoint_write()
    paper_release(actor=_mailroom(), documents=[document.pk])


@override_settings(SCAN_QA_RATES=ALL)
def test_with_a_tsa_release_waits_for_the_checkpoints_timestamp(demo, tmp_path):
    document = _passed(tmp_path, "ohne-zeitstempel.pdf", demo["A"])
    with override_settings(TSA_URL="http://127.0.0.1:9/tsa", TSA_TIMEOUT_SECONDS=1):
        checkpoint_write()  # signed, but the authority does not answer: no token
        assert _refusal(document) == "SCAN_INTEGRITY_PENDING"
    paper_release(actor=_mailroom(), documents=[document.pk])  # without a TSA, signed suffices


@override_settings(SCAN_QA_RATES=ALL)
@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_release_refuses_a_scan_that_is_not_stored_intact(demo, tmp_path, damage):
    document = _passed(tmp_path, f"{damage}.pdf", demo["A"])
    checkpoint_write()
    path = blob_path(document.versions.get().rendition_sha256)
    mode, intact = path.stat().st_mode, path.read_bytes()
    os.chmod(path, 0o600)
    try:
        if damage == "missing":
            path.unlink()
        else:
            path.write_bytes(intact + b"x")
        assert _refusal(document) == "SCAN_NOT_STORED"
    finally:
        # The blob store is shared by the tests of this worker: a damaged object left behind
        # would fail a later backup's fixity check.
        path.write_bytes(intact)
        os.chmod(path, mode)


@override_settings(SCAN_QA_RATES=ALL)
def test_release_refuses_while_the_paper_original_is_to_be_kept(demo, tmp_path):
    document = _passed(tmp_path, "original.pdf", demo["A"])
    checkpoint_write()
    DocumentType.objects.filter(key=document.document_type).update(keep_paper=True)
    assert _refusal(document) == "PAPER_KEEP_ORIGINAL"
    Document.objects.filter(pk=document.pk).update(keep_paper=False)  # overridden per document
    paper_release(actor=_mailroom(), documents=[document.pk])
    other = _passed(tmp_path, "behalten.pdf", demo["A"])
    DocumentType.objects.filter(key=other.document_type).update(keep_paper=False)
    Document.objects.filter(pk=other.pk).update(keep_paper=True)
    checkpoint_write()
    assert _refusal(other) == "PAPER_KEEP_ORIGINAL"
