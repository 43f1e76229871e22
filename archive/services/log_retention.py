"""Log retention (issue 14.2): the trail is personal data too, so its entries are kept for a
configured period per kind (archive/trail_kinds.py) and then removed, segment by segment.

The one path that deletes entries is `trail_segments_remove`, run daily by the scheduler
(`archive.trail_retention`) and by `registratur audit prune` (with `--dry-run`). It:

1. signs the chain head (a checkpoint), so every segment it looks at is signed, and refuses
   to remove anything from a trail that does not verify: that would erase the evidence;
2. takes the segments (see archive/trail_segments.py) whose newest entry is past the
   shortest period, never the newest segment (the next checkpoint continues from its head);
3. removes there the entries whose kind is past its period, except what is still needed: a
   `trail_segment_removed` entry (verification bridges gaps with it), an administrative
   entry on a case file, document or process that still exists (its history), and the
   receipt (`received`) of bytes a version still holds (the deadline watch dates from it),
   and every entry on a record whose case file is under a legal hold (asked through the
   `trail_keep_asked` signal, as holds live in `retention`);
4. records the removal in one `trail_segment_removed` entry (range, count, kinds, up to
   which date, and each removed run with the hash of its last entry), writes the cuts that
   let the append-only triggers pass exactly these rows, deletes them and the payload keys
   only they used, and signs the result with a new checkpoint."""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..actors import Actor
from ..checkpoints import checkpoint_write, checkpoints_read
from ..errors import IntegrityFailure, PermissionDenied
from ..models import Event, PayloadKey, Role, TrailCut, Version
from ..permissions import user_role
from ..signals import trail_keep_asked
from ..trail_kinds import ACCESS, ADMIN, ANCHOR_ACTIONS, KINDS, SEARCH, actions_of, trail_kind
from ..trail_segments import REMOVAL_ACTION, runs_of
from .events import event_append, events_verify

log = logging.getLogger(__name__)

RECORD_TYPES = ("case_file", "document", "process")
CHUNK = 500


def retention_days() -> dict[str, int]:
    """Days each kind is kept; 0 keeps it for ever."""
    return {ACCESS: settings.TRAIL_KEEP_ACCESS_DAYS, SEARCH: settings.TRAIL_KEEP_SEARCH_DAYS,
            ADMIN: settings.TRAIL_KEEP_ADMIN_DAYS}


def _cutoffs(today: date) -> dict[str, datetime]:
    """Entries before the start of this local day are past their kind's period."""
    zone = timezone.get_current_timezone()
    return {kind: datetime.combine(today - timedelta(days=days), time.min, tzinfo=zone)
            for kind, days in retention_days().items() if days > 0}


@dataclass
class Removal:
    segments: list[tuple[int, int]] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    before: dict[str, str] = field(default_factory=dict)  # kind: first local day kept
    removal_seq: int | None = None
    dry_run: bool = False

    @property
    def count(self) -> int:
        return len(self.seqs)


def _authorize(actor: Actor) -> None:
    """The scheduler, the operator on the command line, or the data-protection officer."""
    if actor.is_system or actor.is_operator:
        return
    if actor.user is None or user_role(actor.user) != Role.DATA_PROTECTION:
        raise PermissionDenied("Nur der Datenschutz oder der Betrieb löscht Protokollabschnitte.",
                               code="TRAIL_RETENTION_NOT_PERMITTED")


def _expired_segments(cutoffs: dict[str, datetime]) -> list[tuple[int, int]]:
    signed = [c for c in checkpoints_read().checkpoints if not c.legacy]
    if not cutoffs or len(signed) < 2:
        return []
    shortest = max(cutoffs.values())  # the latest cutoff: the shortest period
    segments = []
    for checkpoint in sorted(signed, key=lambda c: c.seq)[:-1]:  # the newest one stays
        first, last = checkpoint.first_seq, checkpoint.seq
        newest = Event.objects.filter(seq__gte=first, seq__lte=last).order_by("-seq").first()
        if newest is not None and newest.at < shortest:
            segments.append((first, last))
    return segments


class _Needed:
    """What must stay although its period passed: records that still exist (their history),
    receipts of bytes a version still holds (the deadline watch), and everything on a record
    whose case file another app asks to keep (a legal hold)."""

    def __init__(self, events: list[Event]):
        ids: dict[str, set[int]] = {kind: set() for kind in RECORD_TYPES}
        hashes = set()
        for event in events:
            if event.object_type in RECORD_TYPES and event.object_id.isdigit():
                ids[event.object_type].add(int(event.object_id))
            if event.action == "received":
                hashes.add((event.data or {}).get("sha256", ""))
        from ..models import CaseFile, Document, Process

        # Each existing record with its case file, read once for both questions below.
        files = {kind: dict(model.objects.filter(pk__in=sorted(ids[kind]))
                            .values_list("pk", "case_file_id"))
                 for kind, model in (("document", Document), ("process", Process))}
        files["case_file"] = {pk: pk for pk in CaseFile.objects.filter(
            pk__in=sorted(ids["case_file"])).values_list("pk", flat=True)}
        self.existing = {kind: set(found) for kind, found in files.items()}
        self.held = set(Version.objects.filter(original_sha256__in=sorted(hashes - {""}))
                        .values_list("original_sha256", flat=True))
        self.on_hold = self._on_hold(files)

    @staticmethod
    def _on_hold(files: dict[str, dict[int, int | None]]) -> dict[str, set[int]]:
        """The records whose case file another app asks to keep (a legal hold), by type."""
        candidates = sorted({f for found in files.values() for f in found.values() if f})
        kept: set[int] = set()
        if candidates:
            for _receiver, answer in trail_keep_asked.send(sender=Event,
                                                           case_file_ids=candidates):
                kept |= set(answer or ())
        return {kind: {pk for pk, case_file in found.items() if case_file in kept}
                for kind, found in files.items()}

    def keeps(self, event: Event, kind: str) -> bool:
        if event.action in ANCHOR_ACTIONS:
            return True
        if event.object_type in RECORD_TYPES and event.object_id.isdigit():
            record = int(event.object_id)
            if record in self.on_hold[event.object_type]:
                return True
            if kind == ADMIN and record in self.existing[event.object_type]:
                return True
        return event.action == "received" and (event.data or {}).get("sha256") in self.held


def _plan(today: date) -> Removal:
    cutoffs = _cutoffs(today)
    removal = Removal(before={kind: cutoff.date().isoformat()
                              for kind, cutoff in cutoffs.items()})
    for first, last in _expired_segments(cutoffs):
        events = list(Event.objects.filter(seq__gte=first, seq__lte=last).order_by("seq")
                      .only("seq", "at", "action", "object_type", "object_id", "data", "hash"))
        needed = _Needed(events)
        found = 0
        for event in events:
            kind = trail_kind(event.action, event.object_type)
            if kind not in cutoffs or event.at >= cutoffs[kind] or needed.keeps(event, kind):
                continue
            removal.seqs.append(event.seq)
            removal.hashes[event.seq] = event.hash
            removal.kinds[kind] = removal.kinds.get(kind, 0) + 1
            found += 1
        if found:
            removal.segments.append((first, last))
    return removal


def trail_segments_remove(*, actor: Actor, dry_run: bool = False,
                          today: date | None = None) -> Removal:
    """Remove the trail's expired entries (see the module's docstring). With `dry_run`, only
    say what would go."""
    _authorize(actor)
    today = today or timezone.localdate()
    checkpoint_write()  # everything up to the head is signed before segments are judged
    verified = events_verify()
    if not verified.ok:
        raise IntegrityFailure("Das Protokoll ist nicht unversehrt; solange wird nichts daraus "
                               "gelöscht.", code="TRAIL_RETENTION_UNVERIFIED")
    removal = _plan(today)
    removal.dry_run = dry_run
    if dry_run or not removal.seqs:
        return removal
    runs = runs_of(removal.seqs, removal.hashes)
    with transaction.atomic():
        # Appending first takes the chain head's lock for the rest of the transaction: no
        # entry can be sealed with a key deleted below while this runs.
        event = event_append(
            action="trail_segment_removed", object_type="trail",
            object_id=f"{runs[0][0]}-{runs[-1][1]}", actor=actor,
            data={"first_seq": runs[0][0], "last_seq": runs[-1][1], "removed": removal.count,
                  "kinds": removal.kinds, "before": removal.before,
                  "segments": [list(s) for s in removal.segments], "runs": runs})
        removal.removal_seq = event.seq
        TrailCut.objects.bulk_create([TrailCut(removal_seq=event.seq, first_seq=first,
                                               last_seq=last, last_hash=last_hash)
                                      for first, last, last_hash in runs])
        keys = _keys_only_these_used(removal.seqs)
        for start in range(0, len(removal.seqs), CHUNK):
            Event.objects.filter(seq__in=removal.seqs[start:start + CHUNK]).delete()
        for start in range(0, len(keys), CHUNK):
            PayloadKey.objects.filter(scope__in=keys[start:start + CHUNK]).delete()
    checkpoint_write()  # the removal and the remainder, signed
    events_verify()  # the officer's page verifies onwards from here
    _wal_truncate()
    log.info("trail retention removed %d entries (%s) in %d segments", removal.count,
             removal.kinds, len(removal.segments))
    return removal


def _keys_only_these_used(seqs: list[int]) -> list[str]:
    """Scopes of payload keys that no remaining entry uses once `seqs` are gone: the removed
    searches' and reports' own keys, and the keys of records none of whose entries stay."""
    scopes = {f"event:{seq}" for seq in seqs}
    records: set[tuple[str, str]] = set()
    for start in range(0, len(seqs), CHUNK):
        records.update(Event.objects.filter(seq__in=seqs[start:start + CHUNK],
                                            object_type__in=RECORD_TYPES)
                       .values_list("object_type", "object_id"))
    removed = set(seqs)
    for object_type, object_id in records:
        remaining = (Event.objects.filter(object_type=object_type, object_id=object_id)
                     .values_list("seq", flat=True))
        if not set(remaining) - removed:
            scopes.add(f"{object_type}:{object_id}")
    return sorted(scopes)


def _wal_truncate() -> None:
    """As after a destruction: on SQLite the write-ahead log still holds the removed pages."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass(frozen=True)
class RetentionStatus:
    days: dict[str, int]
    oldest: Event | None
    last_removal: Event | None
    next_due: date | None


def log_retention_status() -> RetentionStatus:
    """For the officer's page: periods, the oldest remaining entry, the last removal, and the
    first day on which an entry still here reaches the end of its kind's period."""
    days = retention_days()
    due = []
    for kind in KINDS:
        if days[kind] <= 0:
            continue
        candidates = Event.objects.filter(action__in=sorted(actions_of(kind)))
        if kind == ADMIN:  # what `_Needed` may keep would make the day look overdue for ever
            candidates = candidates.exclude(object_type__in=RECORD_TYPES).exclude(
                action__in=("received", *ANCHOR_ACTIONS))
        oldest = candidates.order_by("seq").only("at").first()
        if oldest is not None:
            due.append(max(timezone.localdate(),
                           timezone.localtime(oldest.at).date() + timedelta(days=days[kind] + 1)))
    return RetentionStatus(
        days=days, oldest=Event.objects.order_by("seq").only("seq", "at").first(),
        last_removal=Event.objects.filter(action=REMOVAL_ACTION).order_by("-seq").first(),
        next_due=min(due) if due else None)
