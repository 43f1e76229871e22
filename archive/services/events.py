"""Appending to and verifying the hash-chained event log."""
import bisect
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..actors import Actor, current_trail
from ..chain import GENESIS, _canonical, _entry_hash, _entry_problem, _recomputed
from ..checkpoints import Checkpoint, checkpoints_read
from ..models import AuditState, ChainHead, Event
from ..sealing import entry_scope, seal_entry
from ..timestamps import transfer_note_problem
from ..trail_segments import RemovedRun, removed_runs


def event_append(
    *, action: str, object_type: str, object_id, actor: "Actor | str" = "", purpose: str = "",
    data: dict | None = None, at=None, seal_as: tuple[str, int] | None = None,
) -> Event:
    """Append one entry. Runs inside the caller's transaction, so the event and the change it
    records commit together or not at all.

    `actor` is an Actor (archive/actors.py) or, for code that has none, a plain name. Either
    way the procedure goes into the hashed data as `via` ({"channel": ..., "os_user": ...}):
    from the Actor, else from the channel the request, command or task set. Entries written
    before `via` existed simply lack the key, so old chains verify unchanged.

    The personal part (the purpose and the keys in `archive.sealing.SEALED_KEYS`) of an entry
    on a case file or document, or of a search or report, is stored sealed under that
    record's key, and the chain hashes the ciphertext; readers use `Event.clear_data` and
    `Event.clear_purpose` (or `archive.sealing.events_unseal` for many entries).

    `seal_as` names the record (`("case_file", id)`) whose key seals an entry about a thing
    that belongs to it, such as a follow-up's reason, so that destroying the file shreds it."""
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
        scope = (f"{seal_as[0]}:{int(seal_as[1])}" if seal_as else
                 entry_scope(action=action, object_type=object_type, object_id=object_id,
                             seq=seq))
        stored_purpose, stored_data = seal_entry(scope=scope, purpose=purpose, data=data)
        fields = dict(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                      object_id=str(object_id), purpose=stored_purpose, data=stored_data)
        digest = _entry_hash(head.hash, _canonical(**fields))
        event = Event.objects.create(prev_hash=head.hash, hash=digest, **fields)
        event._clear = (data, purpose)  # the caller reads what it wrote
        ChainHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    last_hash: str = GENESIS
    timestamped: int = 0  # checkpoints whose RFC 3161 token verified
    last_seq: int = 0  # the newest entry checked (after log retention, not `checked`)


class _Signed:
    """What the valid checkpoints say about each entry, looked up in sequence order."""

    def __init__(self, checkpoints: list[Checkpoint]):
        self.heads: dict[int, list[Checkpoint]] = {}
        for checkpoint in checkpoints:
            self.heads.setdefault(checkpoint.seq, []).append(checkpoint)
        self.ranges = sorted((c for c in checkpoints if not c.legacy),
                             key=lambda c: c.first_seq)
        self._firsts = [c.first_seq for c in self.ranges]
        self.index = 0
        self.last_seq = max((c.seq for c in checkpoints), default=0)

    def mismatch(self, event: Event) -> str:
        while self.index < len(self.ranges) and self.ranges[self.index].seq < event.seq:
            self.index += 1
        covering = list(self.heads.get(event.seq, ()))
        if self.index < len(self.ranges):
            covering.append(self.ranges[self.index])
        for checkpoint in covering:
            digest = checkpoint.digest(event.seq)
            if (checkpoint.seq == event.seq and checkpoint.hash != event.hash) or (
                    digest is not None and not event.hash.startswith(digest)):
                return (f"entry {event.seq} is not the one signed in checkpoint "
                        f"{checkpoint.number} of {checkpoint.at}: the log was rewritten "
                        f"from this entry on")
        return ""

    def run_mismatch(self, run: RemovedRun) -> str:
        """A removed run is bridged only when a checkpoint signed its last entry with the
        hash the removal recorded, and the removal itself was signed afterwards."""
        what = f"the removal of entries {run.first}-{run.last}"
        if run.removal_seq > self.last_seq:
            return f"{what} is not signed by a checkpoint"
        for checkpoint in self.heads.get(run.last, ()):
            if checkpoint.hash != run.last_hash:
                return f"{what} names a hash that checkpoint {checkpoint.number} did not sign"
        # Signed ranges do not overlap: the one starting last at or before the entry.
        at = bisect.bisect_right(self._firsts, run.last) - 1
        covering = [self.ranges[at]] if at >= 0 and self.ranges[at].seq >= run.last else []
        if not covering and run.last not in self.heads:
            return f"{what} removed entries no checkpoint had signed"
        for checkpoint in covering:
            if not run.last_hash.startswith(checkpoint.digest(run.last)):
                return f"{what} names a hash that checkpoint {checkpoint.number} did not sign"
        return ""


def events_verify() -> VerifyResult:
    """The full check: walk the whole chain in sequence order, recompute every hash, compare
    every entry with what the signed checkpoints recorded, and check the checkpoint file
    itself. Names the first entry that does not fit; the result is stored for the officer's
    page (`trail_status`)."""
    checkpoint_log = checkpoints_read()
    signed = _Signed(checkpoint_log.checkpoints)
    runs = removed_runs()  # what the log retention removed, as its signed entries record
    prev_hash, last_seq, checked, first_bad, entry_reason = GENESIS, 0, 0, None, ""
    for event in Event.objects.order_by("seq").iterator(chunk_size=2000):
        expected = last_seq + 1
        while event.seq != expected and expected in runs and not entry_reason:
            run = runs[expected]  # a gap the log retention left: bridge it
            entry_reason = signed.run_mismatch(run)
            prev_hash, expected = run.last_hash, run.last + 1
        entry_reason = (entry_reason or _entry_problem(event, expected, prev_hash)
                        or signed.mismatch(event) or transfer_note_problem(event))
        if entry_reason:
            first_bad = expected
            break
        prev_hash, last_seq = event.hash, event.seq
        checked += 1
    if first_bad is None and signed.last_seq > last_seq:
        first_bad = last_seq + 1
        entry_reason = (f"the log was truncated: it ends at {last_seq}, but a signed "
                        f"checkpoint covers entry {signed.last_seq}")
    head = ChainHead.objects.filter(id=1).first()
    if first_bad is None and head and head.seq > last_seq:
        first_bad = last_seq + 1
        entry_reason = f"the log ends at {last_seq} but {head.seq} entries were written"
    reasons = [entry_reason] if entry_reason else []
    reasons += checkpoint_log.problems
    result = VerifyResult(not reasons, checked, first_bad, "; ".join(reasons), prev_hash,
                          checkpoint_log.timestamped, last_seq)
    _record_full_check(result)
    return result


def _record_full_check(result: VerifyResult) -> None:
    fields = dict(full_checked_at=timezone.now(), full_ok=result.ok,
                  full_checked=result.checked, full_first_bad_seq=result.first_bad_seq,
                  full_reason=result.reason[:2000])
    if result.ok:
        fields.update(verified_seq=result.last_seq, verified_hash=result.last_hash)
    AuditState.objects.get_or_create(id=1)
    AuditState.objects.filter(id=1).update(**fields)


@dataclass(frozen=True)
class TrailStatus:
    """What the officer's page shows: the state of the log and when it was last checked in
    full. `newly_checked` counts the entries this call read."""

    ok: bool
    checked: int
    newly_checked: int
    full_checked_at: datetime | None
    first_bad_seq: int | None = None
    reason: str = ""


def trail_status() -> TrailStatus:
    """Check only what was appended since the last verified entry, which the full check
    (daily, `audit verify`) stored; run the full check when there has never been one. A
    rewrite of entries already verified is the full check's job: here only the last verified
    entry is compared with the hash it had."""
    state = AuditState.objects.filter(id=1).first()
    if state is None or state.full_checked_at is None:
        result = events_verify()
        state = AuditState.objects.get(id=1)
        return TrailStatus(result.ok, result.checked, result.checked, state.full_checked_at,
                           result.first_bad_seq, result.reason)
    if not state.full_ok:
        return TrailStatus(False, state.full_checked, 0, state.full_checked_at,
                           state.full_first_bad_seq, state.full_reason)
    seq, prev_hash = state.verified_seq, state.verified_hash or GENESIS
    if seq:
        last = Event.objects.filter(seq=seq).first()
        if last is None or last.hash != prev_hash or _recomputed(last, last.prev_hash) != last.hash:
            return TrailStatus(False, seq - 1, 0, state.full_checked_at, seq,
                               f"entry {seq} changed after it was verified")
    newly = 0
    for event in Event.objects.filter(seq__gt=seq).order_by("seq").iterator(chunk_size=2000):
        problem = _entry_problem(event, seq + 1, prev_hash)
        if problem:
            return TrailStatus(False, seq, newly, state.full_checked_at, seq + 1, problem)
        seq, prev_hash, newly = event.seq, event.hash, newly + 1
    head = ChainHead.objects.filter(id=1).first()
    if head and head.seq > seq:
        return TrailStatus(False, seq, newly, state.full_checked_at, seq + 1,
                           f"the log ends at {seq} but {head.seq} entries were written")
    if newly:
        # Only forwards: a concurrent full check may have got further already.
        AuditState.objects.filter(id=1, verified_seq__lt=seq).update(verified_seq=seq,
                                                                     verified_hash=prev_hash)
    return TrailStatus(True, seq, newly, state.full_checked_at)
