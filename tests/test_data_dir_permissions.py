"""The data directory holds social data: the service account alone may read it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from config.checks import check_data_dir_permissions, data_dir_exposed

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from archive.blobstore import blob_put_bytes
blob_put_bytes(b"Sozialdaten" * 1000)
from search.indexing import index_rebuild
index_rebuild()
from django.core import checks
print("WARNINGS", [m.id for m in checks.run_checks(tags=[checks.Tags.security])])
"""


def test_a_new_instance_is_readable_by_the_service_account_alone(tmp_path):
    data_dir = tmp_path / "data"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("REGISTRATUR_") and key != "DJANGO_SETTINGS_MODULE"}
    env.update({"PYTHONPATH": str(ROOT), "REGISTRATUR_DATA_DIR": str(data_dir),
                "REGISTRATUR_SEARCH_BACKEND": "tantivy"})
    # A permissive umask in the calling shell must not matter.
    result = subprocess.run([sys.executable, "-c",
                             "import os, sys; os.umask(0o022); from config.cli import main; "
                             "main(['registratur', 'shell', '-c', sys.argv[1]])", SETUP],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "WARNINGS []" in result.stdout
    entries = [data_dir, *data_dir.rglob("*")]
    names = {path.name for path in entries}
    assert {"registratur.sqlite3", "secret_key", "index", "blobs"} <= names
    assert any(path.is_file() and path.parent.parent.parent.name == "blobs" for path in entries)
    open_to_others = [f"{path.relative_to(tmp_path)} {oct(path.lstat().st_mode)}"
                      for path in entries if path.lstat().st_mode & 0o077]
    assert open_to_others == []


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_start_up_check_flags_a_world_readable_database(tmp_path):
    root = tmp_path / "data"
    root.mkdir(mode=0o700)
    database = root / "registratur.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o600)
    sqlite = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}}
    with override_settings(DATA_DIR=root, DATABASES=sqlite, SEARCH_INDEX_DIR=root / "index",
                           BLOB_DIR=root / "blobs", CHECKPOINT_DIR=root / "checkpoints",
                           WORK_DIR=root / "work", AUDIT_KEY_FILE=root / "keys" / "audit.pem"):
        assert data_dir_exposed() == []
        assert check_data_dir_permissions() == []
        database.chmod(0o644)
        assert data_dir_exposed() == [database]
        [warning] = check_data_dir_permissions()
    assert warning.id == "registratur.W001"
    assert "lesbar" in warning.msg and "readable" in warning.msg
    assert warning.hint == f"chmod -R go-rwx {root}"
