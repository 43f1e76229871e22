import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from archive.models import CaseFile
from tests.browser import browser, german_browser  # noqa: F401  (the browser tests' fixtures)
from tests.second_factor import demo_devices, patch_test_client
from web.demo import demo_setup

DEMO_PASSWORD = "demo-kennwort-123"


def _flush_may_empty_the_log():
    """Transactional tests empty every table afterwards (Django's flush). On SQLite the event
    log refuses DELETE (archive.services.dbroles); the flush alone unlocks it for its own
    connection. Production flushes stay refused."""
    if connection.vendor != "sqlite":
        return
    from archive.services.dbroles import EVENT_TABLE, SQLITE_UNLOCK_TABLE

    DatabaseOperations = type(connection.ops)  # noqa: N806
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if EVENT_TABLE not in tables:
            return statements
        return [f"CREATE TEMP TABLE IF NOT EXISTS {SQLITE_UNLOCK_TABLE} (x)", *statements,
                f"DROP TABLE IF EXISTS temp.{SQLITE_UNLOCK_TABLE}"]

    DatabaseOperations.sql_flush = sql_flush


_flush_may_empty_the_log()
# login()/force_login() of the test client complete the second factor (tests/second_factor.py).
patch_test_client()

# CI runs the suite on SQLite and again on PostgreSQL. Tests that spend their time in real OCR
# and check nothing the database could change (formats, orientation, the corpus) run on the
# SQLite pass only, which keeps CI within its time budget.
sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
    reason="OCR-bound, nothing database-specific: runs on the SQLite pass only")


def default_schedules():
    """The schedules the retention migration ships. A transactional test's flush removes them,
    and case files can only be created in a plan unit whose schedule exists."""
    from importlib import import_module

    from retention.models import RetentionSchedule

    for values in import_module("retention.migrations.0002_default_schedules").DEFAULTS:
        RetentionSchedule.objects.get_or_create(key=values["key"], defaults=values)


def default_document_types():
    """The document types the archive migration ships; a transactional test's flush removes
    them too, and the pages and the classifier's rules need them."""
    from importlib import import_module

    from django.apps import apps

    import_module("archive.migrations.0012_default_document_types").add_defaults(apps, None)
    # ... and the example deadline rules, which name some of those types.
    import_module("followups.migrations.0002_example_rules").add_examples(apps, None)


@pytest.fixture
def demo(db):
    default_schedules()
    default_document_types()
    result = demo_setup(password=DEMO_PASSWORD)
    demo_devices()  # the administrator's and the officer's second factor
    return {case_file.unit.code: case_file for case_file in result.case_files}


def _stale_checkpoints_remove() -> None:
    """The trail starts anew in an emptied database; checkpoints that earlier tests of this
    process left in the data directory (and their anchors beside the key) sign a chain that
    is gone, and `audit verify` in a child process, which reads them there, would call the
    new one rewritten."""
    import shutil

    if Path(settings.CHECKPOINT_DIR).is_relative_to(settings.DATA_DIR):
        shutil.rmtree(settings.CHECKPOINT_DIR, ignore_errors=True)
    key = Path(settings.AUDIT_KEY_FILE)
    if key.is_relative_to(settings.DATA_DIR):
        for anchor in key.parent.glob(f"{key.stem}-anchor-*.json"):
            anchor.unlink()


@pytest.fixture
def transactional_db(transactional_db):
    """pytest-django's, starting without the checkpoints of earlier tests' trails."""
    _stale_checkpoints_remove()


@pytest.fixture
def demo_tx(transactional_db):
    """The demo setup committed, for tests whose worker processes must see it."""
    default_schedules()
    default_document_types()
    demo_setup(password=DEMO_PASSWORD)
    demo_devices()
    return {cf.unit.code: cf for cf in CaseFile.objects.select_related("unit")}


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def registratur_env() -> dict:
    """The environment of a child process that works on the test database and data dir."""
    env = os.environ.copy()
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REGISTRATUR_DATABASE_URL": _database_url(),
        "REGISTRATUR_DATA_DIR": str(settings.DATA_DIR),
        "REGISTRATUR_WATCH_INTERVAL": "0.5",
    })
    return env


def registratur(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `registratur` command line as a child process."""
    return subprocess.run([sys.executable, "-m", "config.cli", *args], env=registratur_env(),
                          capture_output=True, text=True, timeout=timeout)


def broker_queues_clear() -> None:
    """Empty the broker's queues before a test starts a worker. Earlier tests of this process
    leave messages there (their jobs and index writes, sent after a commit that the flush then
    removed); a new worker would first work through all of them, about a second each, and the
    test's own index write waits behind them (CI: more than the 60 s a test waits)."""
    from config.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}:
            channel.queue_purge(queue)


class Instance:
    """A real worker and hot-folder watcher, as `registratur run` starts them."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self):
        broker_queues_clear()
        for name, args in {"worker": ["worker", "--concurrency", "1"],
                           "watcher": ["watch"]}.items():
            log = open(self.log_dir / f"{name}.log", "w")
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "config.cli", *args], env=registratur_env(),
                stdout=log, stderr=subprocess.STDOUT)
        return self

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-5000:]

    def stop(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def instance(django_db_setup, tmp_path_factory):
    running = Instance(tmp_path_factory.mktemp("instance-logs")).start()
    yield running
    running.stop()


@pytest.fixture
def own_trail(settings, tmp_path):
    """Checkpoints and the signing key of this test's own trail, in its tmp_path: the
    database is rolled back after each test, the checkpoints outside it would not be."""
    settings.CHECKPOINT_DIR = tmp_path / "data" / "checkpoints"
    settings.AUDIT_KEY_FILE = tmp_path / "config" / "audit.pem"
    settings.AUDIT_PUBLIC_KEY_FILE = tmp_path / "config" / "audit.pub"
    return tmp_path


@pytest.fixture
def eager():
    """The worker's queues run in this process, as the worker would run them."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def wait_for(predicate, *, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def pytest_terminal_summary(terminalreporter):
    """The real-document suite's tables (tests/corpus). They travel as a report property
    because parallel test workers' own output never reaches the terminal."""
    for report in [*terminalreporter.stats.get("passed", []),
                   *terminalreporter.stats.get("failed", [])]:
        for name, value in getattr(report, "user_properties", ()):
            if name == "corpus_summary":
                terminalreporter.write_sep("-", f"real documents: {report.nodeid}")
                terminalreporter.write_line(value)
