"""The destruction journal: one line per destruction, appended beside the checkpoints,
outside the database. A backup restored after a destruction would bring the destroyed files
back; `registratur restore` reads this journal and destroys them again
(`archive/backup/rebuild.py`).

A line holds ids and hashes only (case file and document ids, blob hashes, the time and the
event sequence numbers), nothing personal: the journal outlives the data it names and may sit
on storage the officer cannot clean. Each line names the SHA-256 of the line before it, so a
removed or changed line is noticed when the journal is read."""
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .filelocks import exclusive

FILE_NAME = "destructions.jsonl"
GENESIS = "0" * 64


def journal_path() -> Path:
    return Path(settings.CHECKPOINT_DIR) / FILE_NAME


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


def journal_append(*, case_file_ids: list[int], document_ids: list[int],
                   blobs: list[str]) -> None:
    """Append one destruction, fsynced, under the same kind of lock as the checkpoints."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a+b") as handle, exclusive(handle, FILE_NAME):  # one writer, all hosts
        handle.seek(0)
        lines = handle.read().decode().splitlines()
        prev = _line_hash(lines[-1]) if lines else GENESIS
        line = json.dumps({"at": timezone.now().isoformat(), "case_files": sorted(case_file_ids),
                           "documents": sorted(document_ids), "blobs": sorted(blobs),
                           "prev": prev}, sort_keys=True, separators=(",", ":"))
        handle.seek(0, os.SEEK_END)
        handle.write(line.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def journal_read(path: Path) -> tuple[list[dict], list[str]]:
    """The entries of a journal file and the problems found in it (a broken link, an
    unreadable line). An unreadable line is skipped, a broken link is reported: both are
    still evidence that something was destroyed."""
    if not path.exists():
        return [], []
    entries, problems = [], []
    prev = GENESIS
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        try:
            entry = json.loads(text)
            entry = {"at": str(entry["at"]), "prev": str(entry["prev"]),
                     "case_files": [int(i) for i in entry["case_files"]],
                     "documents": [int(i) for i in entry["documents"]],
                     "blobs": [str(h) for h in entry["blobs"]]}
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {number} of the destruction journal is unreadable")
            prev = _line_hash(text)
            continue
        if entry["prev"] != prev:
            problems.append(f"line {number} of the destruction journal does not follow the "
                            f"line before it")
        entries.append(entry)
        prev = _line_hash(text)
    return entries, problems
