"""Redaction from the document page: the request only checks and queues, the page shows the
requester (and nobody else) how the redaction goes, and a redaction of a version that is no
longer current is refused instead of pushing the newer version out of sight.

The OCR of a redaction is tested for real in tests/ingest/test_redaction.py; here the
worker's task runs on real pdfium and img2pdf, and OCR is only replaced where the test is
about what happens around it (a version arriving while OCR runs)."""
import shutil
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.blobstore import blob_put_file
from archive.services.documents import document_file_new, version_add
from ingest.models import RedactionJob, RedactionState
from ingest.tasks import redact
from tests.archive.helpers import content, file_document, staff
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
IBAN = "DE89370400440532013000"
# The second line of the letter below (baseline 88 pt from the top of the page).
FORM = {"page": "1", "x": "10", "y": "26.6", "width": "150", "height": "6",
        "reason": "Bankdaten nicht erforderlich", "version": "1"}


def _client(username, password=DEMO_PASSWORD):
    client = Client()
    assert client.login(username=username, password=password)
    return client


@pytest.fixture
def document(demo, tmp_path):
    """A filed document whose rendition is a real one-page PDF."""
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", ["Bescheid über Leistungen",
                                                       f"Konto {IBAN}"])
    first = replace(content("Bescheid über Leistungen"),
                    rendition_sha256=blob_put_file(pdf).sha256)
    return document_file_new(content=first, case_file=demo["A"], title="Bescheid",
                             received_at=timezone.now(), actor=system_actor("system", "test"))


def _second_version(document, text="Neue Fassung vom Antragsteller"):
    """What the pipeline does when an uploaded new version is filed."""
    return version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                       content=replace(content(text), rendition_sha256=document.versions
                                       .get(number=1).rendition_sha256))


@pytest.fixture
def no_work_in_the_request(monkeypatch):
    """Anything a redaction does in the worker fails loudly if the request does it; the
    queued task is recorded, not run."""
    def forbidden(*args, **kwargs):
        raise AssertionError("rasterised or OCRed inside the web request")

    monkeypatch.setattr("ingest.steps.ocr.run_ocrmypdf", forbidden)
    monkeypatch.setattr("ingest.redaction.run_ocrmypdf", forbidden)
    monkeypatch.setattr("ingest.redaction._rasterise", forbidden)
    sent = []
    monkeypatch.setattr("ingest.redaction_jobs.current_app", SimpleNamespace(
        send_task=lambda name, args: sent.append((name, args))))
    return sent


def test_the_web_action_only_queues(document, no_work_in_the_request,
                                    django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dokumente/{document.pk}/schwaerzen", FORM)
    assert response.status_code == 302
    job = RedactionJob.objects.get()
    assert (job.state, job.step, job.version, job.requested_by.username) == (
        RedactionState.QUEUED, "", 1, "sachbearbeitung-a")
    assert job.boxes == [{"page": 1, "x": 10.0, "y": 26.6, "width": 150.0, "height": 6.0}]
    assert no_work_in_the_request == [("ingest.redact", (str(job.pk),))]
    assert document.versions.count() == 1

    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "Schwärzung von Version 1" in page and "wartet" in page
    assert f"/dokumente/{document.pk}/schwaerzungen/{job.pk}" in page
    status = client.get(f"/dokumente/{document.pk}/schwaerzungen/{job.pk}").json()
    assert (status["state"], status["percent"], status["finished"]) == ("queued", 0, False)


def test_only_the_requester_sees_the_redaction_status(document, no_work_in_the_request):
    _client("sachbearbeitung-a").post(f"/dokumente/{document.pk}/schwaerzen", FORM)
    job = RedactionJob.objects.get()
    staff("kollegin-a", unit_code="A")  # works on the same case file
    colleague = _client("kollegin-a", password="x" * 12)
    page = colleague.get(f"/dokumente/{document.pk}/")
    assert page.status_code == 200 and "Schwärzung von Version" not in page.content.decode()
    url = f"/dokumente/{document.pk}/schwaerzungen/{job.pk}"
    for client in (colleague, _client("sachbearbeitung-b")):
        foreign = client.get(url)
        missing = client.get(f"/dokumente/{document.pk}/schwaerzungen/"
                             "00000000-0000-0000-0000-000000000000")
        assert foreign.status_code == missing.status_code == 404
    # The status is tied to the document it was asked for, too.
    other = file_document(document.case_file)
    assert _client("sachbearbeitung-a").get(
        f"/dokumente/{other.pk}/schwaerzungen/{job.pk}").status_code == 404


def test_the_worker_redacts_and_the_page_shows_the_outcome(document, no_work_in_the_request,
                                                          monkeypatch):
    client = _client("sachbearbeitung-a")
    client.post(f"/dokumente/{document.pk}/schwaerzen", FORM)
    job = RedactionJob.objects.get()
    monkeypatch.undo()  # now the worker: real pdfium, img2pdf and OCR
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.result_version) == (RedactionState.DONE, 2), job.message
    latest = document.versions.get(number=2)
    assert latest.provenance["redaction_of_version"] == 1
    # Real OCR of the painted page: the first line is read, the blacked-out one is gone.
    assert "Leistungen" in latest.text and "Konto" not in latest.text
    assert IBAN not in latest.text.replace(" ", "")
    assert latest.thumbnail_sha256  # drawn from the redacted rendition
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "die geschwärzte Fassung ist Version 2" in page
    status = client.get(f"/dokumente/{document.pk}/schwaerzungen/{job.pk}").json()
    assert (status["state"], status["percent"], status["result_version"]) == ("done", 100, 2)
    assert all(step["done"] for step in status["steps"])


def test_a_redaction_of_an_earlier_version_is_refused_when_asked(document,
                                                                 no_work_in_the_request):
    _second_version(document)
    client = _client("sachbearbeitung-a")
    response = client.post(f"/dokumente/{document.pk}/schwaerzen", FORM, follow=True)
    page = response.content.decode()
    assert "VERSION_NOT_CURRENT" in page and "aktuell ist aber Version 2" in page
    assert not RedactionJob.objects.exists() and no_work_in_the_request == []
    # The form names the current version.
    assert 'name="version" value="2"' in page


def test_a_version_arriving_before_the_worker_runs_wins(document, no_work_in_the_request,
                                                       monkeypatch):
    """The bug: a new version was processing while a redaction of version 1 ran; the
    redaction became the latest version and the uploader could no longer open theirs."""
    client = _client("sachbearbeitung-a")
    client.post(f"/dokumente/{document.pk}/schwaerzen", FORM)
    job = RedactionJob.objects.get()
    _second_version(document)  # the uploaded new version is filed first
    monkeypatch.undo()
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.code, job.result_version) == (
        RedactionState.REFUSED, "VERSION_NOT_CURRENT", None)
    assert document.versions.count() == 2
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "Neue Fassung vom Antragsteller" in page.split('id="text"')[1]
    assert "abgewiesen" in page and "VERSION_NOT_CURRENT" in page
    # Version 2 is the current one: readable without the permission for earlier versions.
    assert client.get(f"/dokumente/{document.pk}/versionen/2.pdf").status_code == 200


def test_a_version_arriving_while_ocr_runs_wins(document, monkeypatch):
    """The check is repeated when the redacted version is stored. OCR is replaced here by a
    copy: what is tested is the version that arrives while it runs."""
    job = RedactionJob.objects.create(document=document, requested_by=user("sachbearbeitung-a"),
                                      version=1, reason="Bankdaten",
                                      boxes=[{"page": 1, "x": 0, "y": 0, "width": 50,
                                              "height": 10}])

    def ocr_meanwhile_a_version_is_filed(job, painted, rendition):
        _second_version(document)
        shutil.copyfile(painted, rendition)

    monkeypatch.setattr("ingest.redaction._ocr", ocr_meanwhile_a_version_is_filed)
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.code) == (RedactionState.REFUSED, "VERSION_NOT_CURRENT")
    assert "Version 1" in job.message and "Version 2" in job.message
    assert list(document.versions.values_list("number", flat=True)) == [1, 2]
    assert "redaction_of_version" not in document.versions.get(number=2).provenance


def test_a_redaction_whose_worker_vanished_ends_visibly(document):
    """The lease is renewed at every step and during OCR; one that ran out means the worker
    is gone, and the page says so instead of "in Bearbeitung" forever."""
    job = RedactionJob.objects.create(
        document=document, requested_by=user("sachbearbeitung-a"), version=1, reason="x",
        state=RedactionState.RUNNING, step="ocr", steps_done=["rasterise", "paint"],
        lease_until=timezone.now() + timedelta(minutes=5))
    client = _client("sachbearbeitung-a")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "in Bearbeitung (Texterkennung), 40 %" in page
    RedactionJob.objects.filter(pk=job.pk).update(lease_until=timezone.now()
                                                  - timedelta(seconds=1))
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "WORKER_LOST" in page and "bitte erneut schwärzen" in page


def test_viewing_a_document_does_not_write_to_its_redactions(document):
    """Looking for redactions whose worker vanished is a read; only finding one is a write.
    On SQLite every write waits for the one write lock, which a page view should take no
    more often than it must (bench/web)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RedactionJob.objects.create(
        document=document, requested_by=user("sachbearbeitung-a"), version=1, reason="x",
        state=RedactionState.RUNNING, step="ocr", lease_until=timezone.now()
        + timedelta(minutes=5))
    client = _client("sachbearbeitung-a")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/dokumente/{document.pk}/").status_code == 200
    writes = [query["sql"] for query in captured.captured_queries
              if query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert any(sql.startswith('INSERT INTO "archive_event"') for sql in writes)
    assert not any("ingest_redactionjob" in sql for sql in writes)
    assert RedactionJob.objects.get(document=document).state == RedactionState.RUNNING


def test_a_redaction_that_cannot_be_queued_says_so(document, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("ingest.redaction_jobs.current_app",
                        SimpleNamespace(send_task=broker_down))
    client = _client("sachbearbeitung-a")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dokumente/{document.pk}/schwaerzen", FORM)
    job = RedactionJob.objects.get()
    assert (job.state, job.code) == (RedactionState.FAILED, "QUEUE_UNAVAILABLE")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "QUEUE_UNAVAILABLE" in page and "nicht erreichbar" in page


def test_a_failed_ocr_is_reported_without_the_servers_paths(document, monkeypatch, caplog):
    """OCRmyPDF's output is logged for the operator, not shown to the caseworker. (OCR is
    replaced by a failing run: what is tested is how its failure is reported.)"""
    job = RedactionJob.objects.create(document=document, requested_by=user("sachbearbeitung-a"),
                                      version=1, reason="x",
                                      boxes=[{"page": 1, "x": 0, "y": 0, "width": 5,
                                              "height": 5}])
    monkeypatch.setattr("ingest.redaction.run_ocrmypdf", lambda *args, **kwargs: (
        15, "ERROR /srv/registratur/work/redact-1/geschwaerzt.pdf: broken"))
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.code) == (RedactionState.FAILED, "OCR_FAILED")
    assert "/srv" not in job.message and "Texterkennung" in job.message
    # The operator's log keeps what failed; server paths are cut even there (ingest's rule).
    assert "broken" in caplog.text and "OCR_FAILED" in caplog.text
    assert document.versions.count() == 1


def test_a_version_filed_between_the_last_check_and_the_insert_wins(document, monkeypatch):
    """The pipeline files a new version without taking the document's row. Here it does so
    right before the redacted version is inserted, after the last check; the redaction must
    not land on top of it. (One test thread: the competing version shares the transaction
    and is rolled back with it. What counts is that no redaction of version 1 is left on
    top of a later version. OCR is replaced by a copy: not what is tested.)"""
    import ingest.redaction

    real_version_add = ingest.redaction.version_add

    def filed_meanwhile(**kwargs):
        _second_version(document)
        return real_version_add(**kwargs)

    monkeypatch.setattr("ingest.redaction.version_add", filed_meanwhile)
    monkeypatch.setattr("ingest.redaction._ocr",
                        lambda job, painted, rendition: shutil.copyfile(painted, rendition))
    job = RedactionJob.objects.create(document=document, requested_by=user("sachbearbeitung-a"),
                                      version=1, reason="Bankdaten",
                                      boxes=[{"page": 1, "x": 0, "y": 0, "width": 50,
                                              "height": 10}])
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.code) == (RedactionState.REFUSED, "VERSION_NOT_CURRENT")
    assert not [v for v in document.versions.all() if "redaction_of_version" in v.provenance]
