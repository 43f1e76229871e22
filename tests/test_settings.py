"""Settings: importing them has no side effects, every variable they read is documented, and
the broker's files live in the data directory."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _child_env(data_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("REGISTRATUR_") and key != "DJANGO_SETTINGS_MODULE"}
    env.update({"PYTHONPATH": str(ROOT), "REGISTRATUR_DATA_DIR": str(data_dir)})
    return env


def _tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_importing_the_settings_creates_nothing(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    subprocess.run([sys.executable, "-c", "import config.settings as s; assert s.DATA_DIR"],
                   cwd=work, env=_child_env(data_dir), check=True, timeout=60)
    assert _tree(data_dir) == []
    assert _tree(work) == []
    # A data directory that does not exist yet is not created by the import either.
    subprocess.run([sys.executable, "-c", "import config.settings"], cwd=work,
                   env=_child_env(tmp_path / "absent"), check=True, timeout=60)
    assert not (tmp_path / "absent").exists()


def test_the_command_line_creates_the_data_dir_and_key_for_the_service_account(tmp_path):
    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "shell", "-c",
         "from django.conf import settings; print(len(settings.SECRET_KEY))"],
        cwd=tmp_path, env=_child_env(data_dir), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) >= 50
    key = data_dir / "secret_key"
    assert key.read_text().strip()
    assert key.stat().st_mode & 0o077 == 0
    assert data_dir.stat().st_mode & 0o077 == 0


def test_broker_control_folder_is_inside_the_data_dir(tmp_path):
    """kombu's filesystem transport keeps its exchange table in `control/` of the working
    directory unless told otherwise; a broadcast (inspect/ping) writes there."""
    from django.conf import settings

    control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
    assert control.is_relative_to(settings.DATA_DIR)

    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "shell", "-c",
         "from config.celery import app; app.control.inspect(timeout=0.2).ping()"],
        cwd=tmp_path, env=_child_env(data_dir), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "control").exists()
    assert list((data_dir / "broker" / "control").glob("*.exchange"))


def test_readme_names_every_environment_variable_the_settings_read():
    source = "\n".join(path.read_text() for path in (ROOT / "config").glob("*.py"))
    read = set(re.findall(r'env_\w+\(\s*"(REGISTRATUR_[A-Z0-9_]+)"', source))
    assert len(read) > 30
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`(REGISTRATUR_[A-Z0-9_]+)`", readme))
    assert sorted(read - documented) == []


def test_repository_holds_no_broker_files():
    tracked = subprocess.run(["git", "ls-files", "control"], cwd=ROOT, capture_output=True,
                             text=True).stdout
    assert tracked == ""
    assert "/control/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.django_db
def test_sqlite_reads_the_database_through_a_memory_map():
    if connection.vendor != "sqlite":
        pytest.skip("a setting of the SQLite connection (embedded mode)")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        assert cursor.fetchone()[0] == 1024 * 1024 * 1024
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
