import hashlib
import os

import pytest

from archive.blobstore import blob_open, blob_path, blob_put_bytes
from archive.errors import IntegrityFailure, NotFound


def test_put_names_the_object_by_its_sha256_and_keeps_bytes(settings, tmp_path):
    settings.BLOB_DIR = tmp_path
    data = "Bescheid über Leistungen – Müller".encode() * 1000
    stored = blob_put_bytes(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with blob_open(stored.sha256) as handle:
        assert handle.read() == data
    assert not os.access(blob_path(stored.sha256), os.W_OK) or os.geteuid() == 0
    assert blob_put_bytes(data) == stored  # same bytes: nothing new


def test_an_existing_object_is_never_overwritten(settings, tmp_path):
    settings.BLOB_DIR = tmp_path
    stored = blob_put_bytes(b"original")
    path = blob_path(stored.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"tampered")
    # Storing the original bytes again must not silently repair or replace the object.
    with pytest.raises(IntegrityFailure):
        blob_put_bytes(b"original")
    assert path.read_bytes() == b"tampered"


def test_missing_object_is_not_found(settings, tmp_path):
    settings.BLOB_DIR = tmp_path
    with pytest.raises(NotFound):
        blob_open("0" * 64)
