"""A worker that stops taking jobs shows on the health page within a minute: a real worker
process, frozen with SIGSTOP (as a hung or swapped-out worker would be)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.test import Client

from tests.conftest import broker_queues_clear, registratur_env, wait_for

pytestmark = [pytest.mark.e2e]
STALE_SECONDS = 15  # the default is 60; the beat comes every 5 s (slower on a busy machine)


def _workers() -> dict:
    return json.loads(Client().get("/healthz").content)["checks"]["workers"]


def test_a_stopped_worker_shows_as_degraded_within_a_minute(demo_tx, settings, tmp_path):
    settings.WORKER_STALE_SECONDS = STALE_SECONDS
    broker_queues_clear()
    log = open(tmp_path / "worker.log", "a")
    worker = subprocess.Popen([sys.executable, "-m", "config.cli", "worker", "--concurrency", "1"],
                              env=registratur_env(), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        wait_for(lambda: _workers()["status"] == "ok", timeout=180, what="the worker's beat")
        os.killpg(worker.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        wait_for(lambda: _workers()["status"] == "degraded", timeout=60,
                 what="the health page to show the stopped worker")
        assert time.monotonic() - stopped < 60
        workers = _workers()
        assert (workers["fresh"], workers["stale"]) == (0, 1)
        # Shown rounded to a tenth: a beat 15.03 s old reads 15.0.
        assert workers["last_beat_seconds_ago"][0] >= STALE_SECONDS
        # Woken again, it beats again and the page recovers.
        os.killpg(worker.pid, signal.SIGCONT)
        wait_for(lambda: _workers()["status"] == "ok", timeout=60, what="the beat to resume")
    finally:
        try:
            os.killpg(worker.pid, signal.SIGCONT)
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        log.close()
