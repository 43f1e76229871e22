"""The hash chain itself: how an entry is hashed and how a run of entries is checked. Below
both the event services (append, verify) and the checkpoints (which sign runs of digests), so
that neither has to import the other."""
import hashlib
import json
from datetime import UTC

from .errors import IntegrityFailure
from .models import Event

GENESIS = "0" * 64


def _canonical(*, seq, at, actor, action, object_type, object_id, purpose, data) -> bytes:
    body = {
        "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "purpose": purpose,
        "data": data,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _entry_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


def _recomputed(event: Event, prev_hash: str) -> str:
    """The hash the entry should have after `prev_hash`, from its stored content."""
    return _entry_hash(prev_hash, _canonical(
        seq=event.seq, at=event.at, actor=event.actor, action=event.action,
        object_type=event.object_type, object_id=event.object_id, purpose=event.purpose,
        data=event.data,
    ))


def _entry_problem(event: Event, expected_seq: int, prev_hash: str) -> str:
    """What is wrong with the entry found where `expected_seq` should be, or ''."""
    if event.seq != expected_seq:
        return f"entry {expected_seq} is missing (found {event.seq} next)"
    if event.prev_hash != prev_hash:
        return f"entry {event.seq} does not follow its predecessor"
    if _recomputed(event, prev_hash) != event.hash:
        return f"entry {event.seq} was altered (its hash does not match)"
    return ""


def chain_digests(*, after_seq: int, after_hash: str, upto: int, chars: int) -> list[str]:
    """The first `chars` hex characters of the hash of each entry after `after_seq` up to
    `upto`, checking on the way that they continue the chain from `after_hash` (which a
    checkpoint signed). Raises IntegrityFailure naming the first entry that does not."""
    prev_hash, expected = after_hash, after_seq + 1
    if after_seq and not Event.objects.filter(seq=after_seq, hash=after_hash).exists():
        raise IntegrityFailure(f"Entry {after_seq} differs from the last checkpoint.",
                               code="CHAIN_REWRITTEN")
    digests = []
    for event in (Event.objects.filter(seq__gt=after_seq, seq__lte=upto).order_by("seq")
                  .iterator(chunk_size=2000)):
        problem = _entry_problem(event, expected, prev_hash)
        if problem:
            raise IntegrityFailure(problem, code="CHAIN_BROKEN")
        digests.append(event.hash[:chars])
        prev_hash, expected = event.hash, expected + 1
    if expected != upto + 1:
        raise IntegrityFailure(f"entry {expected} is missing", code="CHAIN_BROKEN")
    return digests
