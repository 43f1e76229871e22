"""RFC 3161 timestamps of checkpoints and transfer notes (issue 14.9), against a real local
authority built on `openssl ts` (tests/archive/tsa.py)."""
import base64
import hashlib
import json
import subprocess

import pytest

from archive.checkpoints import checkpoint_write
from archive.models import Event
from archive.services.events import event_append, events_verify
from archive.timestamps import (
    TOKENS_FILE,
    checkpoints_stamp,
    token_check,
    token_request,
    transfer_note_problem,
    tsa_status,
)
from tests.archive.tsa import tsa_start


@pytest.fixture(autouse=True)
def trail_dirs(own_trail):
    """Checkpoints and signing key of this test's own trail (tests/conftest.py)."""


@pytest.fixture
def tsa(settings, tmp_path):
    authority, server = tsa_start(tmp_path / "tsa")
    settings.TSA_URL = authority.url
    settings.TSA_CA_FILE = str(authority.ca_file)
    yield authority
    server.shutdown()


def _append(count: int):
    for number in range(count):
        event_append(action="viewed", object_type="document", object_id=number,
                     actor="sachbearbeitung-a", data={"n": number})


def test_token_from_the_authority_verifies_with_openssl_too(tsa, tmp_path):
    digest = hashlib.sha256(b"Kontrollpunkt").digest()
    token = token_request(digest)
    assert token_check(token, digest).ok
    # An independent check of the same token by openssl, not by the code under test.
    (tmp_path / "token.der").write_bytes(token)
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", digest.hex(), "-token_in", "-in",
         str(tmp_path / "token.der"), "-CAfile", str(tsa.ca_file)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_token_for_other_data_or_flipped_byte_fails(tsa):
    digest = hashlib.sha256(b"Kontrollpunkt").digest()
    token = token_request(digest)
    assert not token_check(token, hashlib.sha256(b"anderes").digest()).ok
    # Any byte: the stamped content, the signature, the certificates the token encloses.
    passed = []
    for position in range(3, len(token), 23):
        flipped = bytearray(token)
        flipped[position] ^= 0x01
        if token_check(bytes(flipped), digest).ok:
            passed.append(position)
    assert passed == []


def test_token_of_an_untrusted_authority_fails(tsa, settings, tmp_path):
    digest = hashlib.sha256(b"Kontrollpunkt").digest()
    token = token_request(digest)
    other, server = tsa_start(tmp_path / "other")
    try:
        settings.TSA_CA_FILE = str(other.ca_file)
        check = token_check(token, digest)
    finally:
        server.shutdown()
    assert not check.ok


@pytest.mark.django_db
def test_each_checkpoint_is_stamped_and_audit_verify_checks_it(tsa, settings):
    _append(3)
    checkpoint_write()
    _append(2)
    checkpoint_write()
    tokens = (settings.CHECKPOINT_DIR / TOKENS_FILE).read_text().splitlines()
    assert [json.loads(line)["number"] for line in tokens] == [1, 2]
    result = events_verify()
    assert result.ok, result.reason


@pytest.mark.django_db
def test_a_flipped_byte_in_a_checkpoint_token_fails_verification(tsa, settings):
    _append(3)
    checkpoint_write()
    path = settings.CHECKPOINT_DIR / TOKENS_FILE
    record = json.loads(path.read_text())
    token = bytearray(base64.b64decode(record["token"]))
    token[-40] ^= 0x01
    record["token"] = base64.b64encode(bytes(token)).decode()
    path.write_text(json.dumps(record) + "\n")
    result = events_verify()
    assert not result.ok
    assert "timestamp of checkpoint 1" in result.reason


@pytest.mark.django_db
def test_a_token_moved_to_another_checkpoint_fails(tsa, settings):
    _append(3)
    checkpoint_write()
    _append(1)
    checkpoint_write()
    path = settings.CHECKPOINT_DIR / TOKENS_FILE
    first, second = (json.loads(line) for line in path.read_text().splitlines())
    first["token"] = second["token"]
    path.write_text("\n".join(json.dumps(r) for r in (first, second)) + "\n")
    assert "timestamp of checkpoint 1" in events_verify().reason


@pytest.mark.django_db
def test_authority_down_checkpoint_goes_on_and_is_stamped_later(tsa, settings):
    tsa.down = True
    _append(2)
    assert checkpoint_write() is not None  # signed as before
    assert not (settings.CHECKPOINT_DIR / TOKENS_FILE).exists() or \
        not (settings.CHECKPOINT_DIR / TOKENS_FILE).read_text().strip()
    tsa.down = False
    _append(1)
    checkpoint_write()
    numbers = [json.loads(line)["number"] for line in
               (settings.CHECKPOINT_DIR / TOKENS_FILE).read_text().splitlines()]
    assert numbers == [1, 2]
    assert events_verify().ok


@pytest.mark.django_db
def test_without_an_authority_checkpoints_go_on_and_status_says_so(settings):
    settings.TSA_URL = ""
    _append(2)
    assert checkpoint_write() is not None
    assert not (settings.CHECKPOINT_DIR / TOKENS_FILE).exists()
    assert checkpoints_stamp([(1, "00" * 32)]) == 0
    status = tsa_status(1)
    assert not status.configured and status.stamped == 0
    assert events_verify().ok


@pytest.mark.django_db
def test_transfer_note_carries_a_token_checked_by_audit_verify(tsa):
    from ingest.transfer import transfer_note_record

    note_hash = hashlib.sha256(b"Scan 1").hexdigest()

    class Job:
        pk = 7

    transfer_note_record(Job(), {"operator": "poststelle", "scan_sha256": "ab",
                                 "note_sha256": note_hash})
    event = Event.objects.get(action="transfer_note")
    assert event.data["timestamp"]
    assert transfer_note_problem(event) == ""
    assert events_verify().ok
    event.data = {**event.data, "note_sha256": hashlib.sha256(b"Scan 2").hexdigest()}
    assert "transfer note" in transfer_note_problem(event)
