"""SIGKILL the worker in the middle of OCR: nothing is lost. The OCR child dies with it, the
original stays intact, and after a restart the job completes (on its second attempt)."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from archive.blobstore import blob_path
from ingest.models import IngestJob, JobState
from tests.conftest import broker_queues_clear, registratur_env, wait_for
from tests.fixtures.letters import Letter, render_letter

pytestmark = [pytest.mark.e2e]
LEASE_SECONDS = 6


def _start_worker(log_path):
    env = {**registratur_env(), "REGISTRATUR_JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    log = open(log_path, "a")
    return subprocess.Popen([sys.executable, "-m", "config.cli", "worker", "--concurrency", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _ocr_processes(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ocrmypdf" in cmdline and marker in cmdline:
            found.append(int(pid))
    return found


def test_sigkill_during_ocr_loses_nothing(demo_tx, tmp_path):
    from ingest.jobs import job_receive

    case_file = demo_tx["A"]
    letter = Letter(file_reference=case_file.file_reference, subject="Antrag nach Absturz",
                    paragraphs=Letter().paragraphs * 3)
    scan = render_letter(tmp_path / "absturz.pdf", letter, noise=0.05)
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    broker_queues_clear()  # before this job is queued
    job = job_receive(path=scan, original_name=scan.name, source="test")
    log_path = tmp_path / "worker.log"
    worker = _start_worker(log_path)
    try:
        wait_for(lambda: IngestJob.objects.get(pk=job.pk).step == "ocr", timeout=120,
                 what="the job to reach OCR")
        marker = f"job-{job.pk}"  # the job's work folder, in the OCR command line
        wait_for(lambda: _ocr_processes(marker), timeout=30, what="the OCR child")
        time.sleep(1.5)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        # The OCR child (its own session) must not run on as an orphan.
        wait_for(lambda: not _ocr_processes(marker), timeout=15, what="the OCR child to die")
        crashed = IngestJob.objects.get(pk=job.pk)
        assert crashed.state == JobState.RUNNING and crashed.attempts == 1
        assert hashlib.sha256(blob_path(sha).read_bytes()).hexdigest() == sha
        worker = _start_worker(log_path)

        def finished():
            current = IngestJob.objects.get(pk=job.pk)
            return current if current.is_terminal else None

        done = wait_for(finished, timeout=240, what="the job to finish after the restart")
        assert done.state == JobState.FILED, (done.code, done.message, log_path.read_text()[-3000:])
        assert done.attempts == 2
        assert done.document.case_file_id == case_file.pk
        assert "Absturz" in done.document.versions.get().text
        assert hashlib.sha256(blob_path(sha).read_bytes()).hexdigest() == sha
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(worker.pid, signal.SIGKILL)
