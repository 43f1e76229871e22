"""Start-up check: the data directory holds social data and must be readable by the service
account alone. `registratur` sets umask 077, but a directory created by an older version, a
restore or a hand-made copy may still be open to every local user."""
import os
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

MESSAGE = ("Das Datenverzeichnis ist für andere Benutzer dieses Rechners lesbar / The data "
           "directory is readable by other local users: {count} entries, e.g. {example}")
HINT = "chmod -R go-rwx {root}"


def _sensitive_paths(root: Path):
    """The directory itself and what gives away everything: the database, the keys, the
    index and the stores (their top folders; a closed folder closes what is below)."""
    yield root
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(str(database["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            yield name.with_name(name.name + suffix)
    yield root / "secret_key"
    yield Path(settings.AUDIT_KEY_FILE)
    yield Path(settings.AUDIT_KEY_FILE).parent
    for folder in (settings.SEARCH_INDEX_DIR, settings.BLOB_DIR, settings.CHECKPOINT_DIR,
                   settings.WORK_DIR, root / "broker"):
        yield Path(folder)
        # The index is small and is the text of every document: every file of it.
        if Path(folder) == Path(settings.SEARCH_INDEX_DIR):
            yield from Path(folder).rglob("*")


def data_dir_exposed(root: Path | None = None) -> list[Path]:
    """Paths under the data directory with any group or other permission bit."""
    root = Path(root or settings.DATA_DIR)
    exposed = []
    for path in _sensitive_paths(root):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISLNK(mode) and mode & 0o077:
            exposed.append(path)
    return exposed


def check_data_dir_permissions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    root = Path(settings.DATA_DIR)
    exposed = data_dir_exposed(root)
    if not exposed:
        return []
    return [checks.Warning(MESSAGE.format(count=len(exposed), example=exposed[0]),
                           hint=HINT.format(root=root), id="registratur.W001")]


def register() -> None:
    checks.register(check_data_dir_permissions, checks.Tags.security)


def warn_data_dir_permissions(stream) -> None:
    """For the processes that run no Django checks (Celery worker and scheduler, `run`)."""
    for message in check_data_dir_permissions():
        stream.write(f"WARNING {message.id}: {message.msg}\n  HINT: {message.hint}\n")
