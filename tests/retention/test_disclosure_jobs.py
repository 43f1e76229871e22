"""Inspection and court packages as background jobs (issue #15): the page's POST only checks
and queues, the worker builds with progress, the person who asked (and nobody else) sees the
status and downloads the zip, a failed build records nothing, and expired packages are
deleted. The package's content itself is tested in test_disclosure.py; here the download must
give the same package (every hash in its index matches the stored originals)."""

import hashlib
import io
import json
import uuid
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.blobstore import blob_open, blob_path
from archive.models import Event, Version
from retention.models import Disclosure, DisclosureBasis, DisclosureJob, DisclosureJobState
from retention.services.disclosure import disclosure_build
from retention.services.disclosure_jobs import (
    MAX_ATTEMPTS,
    disclosure_job_run,
    disclosure_jobs_recover,
    disclosure_packages_expire,
    package_path,
)
from retention.tasks import build_disclosure, recover_disclosure_builds
from tests.archive.helpers import staff
from tests.conftest import DEMO_PASSWORD, user
from tests.retention.disclosure_helpers import disclosure_case, pdf_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo):
    return disclosure_case(demo)


def _client(username, password=DEMO_PASSWORD):
    client = Client()
    assert client.login(username=username, password=password)
    return client


def _form(case, *documents):
    return {
        "dokument": [d.pk for d in documents] or [case["application"].pk, case["tip"].pk],
        "empfaenger": "Sozialgericht Musterstadt",
        "rechtsgrundlage": "sgg_65d",
        "zweck": "Klageverfahren S 12 AS 34/26",
    }


@pytest.fixture
def queued(monkeypatch):
    """The broker: what the page queues is recorded (the worker's part runs in the test)."""
    sent = []
    monkeypatch.setattr("retention.services.disclosure_jobs.current_app", SimpleNamespace(
        conf=SimpleNamespace(task_always_eager=False),
        send_task=lambda name, args: sent.append((name, args))))
    return sent


def _request(client, case, capture, *documents):
    with capture(execute=True):
        response = client.post(f"/akten/{case['file'].pk}/einsicht/paket",
                               _form(case, *documents))
    assert response.status_code == 302
    job = DisclosureJob.objects.get()
    assert response["Location"] == f"/akten/{case['file'].pk}/einsicht/pakete/{job.pk}/"
    return job, response["Location"]


def test_the_post_only_queues_and_answers_with_the_status_page(
    case, queued, django_capture_on_commit_callbacks
):
    client = _client("sachbearbeitung-a")
    before = Event.objects.count()
    job, page_url = _request(client, case, django_capture_on_commit_callbacks)
    assert queued == [("retention.build_disclosure", (str(job.pk),))]
    assert (job.state, job.total, job.requested_by.username) == ("queued", 2, "sachbearbeitung-a")
    # Nothing was read, packed or recorded in the request.
    assert not Disclosure.objects.exists()
    assert not Event.objects.filter(seq__gt=before,
                                    action__in=("exported", "disclosed")).exists()
    assert not package_path(job).exists()
    page = client.get(page_url).content.decode()
    assert "wartet" in page and 'id="fortschritt"' in page and "herunterladen" not in page
    # Without JavaScript a link updates the page; it never refreshes itself (WCAG 2.2.1).
    assert "Stand aktualisieren" in page and 'http-equiv="refresh"' not in page
    status = client.get(f"{page_url}stand").json()
    assert (status["state"], status["percent"], status["finished"]) == ("queued", 0, False)

    build_disclosure(str(job.pk))  # the worker
    job.refresh_from_db()
    entry = Disclosure.objects.get()
    assert (job.state, job.disclosure, job.code) == ("done", entry, "")
    assert job.expires_at - job.finished_at == timedelta(days=settings.DISCLOSURE_PACKAGE_DAYS)
    assert package_path(job).stat().st_mode & 0o077 == 0  # the service account's alone
    reads = Event.objects.filter(seq__gt=before, action="exported", object_type="document")
    assert sorted(int(e.object_id) for e in reads) == sorted(
        [case["application"].pk, case["tip"].pk])
    assert all(f"Offenlegung Nr. {entry.pk}" in e.clear_purpose for e in reads)
    assert {(e.actor, e.clear_data["via"]["channel"]) for e in reads} == {
        ("sachbearbeitung-a", "web")}
    page = client.get(page_url).content.decode()
    assert f"Offenlegung Nr. {entry.pk}" in page
    assert f'href="{page_url}paket.zip"' in page and "refresh" not in page
    status = client.get(f"{page_url}stand").json()
    assert (status["state"], status["percent"], status["available"]) == ("done", 100, True)
    # The disclosure page lists the user's own packages.
    listed = client.get(f"/akten/{case['file'].pk}/einsicht/").content.decode()
    assert page_url in listed and "zum Herunterladen" in listed


def test_the_download_is_the_package_and_is_logged(case, eager,
                                                   django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    job, page_url = _request(client, case, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == DisclosureJobState.DONE  # ran in the POST's commit (eager)
    before = Event.objects.count()
    response = client.get(f"{page_url}paket.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    entry = Disclosure.objects.get()
    assert f"Offenlegung-{entry.pk}-" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == entry.package_sha256
    package = zipfile.ZipFile(io.BytesIO(body))
    index = json.loads(package.read("index.json"))
    assert index["offenlegung"] == entry.pk
    for listed in index["dateien"]:
        assert hashlib.sha256(package.read(listed["pfad"])).hexdigest() == listed["sha256"]
    originals = [e for e in index["dateien"] if e["art"] == "original"]
    assert [e["dokument"] for e in originals] == [case["application"].pk, case["tip"].pk]
    for listed in originals:
        version = Version.objects.get(document_id=listed["dokument"], number=listed["version"])
        with blob_open(version.original_sha256) as handle:
            assert listed["sha256"] == hashlib.sha256(handle.read()).hexdigest()
    logged = Event.objects.filter(seq__gt=before).get(action="disclosure_downloaded")
    assert (logged.object_type, logged.object_id, logged.actor) == (
        "case_file", str(case["file"].pk), "sachbearbeitung-a")
    assert logged.clear_data["disclosure"] == entry.pk
    assert logged.clear_data["package_sha256"] == entry.package_sha256


def test_progress_advances_document_by_document(case, tmp_path):
    seen = []
    disclosure_build(
        actor=acting(user("sachbearbeitung-a")), case_file_id=case["file"].pk,
        document_ids=[case["application"].pk, case["tip"].pk, case["plain"].pk],
        recipient="Anwältin", basis=DisclosureBasis.INSPECTION, purpose="Einsicht",
        target=tmp_path / "paket.zip",
        progress=lambda step, done, total: seen.append((step, done, total)),
    )
    assert seen == [("pdf", 1, 3), ("pdf", 2, 3), ("pdf", 3, 3), ("check", 0, 1),
                    ("originals", 0, 3), ("originals", 1, 3), ("originals", 2, 3),
                    ("register", 0, 1)]


def test_the_status_shows_document_k_of_n_and_a_growing_share(case, queued,
                                                              django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    job, page_url = _request(client, case, django_capture_on_commit_callbacks)
    shares, texts = [], []
    for state, step, done, total in [("queued", "", 0, 0), ("running", "pdf", 1, 2),
                                     ("running", "pdf", 2, 2), ("running", "check", 0, 1),
                                     ("running", "originals", 1, 2),
                                     ("running", "register", 0, 1)]:
        DisclosureJob.objects.filter(pk=job.pk).update(
            state=state, step=step, done=done, total=total,
            lease_until=timezone.now() + timedelta(minutes=1))
        status = client.get(f"{page_url}stand").json()
        shares.append(status["percent"])
        texts.append(status["progress_text"])
    assert shares == sorted(shares) and len(set(shares)) == len(shares) and shares[-1] < 100
    assert texts[1] == "Gesamt-PDF: Dokument 1 von 2 aufgenommen"
    assert texts[4] == "Originale: Dokument 2 von 2 wird beigefügt"
    page = client.get(page_url).content.decode()
    assert "Eintrag in das Offenlegungsverzeichnis" in page
    # A worker that died, again and again: after the last attempt the page says so instead
    # of waiting (the first lost attempts are queued again: next test).
    DisclosureJob.objects.filter(pk=job.pk).update(
        attempts=MAX_ATTEMPTS, lease_until=timezone.now() - timedelta(seconds=1))
    status = client.get(f"{page_url}stand").json()
    assert (status["state"], status["code"], status["finished"]) == ("failed", "WORKER_LOST", True)
    assert "nichts wurde offengelegt" in status["message"]


def test_a_build_whose_worker_died_is_queued_again_and_finishes(
        case, queued, django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    job, page_url = _request(client, case, django_capture_on_commit_callbacks)
    claimed = DisclosureJob.objects.filter(pk=job.pk)
    claimed.update(state="running", attempts=1, step="pdf", done=1, worker="celery@tot:1",
                   lease_until=timezone.now() + timedelta(seconds=30))
    assert disclosure_jobs_recover() == 0  # its lease still runs: the worker is alive
    claimed.update(lease_until=timezone.now() - timedelta(seconds=1))  # the worker died
    with django_capture_on_commit_callbacks(execute=True):
        assert disclosure_jobs_recover() == 1
    assert queued[-1] == ("retention.build_disclosure", (str(job.pk),))
    assert client.get(f"{page_url}stand").json()["state"] == "queued"
    # The next worker builds it from the start; nothing of the lost attempt was recorded.
    assert not Disclosure.objects.exists()
    done = disclosure_job_run(job.pk, worker="celery@neu:2")
    assert (done.state, done.attempts) == ("done", 2)
    assert Disclosure.objects.count() == 1
    assert client.get(f"{page_url}stand").json()["available"] is True
    # The scheduler asks every minute, by the task's registered name.
    schedule = settings.CELERY_BEAT_SCHEDULE["retention-recover-packages"]
    assert (schedule["task"], schedule["schedule"]) == (recover_disclosure_builds.name, 60.0)


def test_only_the_requester_sees_status_and_package(case, eager,
                                                    django_capture_on_commit_callbacks):
    job, page_url = _request(_client("sachbearbeitung-a"), case,
                             django_capture_on_commit_callbacks)
    staff("kollegin-a", unit_code="A")  # works on the same file
    colleague = _client("kollegin-a", password="x" * 12)
    assert colleague.get(f"/akten/{case['file'].pk}/einsicht/").status_code == 200
    unknown = f"/akten/{case['file'].pk}/einsicht/pakete/{uuid.uuid4()}/"
    before = Event.objects.count()
    for client in (colleague, _client("sachbearbeitung-b")):
        for suffix in ("", "stand", "paket.zip"):
            foreign, missing = client.get(page_url + suffix), client.get(unknown + suffix)
            assert foreign.status_code == missing.status_code == 404, suffix
    # The package is also bound to its file: another file's id does not open it.
    other = f"/akten/{case['file'].pk + 1}/einsicht/pakete/{job.pk}/paket.zip"
    assert _client("sachbearbeitung-a").get(other).status_code == 404
    assert not Event.objects.filter(seq__gt=before, action="disclosure_downloaded").exists()
    assert Event.objects.filter(seq__gt=before, action="read_refused",
                                actor="sachbearbeitung-b").exists()


def test_the_download_asks_again_whether_the_builder_may(case, eager,
                                                         django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    _job, page_url = _request(client, case, django_capture_on_commit_callbacks)
    assert client.get(f"{page_url}paket.zip").status_code == 200
    # Restricted (Art. 18 GDPR): the caseworker no longer works on the file.
    type(case["file"]).objects.filter(pk=case["file"].pk).update(restricted=True)
    assert client.get(f"{page_url}paket.zip").status_code == 404
    assert client.get(page_url).status_code == 404


def test_a_failed_build_records_nothing_and_says_why(case, eager,
                                                     django_capture_on_commit_callbacks):
    # A document whose original is missing from the blob store (its own bytes: no other
    # test's blob is touched).
    lost = pdf_document(case["file"], "Verlorenes Schreiben", f"Einzelstück {uuid.uuid4()}")
    blob_path(lost.versions.get().original_sha256).unlink()
    client = _client("sachbearbeitung-a")
    before = Event.objects.count()
    job, page_url = _request(client, case, django_capture_on_commit_callbacks,
                             case["application"], lost)
    job.refresh_from_db()
    assert (job.state, job.code) == ("failed", "DISCLOSURE_BLOB_MISSING")
    assert not Disclosure.objects.exists()
    assert not Event.objects.filter(
        seq__gt=before, action__in=("exported", "disclosed", "disclosure_downloaded")).exists()
    assert list(package_path(job).parent.glob(f"{job.pk}*")) == []
    page = client.get(page_url).content.decode()
    assert "Das Paket konnte nicht erstellt werden." in page
    assert "(DISCLOSURE_BLOB_MISSING)" in page and "gespeicherte Datei" in page
    assert 'id="fortschritt"' not in page
    assert client.get(f"{page_url}paket.zip").status_code == 404


def test_the_form_is_refused_as_before(case, queued, django_capture_on_commit_callbacks):
    client = _client("sachbearbeitung-a")
    url = f"/akten/{case['file'].pk}/einsicht/paket"
    response = client.post(url, {**_form(case), "empfaenger": ""}, follow=True)
    assert "(DISCLOSURE_INCOMPLETE)" in response.content.decode()
    response = client.post(url, {**_form(case), "dokument": []}, follow=True)
    assert "Bitte mindestens ein Dokument auswählen. (DISCLOSURE_EMPTY)" in (
        response.content.decode())
    assert not DisclosureJob.objects.exists() and queued == []


def test_cleanup_deletes_expired_packages_and_keeps_the_register(
    case, eager, django_capture_on_commit_callbacks
):
    client = _client("sachbearbeitung-a")
    old, old_url = _request(client, case, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert package_path(old).is_file()
    DisclosureJob.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/akten/{case['file'].pk}/einsicht/paket", _form(case))
    fresh = DisclosureJob.objects.exclude(pk=old.pk).get()
    assert disclosure_packages_expire() == 1
    assert not package_path(old).exists() and not DisclosureJob.objects.filter(pk=old.pk).exists()
    assert package_path(fresh).is_file()
    assert Disclosure.objects.count() == 2  # the register keeps both entries
    assert client.get(f"{old_url}paket.zip").status_code == 404
    schedule = settings.CELERY_BEAT_SCHEDULE["retention-expire-packages"]
    assert schedule["task"] == "retention.expire_disclosure_packages"
    assert settings.DISCLOSURE_PACKAGE_DAYS == 7
    assert settings.DISCLOSURE_PACKAGE_DIR.is_relative_to(settings.DATA_DIR)


def test_register_numbers_go_on_after_the_entries_made_before_the_jobs(case):
    """The migration that introduced reserved numbers starts them after the register's last
    entry, on SQLite (AUTOINCREMENT) and PostgreSQL (the sequence is moved on) alike."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from retention.models import DisclosureNumber

    migration = importlib.import_module("retention.migrations.0007_disclosure_job")
    Disclosure.objects.create(pk=41, case_file=case["file"], recipient="Gericht",
                              basis=DisclosureBasis.COURT, purpose="Klage", built_by="x")
    migration.numbers_after_the_register(apps, SimpleNamespace(connection=connection))
    assert DisclosureNumber.objects.create().pk == 42
