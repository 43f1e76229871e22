"""The hash chain notices any change, removal or reordering of a log entry, and the
`audit verify` command exits non-zero naming the first bad entry."""
from io import StringIO

import pytest
from django.core.management import call_command

from archive.errors import IntegrityFailure
from archive.models import Event
from archive.services.events import event_append, events_verify
from tests.archive.helpers import chain_rewrite_from as _rewrite_from
from tests.archive.helpers import sql_as_owner as _sql


@pytest.fixture
def chain(db):
    for number in range(1, 6):
        event_append(action="viewed", object_type="document", object_id=number,
                     actor="sachbearbeitung-a", purpose="Akte 50.20.1-2026-000001",
                     data={"n": number, "name": "Jürgen Müller"})


def _verify_command() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_intact_chain_verifies(chain):
    result = events_verify()
    assert result.ok and result.checked == 5
    code, out, _ = _verify_command()
    assert code == 0 and "5 entries" in out


def test_changed_entry_is_named(chain):
    _sql("UPDATE archive_event SET actor = %s WHERE seq = 3", ["jemand-anderes"])
    assert events_verify().first_bad_seq == 3
    code, _, err = _verify_command()
    assert code != 0 and "#3" in err


def test_changed_data_is_named(chain):
    _sql("UPDATE archive_event SET purpose = %s WHERE seq = 4", ["nachträglich geändert"])
    assert events_verify().first_bad_seq == 4


def test_removed_entry_is_named(chain):
    _sql("DELETE FROM archive_event WHERE seq = 2")
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 2
    assert _verify_command()[0] != 0


def test_reordered_entries_are_named(chain):
    # Swap the sequence numbers of entries 2 and 3.
    _sql("UPDATE archive_event SET seq = -2 WHERE seq = 2")
    _sql("UPDATE archive_event SET seq = 2 WHERE seq = 3")
    _sql("UPDATE archive_event SET seq = 3 WHERE seq = -2")
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 2
    assert _verify_command()[0] != 0


def test_removed_last_entry_is_noticed(chain):
    _sql("DELETE FROM archive_event WHERE seq = 5")
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 5


def test_entries_cannot_be_changed_through_the_orm(chain):
    event = Event.objects.get(seq=1)
    event.actor = "x"
    with pytest.raises(IntegrityFailure):
        event.save()
    with pytest.raises(IntegrityFailure):
        event.delete()
    assert events_verify().ok


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test its own checkpoint file, key and anchor: they live outside the database,
    so the test transaction's rollback would not reset them."""
    settings.CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit.pem"
    settings.AUDIT_PUBLIC_KEY_FILE = tmp_path / "keys" / "audit.pub"
    return settings.CHECKPOINT_DIR


def test_truncated_tail_is_caught_by_the_signed_checkpoint(chain, checkpoint_dir):
    from archive.checkpoints import checkpoint_write

    assert checkpoint_write().seq == 5
    # Whoever cuts the tail also fixes the chain head: only the checkpoint remembers.
    _sql("DELETE FROM archive_event WHERE seq >= 4")
    _sql("UPDATE archive_chainhead SET seq = 3, hash = (SELECT hash FROM archive_event "
         "WHERE seq = 3)")
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 4 and "truncated" in result.reason
    code, _, err = _verify_command()
    assert code != 0 and "#4" in err


def test_a_consistently_rewritten_chain_is_caught_by_the_checkpoint(chain, checkpoint_dir):
    from archive.checkpoints import checkpoint_write
    checkpoint_write()
    # Rewrite entry 2 and recompute every hash after it, as an insider with the code would.
    _rewrite_from(2)
    result = events_verify()
    # The chain itself is consistent; the digests the checkpoint signed name entry 2.
    assert not result.ok and result.first_bad_seq == 2 and "checkpoint" in result.reason


def test_a_forged_checkpoint_is_refused(chain, checkpoint_dir):
    import json

    from archive.checkpoints import checkpoint_write

    checkpoint_write()
    path = checkpoint_dir / "chain-checkpoints.jsonl"
    forged = json.loads(path.read_text())
    forged["seq"] = 2
    path.write_text(json.dumps(forged) + "\n")
    result = events_verify()
    assert not result.ok and "not validly signed" in result.reason
