"""Content-addressed blob store: an object's name is its SHA-256, objects are written once
(to a temporary file, fsynced, then linked into place) and never overwritten."""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from .errors import IntegrityFailure, NotFound

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def _root() -> Path:
    return Path(settings.BLOB_DIR)


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFound(f"Not a blob name: {sha256!r}")
    return _root() / sha256[:2] / sha256[2:4] / sha256


def blob_exists(sha256: str) -> bool:
    return blob_path(sha256).exists()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def blob_put_stream(stream: BinaryIO) -> StoredBlob:
    """Store the stream's bytes. Storing bytes that are already there is a no-op; an existing
    object is never replaced."""
    staging = _root() / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=staging)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        target = blob_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_name, 0o400)  # read-only, and for the service account alone
        try:
            # link() fails if the target exists: an object is never overwritten.
            os.link(tmp_name, target)
            _fsync_dir(target.parent)
        except FileExistsError:
            if blob_sha256_of_file(target) != sha256:
                raise IntegrityFailure(f"Stored object {sha256} does not match its name.") from None
        return StoredBlob(sha256=sha256, size=size)
    finally:
        os.unlink(tmp_name)


def blob_put_file(path: Path) -> StoredBlob:
    with open(path, "rb") as handle:
        return blob_put_stream(handle)


def blob_put_bytes(data: bytes) -> StoredBlob:
    import io

    return blob_put_stream(io.BytesIO(data))


def blob_open(sha256: str) -> BinaryIO:
    path = blob_path(sha256)
    if not path.exists():
        raise NotFound(f"Blob {sha256} is missing.")
    return open(path, "rb")


def blob_sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
