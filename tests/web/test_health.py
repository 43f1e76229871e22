"""/healthz: database, broker, index, worker heartbeats; /metrics: who may read it."""
import json
import re
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.celery import app
from ingest.heartbeat import beat, worker_name
from ingest.models import WorkerHeartbeat
from ingest.watcher import watcher_beat, watcher_name
from search.backends import get_backend
from search.indexing import index_rebuild
from tests.conftest import registratur_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(settings, tmp_path):
    """A built index of its own (the shared one may be in any state)."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    index_rebuild()
    yield
    get_backend.cache_clear()


def _health(client=None):
    response = (client or Client()).get("/healthz")
    return response.status_code, json.loads(response.content)


def test_healthz_ok_with_a_fresh_worker(demo, index):
    beat(worker_name("celery@host"))
    status, body = _health()
    assert status == 200
    assert body["status"] == "ok", body
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "broker": "ok", "index": "ok", "workers": "ok"}
    assert body["checks"]["workers"]["fresh"] == 1
    head = Client().head("/healthz")  # load balancers probe with HEAD
    assert head.status_code == 200 and head.content == b""


def test_no_worker_running_is_degraded_not_down(demo, index):
    status, body = _health()
    assert status == 200  # the pages still work; only the post waits
    assert body["status"] == "degraded"
    assert body["checks"]["workers"]["status"] == "degraded"


def test_a_worker_without_a_recent_beat_is_degraded(demo, index, settings):
    settings.WORKER_STALE_SECONDS = 60
    WorkerHeartbeat.objects.create(name="celery@a:1", seen_at=timezone.now())
    WorkerHeartbeat.objects.create(name="celery@b:2",
                                   seen_at=timezone.now() - timedelta(seconds=61))
    status, body = _health()
    workers = body["checks"]["workers"]
    assert (status, body["status"], workers["status"]) == (200, "degraded", "degraded")
    assert (workers["fresh"], workers["stale"]) == (1, 1)
    assert workers["last_beat_seconds_ago"][1] >= 61


def test_the_redis_broker_unreachable_is_down(demo, index, settings):
    beat(worker_name("celery@host"))
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    status, body = _health()
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_the_embedded_broker_without_its_folder_is_down(demo, index, settings, tmp_path):
    beat(worker_name("celery@host"))
    missing = tmp_path / "gone" / "queue"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(missing), "data_folder_out": str(missing),
        "control_folder": str(tmp_path / "gone" / "control")}
    status, body = _health()
    assert (status, body["checks"]["broker"]["status"]) == (503, "down")


def test_the_database_unreachable_is_down(tmp_path):
    """A real process whose database cannot be opened (a file in a missing folder)."""
    env = {**registratur_env(), "DJANGO_SETTINGS_MODULE": "config.settings",
           "REGISTRATUR_DATABASE_URL": f"sqlite:///{tmp_path}/missing/registratur.sqlite3"}
    script = ("import django, json; django.setup(); from django.test import Client; "
              "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    status, body = done.stdout.strip().splitlines()[-2:]
    body = json.loads(body)
    assert status == "503"
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down"
    assert "missing" not in done.stdout  # not even the path of the database


def test_healthz_names_no_host_path_or_worker(demo, index, settings):
    beat(worker_name(f"celery@{socket.gethostname()}"))
    watcher_beat(watcher_name(settings.CONSUME_DIR))
    response = Client().get("/healthz")
    text = response.content.decode()
    body = json.loads(text)
    assert body["checks"]["watcher"]["status"] == "ok"
    assert socket.gethostname() not in text
    assert str(settings.DATA_DIR) not in text and "consume" not in text
    assert "celery" not in text


# --- /metrics: who may read it -----------------------------------------------------------

def test_metrics_answer_localhost_and_refuse_other_hosts(demo, settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 200  # REMOTE_ADDR 127.0.0.1
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404
    # Through a reverse proxy on this host, the request only seems local.
    proxied = Client().get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert proxied.status_code == 404


def test_metrics_from_another_host_need_the_token(demo, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    remote = Client(REMOTE_ADDR="10.1.2.3")
    assert remote.get("/metrics").status_code == 404
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    allowed = remote.get("/metrics",
                         headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert allowed.status_code == 200
    assert b"registratur_queue_length" in allowed.content


def test_queue_lengths_count_the_messages_waiting(demo, settings):
    from ingest.jobs import job_enqueue

    before = _gauge(Client().get("/metrics").content.decode(), "registratur_queue_length",
                    queue="ingest")
    # Sent to the real (embedded) broker; no worker takes them in this test.
    job_enqueue("00000000-0000-0000-0000-000000000001")
    job_enqueue("00000000-0000-0000-0000-000000000002")
    after = _gauge(Client().get("/metrics").content.decode(), "registratur_queue_length",
                   queue="ingest")
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("ingest")
    assert after == before + 2


def _gauge(text: str, name: str, **labels) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    raise AssertionError(f"{name} {labels} not in the metrics")


def test_a_worker_is_stale_after_a_minute_by_default():
    import os

    from django.conf import settings

    if os.environ.get("REGISTRATUR_WORKER_STALE_SECONDS"):
        pytest.skip("set in the environment")
    assert settings.WORKER_STALE_SECONDS == 60


def test_the_administrators_page_shows_the_health_in_german(demo, index, settings):
    settings.WORKER_STALE_SECONDS = 60
    WorkerHeartbeat.objects.create(name="celery@a:1",
                                   seen_at=timezone.now() - timedelta(seconds=90))
    client = Client()
    client.force_login(_admin())
    page = client.get("/verwaltung/").content.decode()
    assert "Betriebszustand: eingeschränkt" in page
    row = re.search(r'<tr id="health-workers">(.*?)</tr>', page, re.S).group(1)
    assert "eingeschränkt" in row and "0 aktiv, 1 ohne Lebenszeichen" in row
    database = re.search(r'<tr id="health-database">(.*?)</tr>', page, re.S).group(1)
    assert "in Ordnung" in database


def _admin():
    from tests.conftest import user

    return user("admin")
