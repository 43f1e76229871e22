"""Signed checkpoints of the chain head, written outside the database. Whoever rewrites the
database (even the whole log, even truncating its tail) cannot rewrite what was signed here."""
import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone

from .models import ChainHead


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    signature: str

    @property
    def message(self) -> bytes:
        return f"registratur-checkpoint:{self.seq}:{self.hash}:{self.at}".encode()


def _key_path() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def _private_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        path.with_suffix(".pub").write_bytes(public)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _log_path() -> Path:
    return Path(settings.CHECKPOINT_DIR) / "chain-checkpoints.jsonl"


def checkpoint_write() -> Checkpoint | None:
    head = ChainHead.objects.filter(id=1).first()
    if head is None or head.seq == 0:
        return None
    at = timezone.now().isoformat()
    unsigned = Checkpoint(seq=head.seq, hash=head.hash, at=at, signature="")
    signature = base64.b64encode(_private_key().sign(unsigned.message)).decode()
    checkpoint = Checkpoint(seq=head.seq, hash=head.hash, at=at, signature=signature)
    path = _log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(json.dumps(checkpoint.__dict__) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def checkpoints_read() -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints whose signature holds, and a description of each that does not."""
    path = _log_path()
    if not path.exists():
        return [], []
    public_key = _private_key().public_key()
    good, bad = [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            checkpoint = Checkpoint(**json.loads(line))
            public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message)
            good.append(checkpoint)
        except (ValueError, TypeError, InvalidSignature):
            bad.append(f"checkpoint line {number} is not validly signed")
    return good, bad
