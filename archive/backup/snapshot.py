"""`registratur backup`: one consistent, encrypted backup of a running instance.

Consistency: the checkpoint file is copied and the database snapshotted under the checkpoint
writer's lock (SQLite's online backup API, or pg_dump's snapshot), so every checkpoint in the
copy signs entries the copy holds. Blobs are content-addressed and never change: they are
copied after the snapshot, and every blob the snapshot names must be there (one written later
is a harmless extra; one destroyed since is in the destruction journal, which the restore
replays). The search index is not copied: the restore rebuilds it from the database."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..blobstore import blob_path
from ..checkpoints import FILE_NAME as CHECKPOINT_FILE
from ..checkpoints import checkpoint_file_locked
from ..destruction_journal import journal_path, journal_read
from ..models import Version
from ..timestamps import TOKENS_FILE, tokens_path
from . import crypto
from .errors import BackupRefused

FORMAT = 1
HEADER = "backup.json"
MANIFEST = "manifest.enc"
# Data-directory state besides database, blobs and checkpoints: the classifier's models and
# the generated secret key. The index, broker queue, work folders, caches and static files
# are rebuilt or refilled; the hot folder holds input not yet received.
DATA_ENTRIES = ("models", "secret_key")
PASSPHRASE_VARIABLES = ("REGISTRATUR_BACKUP_PASSPHRASE_FILE", "REGISTRATUR_BACKUP_PASSPHRASE")


def passphrase() -> bytes:
    path = os.environ.get("REGISTRATUR_BACKUP_PASSPHRASE_FILE", "")
    if path:
        try:
            value = Path(path).read_bytes().strip()
        except OSError:
            value = b""
    else:
        value = os.environ.get("REGISTRATUR_BACKUP_PASSPHRASE", "").encode()
    if len(value) < 12:
        raise BackupRefused("Bitte eine Passphrase (mindestens 12 Zeichen) in "
                            "REGISTRATUR_BACKUP_PASSPHRASE_FILE angeben.",
                            code="BACKUP_PASSPHRASE_MISSING")
    return value


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def pg_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _snapshot_database(target: Path) -> None:
    if is_sqlite():
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                           f"--file={target}", f"--dbname={pg_url()}"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"pg_dump ist fehlgeschlagen: {done.stderr.strip()[-500:]}",
                            code="BACKUP_TOOL_FAILED")


def _referenced(snapshot: Path) -> set[str]:
    """The blobs the snapshot's versions name: read from the SQLite copy itself; on
    PostgreSQL from the live database after the dump (a superset, less what was destroyed)."""
    if is_sqlite():
        db = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
        try:
            table = Version._meta.db_table
            rows = db.execute(f"SELECT {', '.join(Version.BLOB_FIELDS)} FROM {table}").fetchall()
        finally:
            db.close()
    else:
        rows = Version.objects.values_list(*Version.BLOB_FIELDS)
    return {h for row in rows for h in row if h}


def _schema(snapshot: Path) -> dict:
    if is_sqlite():
        db = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app")
            return dict(rows.fetchall())
        finally:
            db.close()
    from django.db.migrations.recorder import MigrationRecorder

    schema: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name"):
        schema[app] = max(schema.get(app, ""), name)
    return schema


def _stored_blobs() -> list[str]:
    root = Path(settings.BLOB_DIR)
    if not root.exists():
        return []
    return sorted(p.name for p in root.glob("??/??/*") if len(p.name) == 64)


def _key_files() -> list[tuple[str, Path]]:
    key = Path(settings.AUDIT_KEY_FILE)
    found = [("audit_key", key), ("audit_public_key", key.with_suffix(".pub"))]
    pinned = Path(settings.AUDIT_PUBLIC_KEY_FILE)
    if pinned != key.with_suffix(".pub"):
        found.append(("audit_pinned_key", pinned))
    return [(role, path) for role, path in found if path.exists()]


def _data_files() -> list[tuple[str, Path]]:
    root = Path(settings.DATA_DIR)
    found = []
    for entry in DATA_ENTRIES:
        path = root / entry
        if path.is_file():
            found.append((entry, path))
        elif path.is_dir():
            found += [(str(p.relative_to(root)), p) for p in sorted(path.rglob("*"))
                      if p.is_file() and not p.name.endswith(".tmp")]
    return found


def _environment() -> bytes:
    values = {name: value for name, value in sorted(os.environ.items())
              if name.startswith("REGISTRATUR_") and name not in PASSPHRASE_VARIABLES}
    return json.dumps(values, indent=1).encode()


class _Writer:
    def __init__(self, out: Path, key: bytes):
        self.out, self.key, self.files = out, key, []

    def add(self, role: str, path: str, source: Path) -> None:
        number = f"{len(self.files) + 1:06d}"
        entry = {"id": number, "role": role, "path": path}
        entry.update(crypto.seal_file(self.key, number, source, self.out / "files" / number))
        self.files.append(entry)


def backup_write(*, out: Path) -> dict:
    """Write a backup into `out` (new or empty) and return its manifest (without the key).
    The manifest is written last: a backup cut short has none and is refused as incomplete."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupRefused("Das Zielverzeichnis der Sicherung ist nicht leer.",
                            code="BACKUP_OUT_NOT_EMPTY")
    secret = passphrase()
    (out / "files").mkdir(parents=True, exist_ok=True, mode=0o700)
    salt = os.urandom(16)
    key = crypto.key_derive(secret, salt)
    created = timezone.now().isoformat()
    writer = _Writer(out, key)
    work = Path(settings.WORK_DIR)
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix="backup-", dir=work))
    try:
        snapshot = staging / ("database.sqlite3" if is_sqlite() else "database.pgdump")
        with checkpoint_file_locked() as checkpoints:
            if checkpoints.stat().st_size:
                writer.add("checkpoints", CHECKPOINT_FILE, checkpoints)
            if tokens_path().exists():  # RFC 3161 tokens of those checkpoints
                writer.add("timestamps", TOKENS_FILE, tokens_path())
            _snapshot_database(snapshot)
        writer.add("database", "sqlite" if is_sqlite() else "postgresql", snapshot)
        referenced, schema = _referenced(snapshot), _schema(snapshot)
        snapshot.unlink()
        stored = _stored_blobs()
        for sha256 in stored:
            writer.add("blob", sha256, blob_path(sha256))
        if journal_path().exists():
            writer.add("journal", journal_path().name, journal_path())
        destroyed = {h for entry in journal_read(journal_path())[0] for h in entry["blobs"]}
        missing = sorted(referenced - set(stored) - destroyed)
        if missing:
            raise BackupRefused(f"{len(missing)} gespeicherte Objekte fehlen, die die Datenbank "
                                f"nennt (zuerst {missing[0]}); bitte `audit fixity`.",
                                code="BACKUP_BLOB_MISSING")
        for role, path in _key_files():
            writer.add(role, path.name, path)
        for relative, path in _data_files():
            writer.add("data", relative, path)
        environment = staging / "environment.json"
        environment.write_bytes(_environment())
        writer.add("environment", "environment.json", environment)
    except BaseException:
        shutil.rmtree(out / "files", ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = {"format": FORMAT, "created_at": created, "finished_at": timezone.now().isoformat(),
                "database": "sqlite" if is_sqlite() else "postgresql", "schema": schema,
                "blobs": len(stored), "files": writer.files}
    (out / HEADER).write_text(json.dumps({
        "format": FORMAT, "created_at": created, "kdf": "scrypt", "scrypt": crypto.SCRYPT,
        "salt": salt.hex(), "key_check": crypto.key_check(key)}, indent=1))
    sealed = crypto.seal_bytes(key, MANIFEST, json.dumps(manifest).encode())
    temporary = out / (MANIFEST + ".tmp")
    temporary.write_bytes(sealed)
    os.replace(temporary, out / MANIFEST)
    return manifest
