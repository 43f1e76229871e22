"""Appending to and verifying the hash-chained event log."""
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from ..actors import Actor, current_trail
from ..checkpoints import checkpoints_read
from ..models import ChainHead, Event

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


def event_append(
    *, action: str, object_type: str, object_id, actor: "Actor | str" = "", purpose: str = "",
    data: dict | None = None, at=None,
) -> Event:
    """Append one entry. Runs inside the caller's transaction, so the event and the change it
    records commit together or not at all.

    `actor` is an Actor (archive/actors.py) or, for code that has none, a plain name. Either
    way the procedure goes into the hashed data as `via` ({"channel": ..., "os_user": ...}):
    from the Actor, else from the channel the request, command or task set. Entries written
    before `via` existed simply lack the key, so old chains verify unchanged."""
    if isinstance(actor, Actor):
        via, actor = actor.trail(), actor.label
    else:
        via = current_trail()
    data = json.loads(json.dumps({**(data or {}), "via": via}, default=str))
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"seq": 0, "hash": GENESIS}
        )
        seq = head.seq + 1
        at = at or timezone.now()  # an import replays events with their original time
        fields = dict(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                      object_id=str(object_id), purpose=purpose, data=data)
        digest = _entry_hash(head.hash, _canonical(**fields))
        event = Event.objects.create(prev_hash=head.hash, hash=digest, **fields)
        ChainHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def events_verify() -> VerifyResult:
    """Walk the chain in sequence order and report the first entry that does not fit."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in Event.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"entry {expected_seq} is missing (found {event.seq} next)")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq,
                                f"entry {event.seq} does not follow its predecessor")
        recomputed = _entry_hash(prev_hash, _canonical(
            seq=event.seq, at=event.at, actor=event.actor, action=event.action,
            object_type=event.object_type, object_id=event.object_id, purpose=event.purpose,
            data=event.data,
        ))
        if recomputed != event.hash:
            return VerifyResult(False, checked, event.seq,
                                f"entry {event.seq} was altered (its hash does not match)")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return _verify_against_checkpoints(checked, prev_hash)


def _verify_against_checkpoints(checked: int, last_hash: str) -> VerifyResult:
    """The chain can be rebuilt by whoever controls the database; signed checkpoints kept
    outside it cannot. They catch a truncated tail and a consistently rewritten chain."""
    checkpoints, bad_signatures = checkpoints_read()
    if bad_signatures:
        return VerifyResult(False, checked, None, "; ".join(bad_signatures))
    hashes = dict(Event.objects.filter(seq__in=[c.seq for c in checkpoints])
                  .values_list("seq", "hash"))
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        if checkpoint.seq > checked:
            return VerifyResult(False, checked, checked + 1,
                                f"the log was truncated: it ends at {checked}, but a signed "
                                f"checkpoint covers entry {checkpoint.seq}")
        if hashes.get(checkpoint.seq) != checkpoint.hash:
            return VerifyResult(False, checked, checkpoint.seq,
                                f"the log up to entry {checkpoint.seq} differs from the signed "
                                f"checkpoint of {checkpoint.at}")
    head = ChainHead.objects.filter(id=1).first()
    if head and head.seq > checked:
        return VerifyResult(False, checked, checked + 1,
                            f"the log ends at {checked} but {head.seq} entries were written")
    return VerifyResult(True, checked)
