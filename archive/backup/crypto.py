"""Sealing the files of a backup. Each file is AES-256-GCM in chunks of 1 MiB (the STREAM
construction): the nonce is a random per-file prefix plus the chunk number, and the
associated data names the file, the chunk and whether it is the last one, so a chunk cannot
be swapped, reordered, moved to another file or cut off without failing authentication. The
key comes from the operator's passphrase through scrypt with a random salt kept in the
backup's header; a key check (HMAC) in the header tells a wrong passphrase from damage.

The `cryptography` library is a dependency already (the audit checkpoints' Ed25519): no new
package, no external `age` binary on the restore machine."""
import hashlib
import hmac
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import BackupRefused

CHUNK = 1024 * 1024
TAG = 16
PREFIX = 8
MAGIC = b"RGBK1\n"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


def key_derive(passphrase: bytes, salt: bytes, params: dict | None = None) -> bytes:
    params = params or SCRYPT
    return Scrypt(salt=salt, length=32, n=int(params["n"]), r=int(params["r"]),
                  p=int(params["p"])).derive(passphrase)


def key_check(key: bytes) -> str:
    return hmac.new(key, b"registratur-backup-key-check", hashlib.sha256).hexdigest()


def _aad(name: str, index: int, last: bool) -> bytes:
    return f"{name}\n{index}\n{int(last)}".encode()


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def seal_file(key: bytes, name: str, source: Path, target: Path) -> dict:
    """Encrypt `source` into `target`; returns sizes and SHA-256 of plain and sealed bytes."""
    aead = AESGCM(key)
    prefix = os.urandom(PREFIX)
    plain_hash, sealed_hash = hashlib.sha256(), hashlib.sha256()
    size = 0
    with open(source, "rb") as reader, open(target, "xb") as writer:
        head = MAGIC + prefix
        writer.write(head)
        sealed_hash.update(head)
        chunk = reader.read(CHUNK)
        index = 0
        while True:
            following = reader.read(CHUNK) if len(chunk) == CHUNK else b""
            last = not following
            plain_hash.update(chunk)
            size += len(chunk)
            sealed = aead.encrypt(_nonce(prefix, index), chunk, _aad(name, index, last))
            writer.write(sealed)
            sealed_hash.update(sealed)
            if last:
                break
            chunk, index = following, index + 1
        writer.flush()
        os.fsync(writer.fileno())
    return {"size": size, "sha256": plain_hash.hexdigest(), "sealed_size": target.stat().st_size,
            "sealed_sha256": sealed_hash.hexdigest()}


def seal_bytes(key: bytes, name: str, data: bytes) -> bytes:
    prefix = os.urandom(PREFIX)
    return MAGIC + prefix + AESGCM(key).encrypt(_nonce(prefix, 0), data, _aad(name, 0, True))


def open_bytes(key: bytes, name: str, sealed: bytes) -> bytes:
    if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + PREFIX + TAG:
        raise BackupRefused(f"{name} ist beschädigt.", code="BACKUP_DAMAGED")
    prefix = sealed[len(MAGIC):len(MAGIC) + PREFIX]
    try:
        return AESGCM(key).decrypt(_nonce(prefix, 0), sealed[len(MAGIC) + PREFIX:],
                                   _aad(name, 0, True))
    except InvalidTag:
        raise BackupRefused(f"{name} ist beschädigt oder verändert.",
                            code="BACKUP_DAMAGED") from None


def open_file(key: bytes, name: str, source: Path, target: Path) -> str:
    """Decrypt `source` into `target` (created new); returns the SHA-256 of the plain bytes.
    Any change, reordering or cut raises BACKUP_DAMAGED."""
    aead = AESGCM(key)
    digest = hashlib.sha256()
    damaged = BackupRefused(f"Die Datei {name} der Sicherung ist beschädigt oder verändert.",
                            code="BACKUP_DAMAGED")
    with open(source, "rb") as reader, open(target, "xb") as writer:
        head = reader.read(len(MAGIC) + PREFIX)
        if len(head) != len(MAGIC) + PREFIX or not head.startswith(MAGIC):
            raise damaged
        prefix = head[len(MAGIC):]
        chunk = reader.read(CHUNK + TAG)
        index = 0
        while True:
            following = reader.read(CHUNK + TAG) if len(chunk) == CHUNK + TAG else b""
            last = not following
            try:
                plain = aead.decrypt(_nonce(prefix, index), chunk, _aad(name, index, last))
            except InvalidTag:
                raise damaged from None
            digest.update(plain)
            writer.write(plain)
            if last:
                break
            chunk, index = following, index + 1
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
