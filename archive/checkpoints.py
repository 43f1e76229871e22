"""Signed checkpoints of the event chain, written outside the database.

Threat model. The event log is hash-chained, but whoever can write the database can recompute
the chain after changing, removing or inserting entries: the chain alone proves nothing
against them. A checkpoint signs the chain head with an Ed25519 key and lists a short digest
of every entry since the previous checkpoint, so a rewritten log no longer matches what was
signed, and `audit verify` names the first entry that differs. What each party can do:

- Someone with the database only (a database administrator, a restored or edited backup, an
  SQL injection): changes of any kind are caught, because the checkpoint file is elsewhere
  and the key is not theirs. Resetting the chain head after cutting the newest entries is
  caught by the newest checkpoint that covers them.
- Someone with the data directory (the SQLite database *and*, by default, the checkpoint
  directory): deleting, shortening or replacing the checkpoint file is caught three ways.
  Every line names the hash of the line before it (a removed or changed line breaks the link
  of the next one) and carries its number; the database records how many checkpoints were
  written and the hash of the last line (`AuditState`); and an anchor file beside the signing
  key, outside the data directory, records the same. Re-signing a rewritten log with a key of
  their own fails against the trusted public key, which the operator can keep where the
  server cannot write (`REGISTRATUR_AUDIT_PUBLIC_KEY_FILE`).
- Someone with the signing key and its directory as well (the server's own account): they
  can sign whatever they like. Only copies held elsewhere help against them: the checkpoint
  lines are also written to the log system (syslog/journald, "audit checkpoint ..."), the
  operator can keep the checkpoint directory on append-only storage (`chattr +a`, WORM), and
  a trusted timestamp of each checkpoint (RFC 3161, archive/timestamps.py) binds its line to
  a time from an outside authority, when one is configured.

Entries newer than the last checkpoint (at most the checkpoint interval, ten minutes) are
protected by the chain and the append-only triggers only: someone with the database can cut
them and reset the chain head before the next checkpoint signs them.

Log retention (archive/services/log_retention.py) removes expired entries from signed
segments only; the removal is itself an entry listing each removed run with the hash of its
last entry, and verification accepts a gap only where such an entry, signed by a later
checkpoint, records it and the hash matches what the segment's checkpoint signed.

Copying an old data directory back rolls the log back; verification then fails against the
anchor and the newer checkpoints, which is correct: entries were lost. `registratur restore`
(archive/backup) restores the checkpoint file that matches its database, resets the anchor to
it and records the restore in the trail: the operator's deliberate return to that state.
"""
import base64
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone

from . import timestamps
from .chain import chain_digests
from .errors import IntegrityFailure
from .filelocks import exclusive
from .models import AuditState, ChainHead

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Hex characters kept per entry: enough to locate the first rewritten entry (detection rests
# on the full head hash, which is signed too), small enough for a million entries in 16 MB.
DIGEST_CHARS = 16
FILE_NAME = "chain-checkpoints.jsonl"


def line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    number: int  # position in the file, from 1
    seq: int  # the chain head it signs
    hash: str
    at: str
    prev: str  # hash of the previous line, GENESIS for the first
    first_seq: int  # `entries` holds a digest of each entry first_seq..seq
    entries: str
    signature: str = ""
    line_hash: str = field(default="", compare=False)
    legacy: bool = False  # a line of the first format: head only, no link, no digests

    def signed(self) -> dict:
        return {"number": self.number, "seq": self.seq, "hash": self.hash, "at": self.at,
                "prev": self.prev, "first_seq": self.first_seq, "entries": self.entries}

    @property
    def message(self) -> bytes:
        if self.legacy:
            return f"registratur-checkpoint:{self.seq}:{self.hash}:{self.at}".encode()
        body = json.dumps(self.signed(), sort_keys=True, separators=(",", ":"))
        return b"registratur-checkpoint-v2:" + body.encode()

    def digest(self, seq: int) -> str | None:
        """The recorded digest of entry `seq`, if this checkpoint lists it."""
        if self.legacy or not self.first_seq <= seq <= self.seq:
            return None
        start = (seq - self.first_seq) * DIGEST_CHARS
        return self.entries[start:start + DIGEST_CHARS]

    def line(self) -> str:
        return json.dumps({**self.signed(), "signature": self.signature}, sort_keys=True,
                          separators=(",", ":"))


def _parse(line: str, number: int) -> Checkpoint:
    raw = json.loads(line)
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    if "number" not in raw:  # the first format
        return Checkpoint(number=number, seq=int(raw["seq"]), hash=str(raw["hash"]),
                          at=str(raw["at"]), prev="", first_seq=int(raw["seq"]) + 1,
                          entries="", signature=str(raw["signature"]),
                          line_hash=line_hash(line), legacy=True)
    return Checkpoint(number=int(raw["number"]), seq=int(raw["seq"]), hash=str(raw["hash"]),
                      at=str(raw["at"]), prev=str(raw["prev"]), first_seq=int(raw["first_seq"]),
                      entries=str(raw["entries"]), signature=str(raw["signature"]),
                      line_hash=line_hash(line))


# --- keys ---------------------------------------------------------------------------------

def _key_path() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def _public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _legacy_key_move(path: Path) -> None:
    """Until now the key sat in DATA_DIR/keys; move it to the configured place so that the
    checkpoints it signed stay valid. It was exposed there: rotate it when you can."""
    legacy = Path(settings.DATA_DIR) / "keys" / "audit.pem"
    if path.exists() or not legacy.exists() or legacy.resolve() == path.resolve():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.move(legacy, path)
    if legacy.with_suffix(".pub").exists():
        shutil.move(legacy.with_suffix(".pub"), path.with_suffix(".pub"))
    log.warning("audit signing key moved out of the data directory to %s", path)


def _private_key() -> Ed25519PrivateKey:
    path = _key_path()
    _legacy_key_move(path)
    if not path.exists():
        if _log_path().exists() and _log_path().stat().st_size:
            # Checkpoints were signed already, with a key this host lacks: in multi-host mode
            # the one key is copied to every host. A new key here would sign lines that fail
            # verification everywhere else.
            raise IntegrityFailure("The audit signing key is missing on this host, but "
                                   "checkpoints were signed with one: copy that key here.",
                                   code="AUDIT_KEY_MISSING")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process was quicker
            return _private_key()
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        path.with_suffix(".pub").write_bytes(_public_pem(key))
        log.info("audit signing key created at %s", path)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_pem() -> str:
    """The public half of the signing key (created if there is none yet), for the operator to
    keep where the server cannot write and to name in REGISTRATUR_AUDIT_PUBLIC_KEY_FILE."""
    return _public_pem(_private_key()).decode()


def _trusted_public_key() -> Ed25519PublicKey | None:
    """The key checkpoints must be signed with: the pinned public key file, or else the one
    the signing key implies. None when neither exists."""
    _legacy_key_move(_key_path())
    pinned = Path(settings.AUDIT_PUBLIC_KEY_FILE)
    if not pinned.exists() and pinned != _key_path().with_suffix(".pub"):
        # Named by the operator but not there (an unmounted share?): trusting the server's
        # own key instead would defeat the pinning.
        raise IntegrityFailure("The trusted audit public key file is missing.",
                               code="AUDIT_PUBLIC_KEY_MISSING")
    if pinned.exists():
        key = serialization.load_pem_public_key(pinned.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise IntegrityFailure("The trusted audit public key is not an Ed25519 key.",
                                   code="AUDIT_KEY_INVALID")
        return key
    if _key_path().exists():
        return _private_key().public_key()
    return None


def _signing_key() -> Ed25519PrivateKey:
    """The private key, refused when it does not match the trusted public key: checkpoints it
    signed would fail verification (a swapped key is what an attacker would do)."""
    key = _private_key()
    trusted = _trusted_public_key()
    if trusted is not None and _raw(trusted) != _raw(key.public_key()):
        raise IntegrityFailure("The audit signing key does not match the trusted public key.",
                               code="AUDIT_KEY_MISMATCH")
    return key


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _valid(public: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        public.verify(base64.b64decode(checkpoint.signature), checkpoint.message)
        return True
    except (ValueError, InvalidSignature):
        return False


# --- the checkpoint file and its witnesses ------------------------------------------------

def _log_path() -> Path:
    return Path(settings.CHECKPOINT_DIR) / FILE_NAME


def _anchor_path() -> Path:
    """Beside the key, outside the data directory; one per checkpoint directory, since
    several instances on one host may share the key."""
    instance = hashlib.sha256(str(Path(settings.CHECKPOINT_DIR).resolve()).encode())
    key = _key_path()
    return key.with_name(f"{key.stem}-anchor-{instance.hexdigest()[:16]}.json")


def _anchor_read() -> dict | None:
    try:
        raw = json.loads(_anchor_path().read_text())
        return {"count": int(raw["count"]), "line_hash": str(raw["line_hash"])}
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return {"count": -1, "line_hash": ""}


def _anchor_write(checkpoint: Checkpoint) -> None:
    path = _anchor_path()
    try:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"count": checkpoint.number, "seq": checkpoint.seq,
                                         "line_hash": checkpoint.line_hash}))
        os.replace(temporary, path)
    except OSError as error:  # a read-only key directory: the other witnesses remain
        log.warning("audit checkpoint anchor not written: %s", error)


def _last_line(handle) -> str | None:
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    data = b""
    while position > 0:
        step = min(8192, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
        if b"\n" in data.rstrip(b"\n"):
            break
    data = data.rstrip(b"\n")
    return data.rsplit(b"\n", 1)[-1].decode() if data else None


def checkpoint_lines() -> list[tuple[int, str]]:
    """(number, line hash) of every line of the checkpoint file, in order."""
    path = _log_path()
    texts = path.read_text().splitlines() if path.exists() else []
    return [(number, line_hash(text)) for number, text in enumerate(texts, start=1)]


def _timestamps_catch_up() -> None:
    """An RFC 3161 token for every checkpoint line that has none yet (archive/timestamps.py):
    an anchor that not even the key holder controls. A failure leaves the line for the next
    run; the checkpoint itself is already written."""
    if timestamps.tsa_configured():
        timestamps.checkpoints_stamp(checkpoint_lines())


def checkpoint_write() -> Checkpoint | None:
    """Append a checkpoint (`_checkpoint_append`), then timestamp what is not stamped yet."""
    checkpoint = _checkpoint_append()
    _timestamps_catch_up()
    return checkpoint


def _checkpoint_append() -> Checkpoint | None:
    """Sign the chain head and the digests of the entries since the last checkpoint, append it
    to the checkpoint file and record it in the database and the anchor. Refuses (raises
    IntegrityFailure) to build on a checkpoint file that lost lines or on a chain that does not
    continue the last checkpoint: signing that would launder the tampering. None when there is
    nothing new to sign."""
    key = _signing_key()
    path = _log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle, exclusive(handle, FILE_NAME):  # one writer, all hosts
        last_text = _last_line(handle)
        previous = _parse(last_text, 1) if last_text else None
        if previous is not None and not _valid(key.public_key(), previous):
            raise IntegrityFailure("The last checkpoint is not validly signed.",
                                   code="CHECKPOINT_FORGED")
        state, _ = AuditState.objects.get_or_create(id=1)
        count = previous.number if previous else 0
        if previous is not None and previous.legacy:  # first-format lines carry no number
            handle.seek(0)
            count = len(handle.read().splitlines())
            previous = Checkpoint(**{**previous.__dict__, "number": count})
        if count < state.checkpoint_count or (
                count == state.checkpoint_count and count
                and previous.line_hash != state.checkpoint_line_hash):
            raise IntegrityFailure("The checkpoint file was shortened or replaced.",
                                   code="CHECKPOINTS_SHORTENED")
        head = ChainHead.objects.filter(id=1).first()
        if head is None or head.seq == 0:
            return None
        after_seq, after_hash = (previous.seq, previous.hash) if previous else (0, GENESIS)
        if head.seq == after_seq and head.hash == after_hash:
            return None
        digests = chain_digests(after_seq=after_seq, after_hash=after_hash, upto=head.seq,
                                chars=DIGEST_CHARS)
        unsigned = Checkpoint(number=count + 1, seq=head.seq, hash=head.hash,
                              at=timezone.now().isoformat(),
                              prev=previous.line_hash if previous else GENESIS,
                              first_seq=after_seq + 1, entries="".join(digests))
        signature = base64.b64encode(key.sign(unsigned.message)).decode()
        text = Checkpoint(**{**unsigned.__dict__, "signature": signature}).line()
        checkpoint = _parse(text, unsigned.number)
        handle.seek(0, os.SEEK_END)
        handle.write(text.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    # The file first: a crash here leaves the file one line ahead, which verification accepts
    # (the line is signed); the other way round would look like a shortened file.
    AuditState.objects.filter(id=1).update(checkpoint_count=checkpoint.number,
                                           checkpoint_seq=checkpoint.seq,
                                           checkpoint_line_hash=checkpoint.line_hash)
    _anchor_write(checkpoint)
    log.info("audit checkpoint %d: entry %d, head %s, line %s", checkpoint.number,
             checkpoint.seq, checkpoint.hash, checkpoint.line_hash)
    return checkpoint


@dataclass
class CheckpointLog:
    checkpoints: list[Checkpoint]  # those validly signed by the trusted key, in file order
    problems: list[str]
    lines: int = 0
    timestamped: int = 0  # checkpoints with a valid RFC 3161 token


def checkpoints_read() -> CheckpointLog:
    """Every checkpoint line, checked: signature against the trusted public key, number and
    link to the line before, and the file as a whole against the database's record and the
    anchor beside the key. Problems are described without paths."""
    path = _log_path()
    texts = path.read_text().splitlines() if path.exists() else []
    result = CheckpointLog([], [], len(texts))
    try:
        public = _trusted_public_key() if texts else None
    except IntegrityFailure as error:
        public = None
        result.problems.append(error.message)
    else:
        if texts and public is None:
            result.problems.append("there is no public key to check the checkpoints against")
    previous_hash = GENESIS
    for number, text in enumerate(texts, start=1):
        try:
            checkpoint = _parse(text, number)
        except (ValueError, KeyError, TypeError):
            result.problems.append(f"checkpoint line {number} is unreadable")
            previous_hash = line_hash(text)
            continue
        if public is not None and not _valid(public, checkpoint):
            result.problems.append(f"checkpoint line {number} is not validly signed "
                                   f"by the trusted key")
        elif not checkpoint.legacy and (checkpoint.number != number
                                        or checkpoint.prev != previous_hash):
            result.problems.append(f"checkpoint line {number} does not follow the line before "
                                   f"it: checkpoints were removed, changed or reordered")
            result.checkpoints.append(checkpoint)  # validly signed, so still evidence
        elif len(checkpoint.entries) != DIGEST_CHARS * max(
                0, checkpoint.seq - checkpoint.first_seq + 1) and not checkpoint.legacy:
            result.problems.append(f"checkpoint line {number} is malformed")
        elif public is not None:
            result.checkpoints.append(checkpoint)
        previous_hash = checkpoint.line_hash
    state = AuditState.objects.filter(id=1).first()
    witnesses = [("the database", state and {"count": state.checkpoint_count,
                                             "line_hash": state.checkpoint_line_hash}),
                 ("the anchor beside the signing key", _anchor_read())]
    for name, record in witnesses:
        if not record or record["count"] == 0:
            continue
        if record["count"] < 0:
            result.problems.append(f"{name} holds an unreadable checkpoint record")
        elif record["count"] > len(texts):
            what = "is missing" if not texts else f"holds only {len(texts)}"
            result.problems.append(f"the checkpoint file {what}, but {name} records that "
                                   f"{record['count']} checkpoints were written: it was "
                                   f"deleted, shortened or replaced")
        elif line_hash(texts[record["count"] - 1]) != record["line_hash"]:
            result.problems.append(f"checkpoint {record['count']} is not the one {name} "
                                   f"recorded: the checkpoint file was replaced")
    problems, result.timestamped = timestamps.checkpoint_tokens_problems(
        [(number, line_hash(text)) for number, text in enumerate(texts, start=1)])
    result.problems += problems
    return result


def checkpoint_file_locked():
    """A context manager holding the checkpoint writer's lock: a backup copies the checkpoint
    file and snapshots the database under it, so that no checkpoint in the copy signs an
    entry the database copy lacks."""
    from contextlib import contextmanager

    @contextmanager
    def locked():
        path = _log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle, exclusive(handle, FILE_NAME):
            yield path
    return locked()


def anchor_restore() -> None:
    """After a restore: the anchor beside the key records the restored checkpoint file, the
    operator's deliberate return to the backup's state (the restore report says so)."""
    path = _log_path()
    if not path.exists():
        return
    texts = path.read_text().splitlines()
    if texts:
        _anchor_write(_parse(texts[-1], len(texts)))
