"""The hot folder takes regular files only: links, pipes and temporary names are left where
they are, reported once on the quarantine page, and never block the watcher."""
import hashlib
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.blobstore import blob_path
from config.runner import stop_if_stuck, watcher_stuck
from ingest.models import HotFolderReport, IngestJob, WatcherHeartbeat
from ingest.watcher import HotFolderWatcher, watcher_healthy, watcher_name
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quarantine_html(username="poststelle") -> str:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get("/quarantaene/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def keep_connection(monkeypatch):
    # The watcher process closes stale connections after each file; here that would close
    # the test's own transaction.
    monkeypatch.setattr("ingest.watcher.close_old_connections", lambda: None)


@pytest.mark.django_db
def test_links_are_not_followed_and_are_reported_once(demo, tmp_path, keep_connection):
    root = tmp_path / "consume"
    root.mkdir()
    outside = born_digital_pdf(tmp_path / "fremde-abteilung.pdf", ["Akte einer anderen Stelle"])
    secret_key = Path(settings.DATA_DIR) / "secret_key"
    assert secret_key.is_file()
    (tmp_path / "fremder-ordner").mkdir()
    born_digital_pdf(tmp_path / "fremder-ordner" / "innen.pdf", ["Fremdes Schreiben"])
    os.symlink(outside, root / "link.pdf")
    os.symlink(secret_key, root / "schluessel.pdf")
    os.symlink(tmp_path / "fremder-ordner", root / "ordner")
    hard = born_digital_pdf(tmp_path / "hart.pdf", ["Hart verknüpft"])
    os.link(hard, root / "hart.pdf")
    good = born_digital_pdf(root / "brief.pdf", ["Ein gewöhnlicher Brief"])
    good_sha = _sha256(good)

    watcher = HotFolderWatcher(root)
    received = watcher.scan_once() + watcher.scan_once() + watcher.scan_once()

    assert [job.original_name for job in received] == ["brief.pdf"]
    assert IngestJob.objects.get().original_sha256 == good_sha
    for smuggled in (outside, secret_key, tmp_path / "fremder-ordner" / "innen.pdf", hard):
        assert not blob_path(_sha256(smuggled)).exists(), smuggled
    # Left exactly where they were.
    assert (root / "link.pdf").is_symlink() and (root / "schluessel.pdf").is_symlink()
    assert (root / "ordner").is_symlink() and (root / "hart.pdf").is_file()
    assert secret_key.is_file() and outside.is_file()

    reports = dict(HotFolderReport.objects.values_list("path", "code"))
    assert reports == {"link.pdf": "HOTFOLDER_SYMLINK", "schluessel.pdf": "HOTFOLDER_SYMLINK",
                       "ordner": "HOTFOLDER_SYMLINK", "hart.pdf": "HOTFOLDER_HARDLINK"}
    # Written once, not on every pass.
    with CaptureQueriesContext(connection) as queries:
        watcher.scan_once()
    assert not [q["sql"] for q in queries.captured_queries if "hotfolderreport" in q["sql"]
                and not q["sql"].lstrip().upper().startswith("SELECT")]
    # A restarted watcher does not write them again either.
    with CaptureQueriesContext(connection) as queries:
        HotFolderWatcher(root).scan_once()
    assert not [q["sql"] for q in queries.captured_queries if "hotfolderreport" in q["sql"]
                and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]

    html = _quarantine_html()
    assert "Im Eingangsordner liegen geblieben" in html
    for path in ("link.pdf", "schluessel.pdf", "ordner", "hart.pdf"):
        assert f"<td>{path}</td>" in html
    assert "HOTFOLDER_SYMLINK" in html and "symbolischer Link" in html
    assert str(tmp_path) not in html  # no internal paths
    # The page is the mailroom's: a caseworker does not get it.
    caseworker = Client()
    assert caseworker.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert caseworker.get("/quarantaene/").status_code == 404

    # Removed from the folder: the report goes too.
    (root / "link.pdf").unlink()
    watcher.scan_once()
    assert not HotFolderReport.objects.filter(path="link.pdf").exists()
    assert HotFolderReport.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_named_pipe_does_not_block_the_watcher(demo_tx, tmp_path):
    root = tmp_path / "consume"
    root.mkdir()
    fifo = root / "scan.pdf"
    os.mkfifo(fifo)
    good = born_digital_pdf(root / "brief.pdf", ["Ein gewöhnlicher Brief"])
    received, failed = [], []

    def passes():
        try:
            watcher = HotFolderWatcher(root)
            for _ in range(3):
                received.extend(job.original_name for job in watcher.scan_once())
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            failed.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=passes, daemon=True)
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive():
        # Free the blocked reader so that the thread ends with the test.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert not thread.is_alive(), "a pass blocked on the named pipe"
    assert failed == []
    assert received == ["brief.pdf"] and not good.exists()
    assert fifo.exists()
    report = HotFolderReport.objects.get()
    assert (report.path, report.code) == ("scan.pdf", "HOTFOLDER_NOT_REGULAR")
    assert "benannte Pipe" in report.message


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.django_db
@pytest.mark.parametrize("temporary", [".scan.pdf", "scan.pdf.part", "scan.tmp", "~$brief.docx"])
def test_hidden_and_temporary_files_wait_then_are_reported(demo, tmp_path, keep_connection,
                                                          temporary):
    root = tmp_path / "consume"
    root.mkdir()
    clock = Clock()
    watcher = HotFolderWatcher(root, settle_seconds=5, temp_grace_seconds=600, clock=clock)
    being_written = root / temporary
    being_written.write_bytes(b"%PDF-1.7\n")
    for step in (0, 10, 100, 590):
        clock.now = 1000 + step
        assert watcher.scan_once() == []
    assert not HotFolderReport.objects.exists()
    # Still being written: the grace period starts again.
    with being_written.open("ab") as handle:
        handle.write(b"% more\n")
    clock.now = 1595
    watcher.scan_once()
    clock.now = 2100
    assert watcher.scan_once() == []
    assert not HotFolderReport.objects.exists()
    clock.now = 2200  # unchanged for more than the grace period: reported, not received
    assert watcher.scan_once() == []
    report = HotFolderReport.objects.get()
    assert (report.path, report.code) == (temporary, "HOTFOLDER_TEMPORARY")
    assert "10 Minuten" in report.message
    assert temporary in _quarantine_html()
    assert being_written.exists() and not IngestJob.objects.exists()

    # Renamed to its final name: received once it settled, and the report goes.
    born_digital_pdf(being_written, ["Fertiger Scan"])
    final = being_written.rename(root / "fertig.pdf")
    clock.now = 2201
    assert watcher.scan_once() == []  # first look
    clock.now = 2203
    assert watcher.scan_once() == []  # unchanged, but for less than 5 seconds
    assert not HotFolderReport.objects.exists()
    clock.now = 2207
    [job] = watcher.scan_once()
    assert job.original_name == "fertig.pdf" and not final.exists()


@pytest.mark.django_db
def test_a_stale_heartbeat_reports_the_hot_folder_unwatched(demo, keep_connection):
    name = watcher_name(settings.CONSUME_DIR)
    WatcherHeartbeat.objects.create(
        name=name, seen_at=timezone.now() - timedelta(seconds=settings.WATCH_STALE_SECONDS + 5))
    assert not watcher_healthy()
    with pytest.raises(CommandError, match="nicht überwacht"):
        call_command("watch", "--check")
    assert watcher_stuck(started_at=0, now=10_000)
    assert "Eingangsordner wird nicht überwacht" in _quarantine_html()

    HotFolderWatcher(settings.CONSUME_DIR).scan_once()  # a pass writes the heartbeat
    assert watcher_healthy(name)
    call_command("watch", "--check")
    assert not watcher_stuck(started_at=0, now=10_000)
    assert "Eingangsordner wird nicht überwacht" not in _quarantine_html()


@pytest.mark.django_db
def test_run_ends_a_watcher_that_stopped_passing_so_that_it_is_started_again(demo):
    # A process that ignores SIGTERM, like a watcher blocked in a read.
    stuck = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                              "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                              "print(flush=True); time.sleep(600)"], stdout=subprocess.PIPE)
    stuck.stdout.readline()  # the handler is in place
    try:
        WatcherHeartbeat.objects.create(name=watcher_name(settings.CONSUME_DIR),
                                        seen_at=timezone.now() - timedelta(hours=1))
        # Just started: given time for its first pass.
        assert not stop_if_stuck(stuck, started_at=1000, now=1001)
        assert stuck.poll() is None
        assert stop_if_stuck(stuck, started_at=0, now=10_000)
        assert stuck.poll() is not None
    finally:
        if stuck.poll() is None:
            stuck.kill()
        stuck.stdout.close()


@pytest.mark.django_db
def test_no_watcher_at_all_is_reported_too(demo):
    assert not WatcherHeartbeat.objects.exists()
    assert "Eingangsordner wird nicht überwacht" in _quarantine_html()


@pytest.mark.django_db
def test_a_name_that_is_not_utf8_is_received_and_reported_readably(demo, tmp_path,
                                                                    keep_connection):
    root = tmp_path / "consume"
    root.mkdir()
    latin1 = os.fsencode(root) + b"/Bescheid M\xfcller.pdf"  # an old scanner's Latin-1
    born_digital_pdf(Path(os.fsdecode(latin1)), ["Bescheid"])
    os.mkfifo(os.fsencode(root) + b"/R\xf6hre")
    watcher = HotFolderWatcher(root)
    [job] = watcher.scan_once() + watcher.scan_once()
    assert job.original_name == "Bescheid M\ufffdller.pdf"
    assert HotFolderReport.objects.get().path == "R\ufffdhre"
    watcher.scan_once()  # the report is not written again
    assert HotFolderReport.objects.count() == 1
