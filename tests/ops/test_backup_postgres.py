"""The multi-host path of backup and restore: pg_dump while the instance runs, pg_restore into
an empty PostgreSQL database, the trail verifying afterwards. Runs on the PostgreSQL pass."""
import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from archive.blobstore import blob_put_bytes
from archive.models import CaseFile, Event
from tests.conftest import registratur_env

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not os.environ.get("REGISTRATUR_TEST_DATABASE_URL"),
    reason="PostgreSQL only: runs on the PostgreSQL pass")]
PASSPHRASE = "korrekt pferd batterie heftklammer"


def _run(env, *args):
    return subprocess.run([sys.executable, "-m", "config.cli", *args], env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def empty_database():
    db = connection.settings_dict
    name = f"registratur_restore_{uuid.uuid4().hex[:8]}"
    admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                 password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield name, f"postgres://{auth}@{admin['host']}:{admin['port']}/{name}"
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_pg_dump_backup_restores_into_an_empty_postgres_database(demo_tx, tmp_path,
                                                                  empty_database):
    blob_put_bytes(b"ein Objekt fuer die PostgreSQL-Sicherung")
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE)
    env = {**registratur_env(), "REGISTRATUR_BACKUP_PASSPHRASE_FILE": str(secret)}
    done = _run(env, "backup", "--out", str(tmp_path / "backup"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["database"] == "postgresql"

    name, url = empty_database
    fresh = {**env, "REGISTRATUR_DATABASE_URL": url,
             "REGISTRATUR_DATA_DIR": str(tmp_path / "new" / "data"),
             "REGISTRATUR_AUDIT_KEY_FILE": str(tmp_path / "new" / "keys" / "audit.pem")}
    fresh.pop("REGISTRATUR_CHECKPOINT_DIR", None)
    restored = _run(fresh, "restore", str(tmp_path / "backup"), "--json")
    assert restored.returncode == 0, restored.stderr + restored.stdout
    report = json.loads(restored.stdout.strip().splitlines()[-1])
    assert report["audit_verify"] == "ok" and report["fixity"] == []
    source = sorted(CaseFile.objects.values_list("pk", "file_reference"))
    with psycopg.connect(url) as conn:
        target = sorted(conn.execute(
            f"SELECT id, file_reference FROM {CaseFile._meta.db_table}").fetchall())
        events = conn.execute(f"SELECT COUNT(*) FROM {Event._meta.db_table}").fetchone()[0]
    assert target == source and events > 0
    assert _run(fresh, "audit", "verify").returncode == 0
    again = _run(fresh, "restore", str(tmp_path / "backup"))
    assert again.returncode == 10 and again.stderr.startswith("BACKUP_TARGET_NOT_EMPTY")
