"""Attacks on the audit trail by someone who controls the database and the data directory but
not the signing key's directory: each one fails `audit verify` with a message that says what
happened, and a rewrite names the first altered entry."""
import base64
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from archive.checkpoints import (
    DIGEST_CHARS,
    GENESIS,
    Checkpoint,
    checkpoint_write,
    line_hash,
)
from archive.errors import IntegrityFailure
from archive.models import AuditState, Event
from archive.services.events import event_append, events_verify
from tests.archive.helpers import chain_rewrite_from as _rewrite_from
from tests.archive.helpers import sql_as_owner as _sql


@pytest.fixture(autouse=True)
def trail_dirs(own_trail):
    """Checkpoints and signing key of this test's own trail (tests/conftest.py)."""


def _append(count: int, start: int = 1):
    for number in range(start, start + count):
        event_append(action="viewed", object_type="document", object_id=number,
                     actor="sachbearbeitung-a", purpose="Akte 50.20.1-2026-000001",
                     data={"n": number})


@pytest.fixture
def chain(db):
    """Twelve entries under two signed checkpoints (after 5 and after 12)."""
    _append(5)
    checkpoint_write()
    _append(7, start=6)
    checkpoint_write()


def _verify_command() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exit_:
        return exit_.code, err.getvalue()


def _forged_lines(key: Ed25519PrivateKey, ranges: list[tuple[int, int]],
                  first_number: int = 1, prev: str = GENESIS) -> list[str]:
    """Checkpoint lines over the current (rewritten) chain, signed with the attacker's key."""
    lines = []
    for number, (first, last) in enumerate(ranges, start=first_number):
        events = list(Event.objects.filter(seq__gte=first, seq__lte=last).order_by("seq"))
        unsigned = Checkpoint(number=number, seq=last, hash=events[-1].hash, at="2026-01-01",
                              prev=prev, first_seq=first,
                              entries="".join(e.hash[:DIGEST_CHARS] for e in events))
        signature = base64.b64encode(key.sign(unsigned.message)).decode()
        text = Checkpoint(**{**unsigned.__dict__, "signature": signature}).line()
        lines.append(text)
        prev = line_hash(text)
    return lines


def _checkpoint_file(settings):
    return settings.CHECKPOINT_DIR / "chain-checkpoints.jsonl"


def _record(count: int, line: str = ""):
    AuditState.objects.filter(id=1).update(checkpoint_count=count,
                                           checkpoint_line_hash=line_hash(line) if line else "")


def test_untouched_trail_verifies(chain, settings):
    assert events_verify().ok
    assert len(_checkpoint_file(settings).read_text().splitlines()) == 2
    assert _verify_command()[0] == 0


def test_rewrite_resigned_with_the_attackers_key_fails_and_names_the_entry(chain, settings):
    _rewrite_from(8)
    # A new checkpoint over the rewritten chain, signed with a key the attacker made, chained
    # to the last genuine line and recorded in the database.
    path = _checkpoint_file(settings)
    genuine = path.read_text().splitlines()
    forged = _forged_lines(Ed25519PrivateKey.generate(), [(6, 12)], first_number=3,
                           prev=line_hash(genuine[-1]))
    path.write_text("\n".join(genuine + forged) + "\n")
    _record(3, forged[-1])
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 8
    assert "not validly signed" in result.reason and "rewritten" in result.reason
    code, err = _verify_command()
    assert code != 0 and "#8" in err


def test_whole_file_replaced_with_the_attackers_signatures_fails(chain, settings):
    _rewrite_from(3)
    forged = _forged_lines(Ed25519PrivateKey.generate(), [(1, 5), (6, 12)])
    _checkpoint_file(settings).write_text("\n".join(forged) + "\n")
    _record(2, forged[-1])
    result = events_verify()
    # Nothing genuine is left to compare the entries with, but the forgery shows.
    assert not result.ok and "line 1 is not validly signed by the trusted key" in result.reason
    assert "anchor" in result.reason
    assert _verify_command()[0] != 0


def test_a_swapped_signing_key_is_refused_against_the_pinned_public_key(chain, settings):
    attacker = Ed25519PrivateKey.generate()
    settings.AUDIT_KEY_FILE.write_bytes(attacker.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    _rewrite_from(4)
    with pytest.raises(IntegrityFailure) as refused:
        checkpoint_write()
    assert refused.value.code == "AUDIT_KEY_MISMATCH"
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 4


def test_deleted_checkpoint_file_fails(chain, settings):
    _checkpoint_file(settings).unlink()
    result = events_verify()
    assert not result.ok
    assert "checkpoint file is missing, but the database records that 2" in result.reason
    code, err = _verify_command()
    assert code != 0 and "missing" in err


def test_deleted_checkpoint_file_and_reset_record_fail_on_the_anchor(chain, settings):
    _checkpoint_file(settings).unlink()
    _record(0)
    result = events_verify()
    assert not result.ok and "the anchor beside the signing key records that 2" in result.reason


def test_truncated_checkpoint_file_fails(chain, settings):
    path = _checkpoint_file(settings)
    first = path.read_text().splitlines()[0]
    path.write_text(first + "\n")
    result = events_verify()
    assert not result.ok and "holds only 1, but the database records that 2" in result.reason
    _record(1, first)  # the database is theirs too: the anchor remains
    result = events_verify()
    assert not result.ok and "holds only 1, but the anchor" in result.reason
    assert _verify_command()[0] != 0


def test_a_removed_middle_checkpoint_breaks_the_link(chain, settings):
    _append(2, start=13)
    checkpoint_write()
    path = _checkpoint_file(settings)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    result = events_verify()
    assert not result.ok and "line 2 does not follow the line before it" in result.reason


def test_checkpoints_are_not_written_on_top_of_a_shortened_file(chain, settings):
    path = _checkpoint_file(settings)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    _append(1, start=13)
    with pytest.raises(IntegrityFailure) as refused:
        checkpoint_write()
    assert refused.value.code == "CHECKPOINTS_SHORTENED"


def test_deleted_newest_entries_with_reset_head_fail(chain, settings):
    _sql("DELETE FROM archive_event WHERE seq >= 10")
    _sql("UPDATE archive_chainhead SET seq = 9, hash = (SELECT hash FROM archive_event "
         "WHERE seq = 9)")
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 10 and "truncated" in result.reason
    code, err = _verify_command()
    assert code != 0 and "#10" in err


def test_nothing_new_is_not_signed_again(chain, settings):
    assert checkpoint_write() is None
    assert len(_checkpoint_file(settings).read_text().splitlines()) == 2


def test_checkpoint_lists_a_digest_per_entry_and_links_to_the_line_before(chain, settings):
    first, second = (json.loads(line) for line in
                     _checkpoint_file(settings).read_text().splitlines())
    assert (first["first_seq"], first["seq"], second["first_seq"], second["seq"]) == (1, 5, 6, 12)
    assert second["entries"] == "".join(
        e.hash[:DIGEST_CHARS] for e in Event.objects.filter(seq__gte=6).order_by("seq"))
    assert first["prev"] == GENESIS
    assert second["prev"] == line_hash(_checkpoint_file(settings).read_text().splitlines()[0])


def test_public_key_command_prints_the_trusted_key(db, settings):
    out = StringIO()
    call_command("audit", "key", "--public", stdout=out)
    assert out.getvalue().startswith("-----BEGIN PUBLIC KEY-----")
    assert out.getvalue() == settings.AUDIT_PUBLIC_KEY_FILE.read_text()


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's own triggers")
@pytest.mark.parametrize("statement", [
    "UPDATE archive_event SET actor = 'x'",
    "DELETE FROM archive_event",
    "DELETE FROM archive_event WHERE seq = 1",
])
def test_sqlite_refuses_changing_the_log(chain, statement):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(seq=2).update(actor="x")  # bypasses Event.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(seq=2).delete()
    assert Event.objects.count() == 12 and events_verify().ok


def test_the_default_key_lives_outside_the_data_dir(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("REGISTRATUR_AUDIT") and key != "XDG_CONFIG_HOME"}
    env.update(HOME=str(tmp_path / "home"), REGISTRATUR_DATA_DIR=str(tmp_path / "data"),
               DJANGO_SETTINGS_MODULE="config.settings")
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.AUDIT_KEY_FILE); print(settings.AUDIT_PUBLIC_KEY_FILE)"],
        env=env, capture_output=True, text=True, check=True).stdout.split()
    assert shown == [str(tmp_path / "home" / ".config" / "registratur" / "audit.pem"),
                     str(tmp_path / "home" / ".config" / "registratur" / "audit.pub")]


def test_a_key_and_checkpoints_of_the_first_format_carry_over(db, settings, tmp_path):
    """Installations so far kept the key in DATA_DIR/keys and wrote unlinked head-only lines:
    the key moves out of the data dir, its old lines still verify, new ones link to them."""
    settings.DATA_DIR = tmp_path / "olddata"
    legacy_key = settings.DATA_DIR / "keys" / "audit.pem"
    legacy_key.parent.mkdir(parents=True)
    key = Ed25519PrivateKey.generate()
    legacy_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    _append(3)
    head = Event.objects.get(seq=3)
    message = f"registratur-checkpoint:3:{head.hash}:2026-01-01T00:00:00+00:00".encode()
    old_line = json.dumps({"seq": 3, "hash": head.hash, "at": "2026-01-01T00:00:00+00:00",
                           "signature": base64.b64encode(key.sign(message)).decode()})
    path = _checkpoint_file(settings)
    path.parent.mkdir(parents=True)
    path.write_text(old_line + "\n")
    _append(2, start=4)
    checkpoint = checkpoint_write()
    assert not legacy_key.exists() and settings.AUDIT_KEY_FILE.exists()
    assert (checkpoint.number, checkpoint.first_seq, checkpoint.prev) == (2, 4,
                                                                          line_hash(old_line))
    assert events_verify().ok
    _sql("UPDATE archive_event SET actor = 'x', hash = 'y' WHERE seq = 3")
    assert events_verify().first_bad_seq == 3


def test_a_pinned_public_key_that_is_missing_fails_instead_of_trusting_the_server(
        chain, settings, tmp_path):
    settings.AUDIT_PUBLIC_KEY_FILE = tmp_path / "elsewhere" / "audit.pub"
    result = events_verify()
    assert not result.ok and "trusted audit public key file is missing" in result.reason
    with pytest.raises(IntegrityFailure):
        checkpoint_write()


def test_a_pinned_public_key_elsewhere_is_used(chain, settings, tmp_path):
    pinned = tmp_path / "elsewhere" / "audit.pub"
    pinned.parent.mkdir()
    out = StringIO()
    call_command("audit", "key", "--public", stdout=out)
    pinned.write_text(out.getvalue())
    settings.AUDIT_PUBLIC_KEY_FILE = pinned
    assert events_verify().ok
    pinned.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = events_verify()
    assert not result.ok and "line 1 is not validly signed by the trusted key" in result.reason
