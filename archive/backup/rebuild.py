"""`registratur restore`: rebuild an instance from a backup into an empty data directory.

Everything is checked before anything is written: the passphrase (BACKUP_KEY_WRONG), the
manifest (BACKUP_DAMAGED when it fails authentication, BACKUP_INCOMPLETE when it is missing),
every file's presence, size and hash (BACKUP_INCOMPLETE, BACKUP_DAMAGED), and the target
(BACKUP_TARGET_NOT_EMPTY). Then the files are decrypted into place, the destructions journaled
since the backup are carried out again through the kernel's one destruction path, and the
caller rebuilds the index and verifies (archive/management/commands/restore.py)."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from ..actors import system_actor
from ..blobstore import blob_path
from ..checkpoints import FILE_NAME as CHECKPOINT_FILE
from ..checkpoints import anchor_restore
from ..destruction_journal import journal_path, journal_read
from ..models import CaseFile, Document, Version
from ..services.destruction import case_files_destroy, destruction_finish
from ..timestamps import TOKENS_FILE
from . import crypto
from .errors import BackupRefused
from .snapshot import FORMAT, HEADER, MANIFEST, is_sqlite, passphrase, pg_url


@dataclass
class OpenedBackup:
    root: Path
    key: bytes
    manifest: dict


@dataclass
class Replay:
    case_files: list[dict] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    blobs_removed: int = 0
    problems: list[str] = field(default_factory=list)


def _incomplete(what: str) -> BackupRefused:
    return BackupRefused(f"Die Sicherung ist unvollständig: {what}.", code="BACKUP_INCOMPLETE")


def backup_open(root: Path) -> OpenedBackup:
    """The backup's manifest, after checking the passphrase and every file's size and hash."""
    root = Path(root)
    try:
        header = json.loads((root / HEADER).read_text())
        salt, check = bytes.fromhex(header["salt"]), str(header["key_check"])
        params = header["scrypt"]
    except FileNotFoundError:
        raise _incomplete("der Kopf (backup.json) fehlt") from None
    except (ValueError, KeyError, TypeError):
        raise BackupRefused("Der Kopf der Sicherung ist unlesbar.",
                            code="BACKUP_DAMAGED") from None
    if header.get("format") != FORMAT:
        raise BackupRefused("Dieses Sicherungsformat ist unbekannt.", code="BACKUP_DAMAGED")
    key = crypto.key_derive(passphrase(), salt, params)
    if crypto.key_check(key) != check:
        raise BackupRefused("Die Passphrase öffnet diese Sicherung nicht.",
                            code="BACKUP_KEY_WRONG")
    if not (root / MANIFEST).exists():
        raise _incomplete("das Verzeichnis (manifest.enc) fehlt; die Sicherung wurde nicht "
                          "zu Ende geschrieben")
    manifest = json.loads(crypto.open_bytes(key, MANIFEST, (root / MANIFEST).read_bytes()))
    for entry in manifest["files"]:
        path = root / "files" / entry["id"]
        if not path.exists():
            raise _incomplete(f"Datei {entry['id']} ({entry['role']}) fehlt")
        size = path.stat().st_size
        if size < entry["sealed_size"]:
            raise _incomplete(f"Datei {entry['id']} ({entry['role']}) ist abgeschnitten")
        if size != entry["sealed_size"] or crypto.sha256_of(path) != entry["sealed_sha256"]:
            raise BackupRefused(f"Datei {entry['id']} ({entry['role']}) der Sicherung ist "
                                f"verändert.", code="BACKUP_DAMAGED")
    return OpenedBackup(root, key, manifest)


def _target_paths(entry: dict) -> Path | None:
    role, path = entry["role"], entry["path"]
    key = Path(settings.AUDIT_KEY_FILE)
    return {
        "blob": lambda: blob_path(path),
        "checkpoints": lambda: Path(settings.CHECKPOINT_DIR) / CHECKPOINT_FILE,
        "timestamps": lambda: Path(settings.CHECKPOINT_DIR) / TOKENS_FILE,
        "audit_key": lambda: key,
        "audit_public_key": lambda: key.with_suffix(".pub"),
        "audit_pinned_key": lambda: Path(settings.AUDIT_PUBLIC_KEY_FILE),
        "data": lambda: Path(settings.DATA_DIR) / path,
        "environment": lambda: Path(settings.DATA_DIR) / "restore" / "environment.json",
    }.get(role, lambda: None)()


def _database_empty() -> bool:
    if is_sqlite():
        name = Path(connection.settings_dict["NAME"])
        return not name.exists() or name.stat().st_size == 0
    return "django_migrations" not in connection.introspection.table_names()


def target_check(opened: OpenedBackup) -> None:
    """Refuse to restore over an instance: a database with tables, any stored object, a
    checkpoint file, or a different key where the backup's key goes."""
    problems = []
    if not _database_empty():
        problems.append("die Datenbank ist nicht leer")
    blobs = Path(settings.BLOB_DIR)
    if blobs.exists() and any(blobs.glob("??/??/*")):
        problems.append("der Objektspeicher ist nicht leer")
    if (Path(settings.CHECKPOINT_DIR) / CHECKPOINT_FILE).exists():
        problems.append("es gibt schon eine Checkpoint-Datei")
    for entry in opened.manifest["files"]:
        if entry["role"].startswith("audit_"):
            path = _target_paths(entry)
            if path.exists() and crypto.sha256_of(path) != entry["sha256"]:
                problems.append("am Ort des Signaturschlüssels liegt ein anderer Schlüssel")
    if problems:
        raise BackupRefused("Wiederhergestellt wird nur in ein leeres Datenverzeichnis: "
                            + "; ".join(problems) + ".", code="BACKUP_TARGET_NOT_EMPTY")


def _open_into(opened: OpenedBackup, entry: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_name(f".{target.name}.restore")
    temporary.unlink(missing_ok=True)
    digest = crypto.open_file(opened.key, entry["id"], opened.root / "files" / entry["id"],
                              temporary)
    if digest != entry["sha256"]:
        temporary.unlink()
        raise BackupRefused(f"Datei {entry['id']} passt nicht zum Verzeichnis der Sicherung.",
                            code="BACKUP_DAMAGED")
    os.chmod(temporary, 0o400 if entry["role"] == "blob" else 0o600)
    os.replace(temporary, target)


def _restore_database(opened: OpenedBackup, entry: dict) -> None:
    work = Path(settings.WORK_DIR)
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix="restore-", dir=work))
    try:
        copy = staging / "database"
        _open_into(opened, entry, copy)
        connection.close()
        if entry["path"] == "sqlite":
            if not is_sqlite():
                raise BackupRefused("Die Sicherung enthält eine SQLite-Datenbank, das Ziel ist "
                                    "PostgreSQL.", code="BACKUP_TARGET_NOT_EMPTY")
            source, target = sqlite3.connect(copy), sqlite3.connect(
                connection.settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            return
        if is_sqlite():
            raise BackupRefused("Die Sicherung enthält eine PostgreSQL-Datenbank, das Ziel ist "
                                "SQLite.", code="BACKUP_TARGET_NOT_EMPTY")
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                               f"--dbname={pg_url()}", str(copy)], capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupRefused(f"pg_restore ist fehlgeschlagen: {done.stderr.strip()[-500:]}",
                                code="BACKUP_TOOL_FAILED")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _merge_journals(opened: OpenedBackup, surviving: list[Path]) -> None:
    """The backup's journal and the surviving ones (the target's, `--journal`), merged by
    their lines (a surviving journal continues the backup's, so it is usually the result)."""
    texts: list[str] = []
    for entry in opened.manifest["files"]:
        if entry["role"] == "journal":
            staging = Path(tempfile.mkdtemp(dir=settings.WORK_DIR))
            try:
                _open_into(opened, entry, staging / "journal")
                texts.append((staging / "journal").read_text())
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    texts += [path.read_text() for path in surviving if path.exists()]
    lines: list[str] = []
    for text in texts:
        for line in text.splitlines():
            if line and line not in lines:
                lines.append(line)
    if not lines:
        return
    target = journal_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_suffix(".restore")
    temporary.write_text("".join(f"{line}\n" for line in lines))
    os.replace(temporary, target)


def _matches(case_file_id: int, entry: dict, problems: list[str]) -> bool:
    """Whether the restored case file is the one the journal line destroyed: its documents
    and their stored objects must all be named in the line. Otherwise (a journal of another
    instance, a document moved out of the file after the backup) nothing is destroyed and the
    officer is told."""
    documents = set(Document.objects.filter(case_file_id=case_file_id)
                    .values_list("pk", flat=True))
    blobs = {h for row in Version.objects.filter(document__in=documents)
             .values_list(*Version.BLOB_FIELDS) for h in row if h}
    if documents <= set(entry["documents"]) and blobs <= set(entry["blobs"]):
        return True
    problems.append(f"case file {case_file_id} does not match the destruction journal of "
                    f"{entry['at']}: not destroyed again, please decide")
    return False


def destructions_replay() -> Replay:
    """Destroy again what the journal says was destroyed and the restored database still
    holds, through the kernel's destruction path, as the system ("restore")."""
    replay = Replay()
    entries, replay.problems = journal_read(journal_path())
    actor = system_actor(name="restore")
    for entry in entries:
        alive = [pk for pk in CaseFile.objects.filter(
            pk__in=entry["case_files"], destroyed_at__isnull=True).values_list("pk", flat=True)
            if _matches(pk, entry, replay.problems)]
        if alive:
            residuals = case_files_destroy(
                case_file_ids=alive, actor=actor, replay=True,
                approval={"list": f"journal {entry['at']}", "proposed_by": "journal",
                          "approved_by": "restore"})
            replay.case_files += [{"id": r["id"], "file_reference": r["file_reference"],
                                   "destroyed_at": entry["at"]}
                                  for r in residuals["case_files"]]
            replay.documents += [r["id"] for r in residuals["documents"]]
    destruction_finish()
    # Objects the journal names that the restored store still holds and no version uses.
    named = {h for entry in entries for h in entry["blobs"]}
    live = {h for row in Version.objects.values_list(*Version.BLOB_FIELDS) for h in row if h}
    for sha256 in sorted(named - live):
        path = blob_path(sha256)
        if path.exists():
            path.unlink()
            replay.blobs_removed += 1
    return replay


def backup_restore(*, root: Path, journals: list[Path]) -> dict:
    """Check the backup and the target, put every file in place, re-apply the journaled
    destructions. Returns the manifest; the caller migrates and then calls
    `destructions_replay`."""
    opened = backup_open(root)
    target_check(opened)
    surviving = [journal_path(), *journals]
    # Read the surviving journals before anything is written over them.
    kept = [(path, path.read_text()) for path in surviving if path.exists()]
    order = {"database": 0, "checkpoints": 1}
    for entry in sorted(opened.manifest["files"], key=lambda e: order.get(e["role"], 2)):
        if entry["role"] == "database":
            _restore_database(opened, entry)
        elif entry["role"] == "journal":
            continue
        else:
            target = _target_paths(entry)
            if target is None:
                continue
            if entry["role"].startswith("audit_") and target.exists():
                continue  # the same key, checked above
            if entry["role"] == "data" and entry["path"] == "secret_key" and os.environ.get(
                    "REGISTRATUR_SECRET_KEY"):
                continue
            _open_into(opened, entry, target)
    work = Path(settings.WORK_DIR)
    copies = []
    for number, (_path, text) in enumerate(kept):
        copy = work / f"journal-{number}.jsonl"
        copy.write_text(text)
        copies.append(copy)
    try:
        _merge_journals(opened, copies)
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)
    anchor_restore()
    return opened.manifest
