"""The backup drill: back up a running instance while ingest is in progress, restore it into
an empty data directory with the real `registratur` command, and check what an auditor would:
the trail verifies, fixity is clean, search finds every document, ids and hashes are the same.
A destruction after the backup is carried out again on restore and named in the report; a
damaged, incomplete or foreign backup is refused with its code before anything is written."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from archive.actors import actor_for_user, system_actor
from archive.blobstore import blob_path, blob_put_bytes
from archive.models import CaseFile, Document, PayloadKey, Version
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy
from archive.timestamps import TOKENS_FILE
from ingest.models import IngestJob
from tests.archive.tsa import tsa_start
from tests.conftest import registratur_env, sqlite_only, user, wait_for
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letters import Letter, render_letter

pytestmark = [pytest.mark.e2e, sqlite_only]
PASSPHRASE = "korrekt pferd batterie heftklammer"
WORD = "Heizkostenabrechnung"  # in every letter below


def _run(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "config.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def _source_env(tmp_path: Path) -> dict:
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    return {**registratur_env(), "REGISTRATUR_BACKUP_PASSPHRASE_FILE": str(secret)}


def _fresh_env(tmp_path: Path, name: str, passphrase: str = PASSPHRASE) -> dict:
    """A new machine: its own data directory, database, checkpoints and key location."""
    root = tmp_path / name
    env = registratur_env()
    for variable in ("REGISTRATUR_DATABASE_URL", "REGISTRATUR_CHECKPOINT_DIR",
                     "REGISTRATUR_AUDIT_PUBLIC_KEY_FILE", "REGISTRATUR_BACKUP_PASSPHRASE_FILE"):
        env.pop(variable, None)
    secret = tmp_path / f"{name}-passphrase"
    secret.write_text(passphrase)
    env.update({"REGISTRATUR_DATA_DIR": str(root / "data"),
                "REGISTRATUR_AUDIT_KEY_FILE": str(root / "keys" / "audit.pem"),
                "REGISTRATUR_BACKUP_PASSPHRASE_FILE": str(secret)})
    return env


def _documents(database: Path) -> dict[int, list[tuple]]:
    """Every live document of a database file with its versions' hashes, read without Django."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = db.execute(
            f"SELECT d.id, v.number, {', '.join('v.' + f for f in Version.BLOB_FIELDS)} "
            f"FROM {Document._meta.db_table} d JOIN {Version._meta.db_table} v "
            f"ON v.document_id = d.id WHERE d.destroyed_at IS NULL ORDER BY d.id, v.number")
        found: dict[int, list[tuple]] = {}
        for document, *version in rows:
            found.setdefault(document, []).append(tuple(version))
        return found
    finally:
        db.close()


def _live_documents() -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    for version in Version.objects.filter(document__destroyed_at__isnull=True).order_by(
            "document_id", "number"):
        found.setdefault(version.document_id, []).append(
            (version.number, *(getattr(version, f) for f in Version.BLOB_FIELDS)))
    return found


def _receive(path: Path):
    from ingest.jobs import job_receive

    return job_receive(path=path, original_name=path.name, source="test")


def _wait_all_finished(jobs, instance):
    def finished():
        return all(IngestJob.objects.get(pk=job.pk).is_terminal for job in jobs)

    wait_for(finished, timeout=480, interval=1, what="all ingest jobs to finish")
    states = {IngestJob.objects.get(pk=job.pk).state for job in jobs}
    assert states == {"filed"}, (states, instance.log("worker"))


def test_backup_while_ingesting_restores_identically_and_destroys_again(demo_tx, instance,
                                                                         tmp_path):
    a = demo_tx["A"]
    # A second file of unit A, destroyed after the backup (B's schedule awaits the archive).
    b = case_file_create(plan_unit=a.plan_unit, unit=a.unit, actor=system_actor(name="test"),
                         title="Erledigter Fall", subject_name="Erika Beispiel",
                         subject_birth_date=date(1971, 3, 2), client_number="K-200001")
    first = [_receive(born_digital_pdf(tmp_path / f"vorab-{n}.pdf", [
        f"Aktenzeichen {a.file_reference}", f"{WORD} Nummer {n}", "Mit freundlichen Grüßen"]))
        for n in range(3)]
    doomed = _receive(born_digital_pdf(tmp_path / "b.pdf", [
        f"Aktenzeichen {b.file_reference}", f"{WORD} Grundsicherung Vernichtungsprobe"]))
    _wait_all_finished([*first, doomed], instance)
    before = _live_documents()
    assert len(before) == 4

    # Ingest in progress: scanned letters that need OCR, queued just before the backup.
    running = [_receive(render_letter(tmp_path / f"scan-{n}.pdf",
                                      Letter(file_reference=a.file_reference), seed=n))
               for n in range(2)]
    env = _source_env(tmp_path)
    out = tmp_path / "backup"
    wait_for(lambda: IngestJob.objects.filter(pk__in=[j.pk for j in running],
                                              state="running").exists(),
             timeout=120, what="ingest to be under way")
    done = _run(env, "backup", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    unfinished = [job.pk for job in running if not IngestJob.objects.get(pk=job.pk).is_terminal]
    assert unfinished, "the backup should have run while ingest was in progress"
    assert summary["database"] == "sqlite" and summary["blobs"] >= 6
    # Encrypted: no document's text or PDF header is readable in the backup.
    for path in (out / "files").iterdir():
        data = path.read_bytes()
        # Every PDF begins "%PDF-". Four given bytes occur about once in 4 GiB of random
        # bytes, so the megabytes of ciphertext held "%PDF" now and then (once in CI).
        assert b"%PDF-" not in data and WORD.encode() not in data and b"SQLite" not in data

    _wait_all_finished(running, instance)
    # After the backup: the officer destroys case file B (after four-eyes review).
    doomed_document = Document.objects.get(case_file=b)
    doomed_blobs = {h for h in Version.objects.filter(document=doomed_document)
                    .values_list(*Version.BLOB_FIELDS)[0] if h}
    # Its trail entries are sealed under its key, which the backup holds.
    key_scope = f"document:{doomed_document.pk}"
    assert PayloadKey.objects.filter(scope=key_scope).exists()
    case_files_destroy(case_file_ids=[b.pk], actor=actor_for_user(user("datenschutz")),
                       approval={"list": "drill", "proposed_by": "datenschutz",
                                 "approved_by": "admin"})
    wait_for(lambda: not any(blob_path(h).exists() for h in doomed_blobs), timeout=30,
             what="the destroyed objects to go")
    after = _live_documents()
    journal = Path(settings.CHECKPOINT_DIR) / "destructions.jsonl"
    assert str(b.pk) in journal.read_text() and "Vernichtungsprobe" not in journal.read_text()

    fresh = _fresh_env(tmp_path, "new-machine")
    restored = _run(fresh, "restore", str(out), "--journal", str(journal), "--json")
    assert restored.returncode == 0, restored.stderr + restored.stdout
    report = json.loads(restored.stdout.strip().splitlines()[-1])
    assert report["audit_verify"] == "ok" and report["fixity"] == []
    assert [c["id"] for c in report["redestroyed"]["case_files"]] == [b.pk]
    assert report["redestroyed"]["case_files"][0]["file_reference"] == b.file_reference
    assert report["redestroyed"]["documents"] == [doomed_document.pk]

    new_data = Path(fresh["REGISTRATUR_DATA_DIR"])
    documents = _documents(new_data / "registratur.sqlite3")
    # Ids and hashes: every document filed before the backup, byte for byte the same
    # versions; whatever else came back was filed while the backup ran, also unchanged.
    expected = {doc: versions for doc, versions in before.items() if doc != doomed_document.pk}
    assert {doc: documents[doc] for doc in expected if doc in documents} == expected
    assert set(documents) <= set(after) and set(expected) <= set(documents)
    assert all(documents[doc] == after[doc] for doc in documents)
    assert doomed_document.pk not in documents
    # The restore shredded the key again: the backup's copy of it does not come back.
    with sqlite3.connect(new_data / "registratur.sqlite3") as restored_db:
        scopes = {row[0] for row in restored_db.execute("SELECT scope FROM archive_payloadkey")}
    assert key_scope not in scopes and scopes
    for versions in documents.values():
        for hashes in versions:
            assert all(blob_path(h).exists() for h in hashes[1:] if h)
    assert not any((new_data / "blobs" / h[:2] / h[2:4] / h).exists() for h in doomed_blobs)

    verify = _run(fresh, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    fixity = _run(fresh, "audit", "fixity")
    assert fixity.returncode == 0, fixity.stderr
    found = _run(fresh, "search", WORD, "--user", "sachbearbeitung-a", "--json", "--limit", "50")
    assert found.returncode == 0, found.stderr
    hits = {hit["document"] for hit in json.loads(found.stdout.strip().splitlines()[-1])["results"]}
    assert hits == set(documents)
    # Unit B's caseworker finds nothing of unit A's, and nothing of the destroyed file.
    other = _run(fresh, "search", WORD, "--user", "sachbearbeitung-b", "--json")
    assert json.loads(other.stdout.strip().splitlines()[-1])["count"] == 0
    # Restoring over the restored instance is refused.
    again = _run(fresh, "restore", str(out))
    assert again.returncode == 10 and "BACKUP_TARGET_NOT_EMPTY" in again.stderr


@pytest.fixture
def small_backup(demo_tx, tmp_path):
    """A backup of the demo instance with one stored object, written by the real command."""
    blob_put_bytes(b"ein gespeichertes Objekt fuer die Sicherung")
    out = tmp_path / "backup"
    done = _run(_source_env(tmp_path), "backup", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    return out


def _refused(tmp_path: Path, backup: Path, name: str, passphrase: str = PASSPHRASE) -> str:
    fresh = _fresh_env(tmp_path, name, passphrase)
    done = _run(fresh, "restore", str(backup))
    assert done.returncode == 10, (done.stdout, done.stderr)
    data = Path(fresh["REGISTRATUR_DATA_DIR"])
    assert not (data / "registratur.sqlite3").exists() or not (
        data / "registratur.sqlite3").stat().st_size
    assert not list((data / "blobs").glob("??/??/*")) if (data / "blobs").exists() else True
    return done.stderr.strip().splitlines()[-1].split(":")[0]


def _copy(backup: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(backup, tmp_path / name))


def _sealed_blob(backup: Path, passphrase: str = PASSPHRASE) -> Path:
    """The largest sealed file: a stored object or the database."""
    return max((backup / "files").iterdir(), key=lambda p: p.stat().st_size)


def test_a_damaged_or_incomplete_backup_is_refused_with_its_code(small_backup, tmp_path):
    flipped = _copy(small_backup, tmp_path, "flipped")
    target = _sealed_blob(flipped)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    assert _refused(tmp_path, flipped, "t-flipped") == "BACKUP_DAMAGED"

    missing = _copy(small_backup, tmp_path, "missing")
    _sealed_blob(missing).unlink()
    assert _refused(tmp_path, missing, "t-missing") == "BACKUP_INCOMPLETE"

    cut = _copy(small_backup, tmp_path, "cut")
    target = _sealed_blob(cut)
    target.write_bytes(target.read_bytes()[:-100])
    assert _refused(tmp_path, cut, "t-cut") == "BACKUP_INCOMPLETE"

    unfinished = _copy(small_backup, tmp_path, "unfinished")
    (unfinished / "manifest.enc").unlink()
    assert _refused(tmp_path, unfinished, "t-unfinished") == "BACKUP_INCOMPLETE"

    forged = _copy(small_backup, tmp_path, "forged")
    manifest = bytearray((forged / "manifest.enc").read_bytes())
    manifest[-20] ^= 0x01
    (forged / "manifest.enc").write_bytes(bytes(manifest))
    assert _refused(tmp_path, forged, "t-forged") == "BACKUP_DAMAGED"

    assert _refused(tmp_path, small_backup, "t-key", passphrase="falsche passphrase!") == (
        "BACKUP_KEY_WRONG")


def test_the_untouched_backup_restores_and_a_second_restore_is_refused(small_backup, tmp_path):
    fresh = _fresh_env(tmp_path, "machine")
    done = _run(fresh, "restore", str(small_backup), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["case_files"] == CaseFile.objects.count()
    assert report["audit_verify"] == "ok" and report["redestroyed"]["case_files"] == []
    again = _run(fresh, "restore", str(small_backup))
    assert again.returncode == 10 and again.stderr.startswith("BACKUP_TARGET_NOT_EMPTY")


def test_checkpoint_timestamps_travel_with_the_backup(demo_tx, tmp_path):
    """The RFC 3161 tokens of the checkpoints are evidence about the checkpoint file: a
    restored instance has them and `audit verify` checks them (issue 14.9)."""
    authority, server = tsa_start(tmp_path / "tsa")
    stamping = {"REGISTRATUR_TSA_URL": authority.url,
                "REGISTRATUR_TSA_CA_FILE": str(authority.ca_file)}
    try:
        source = {**_source_env(tmp_path), **stamping}
        assert _run(source, "audit", "checkpoint").returncode == 0
        out = tmp_path / "stamped-backup"
        done = _run(source, "backup", "--out", str(out), "--json")
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    fresh = {**_fresh_env(tmp_path, "stamped"), "REGISTRATUR_TSA_CA_FILE": stamping[
        "REGISTRATUR_TSA_CA_FILE"]}
    done = _run(fresh, "restore", str(out), "--json")
    assert done.returncode == 0, done.stderr
    tokens = Path(fresh["REGISTRATUR_DATA_DIR"]) / "checkpoints" / TOKENS_FILE
    assert tokens.exists()
    verified = _run(fresh, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "carry a valid RFC 3161 timestamp" in verified.stdout


def test_backup_needs_a_passphrase_and_an_empty_directory(demo_tx, tmp_path):
    env = registratur_env()
    env.pop("REGISTRATUR_BACKUP_PASSPHRASE_FILE", None)
    env.pop("REGISTRATUR_BACKUP_PASSPHRASE", None)
    done = _run(env, "backup", "--out", str(tmp_path / "x"))
    assert done.returncode == 10 and done.stderr.startswith("BACKUP_PASSPHRASE_MISSING")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("x")
    done = _run(_source_env(tmp_path), "backup", "--out", str(occupied))
    assert done.returncode == 10 and done.stderr.startswith("BACKUP_OUT_NOT_EMPTY")
    assert os.listdir(occupied) == ["something"]


def test_a_backup_taken_after_log_retention_restores_and_verifies(demo_tx, tmp_path):
    """Log retention (issue 14.2) leaves gaps that a signed removal entry explains; a backup
    taken afterwards carries both, and the restored instance verifies."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from archive.models import Event
    from archive.services.events import event_append

    # Its own checkpoints: the worker's default folder holds earlier tests' checkpoints of
    # entries their flushed databases no longer have.
    source = {**_source_env(tmp_path), "REGISTRATUR_CHECKPOINT_DIR": str(tmp_path / "marks")}
    old = datetime.combine(timezone.localdate() - timedelta(days=400), time(12),
                           tzinfo=timezone.get_current_timezone())
    for number in range(3):
        event_append(action="viewed", object_type="document", object_id=900 + number,
                     actor="sachbearbeitung-a", purpose="Vertretung", at=old)
    assert _run(source, "audit", "checkpoint").returncode == 0
    event_append(action="viewed", object_type="document", object_id=999, actor="x")
    assert _run(source, "audit", "checkpoint").returncode == 0
    pruned = _run({**source, "REGISTRATUR_TRAIL_KEEP_ACCESS_DAYS": "30"}, "audit", "prune")
    assert pruned.returncode == 0, pruned.stderr
    assert not Event.objects.filter(object_id="900").exists()
    assert Event.objects.filter(action="trail_segment_removed").exists()

    out = tmp_path / "pruned-backup"
    done = _run(source, "backup", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    fresh = _fresh_env(tmp_path, "pruned")
    done = _run(fresh, "restore", str(out), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["audit_verify"] == "ok"
    verified = _run(fresh, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
