"""Segments of the trail and the runs the log retention removed from them.

A segment is what one signed checkpoint covers: the entries after the previous checkpoint's
head up to its own (`Checkpoint.first_seq..seq`). The log retention works segment by
segment and removes, inside an expired segment, the runs of entries whose kind is past its
period (archive/services/log_retention.py). Each removal is recorded in the trail itself, in
a `trail_segment_removed` entry that lists every removed run as (first, last, hash of last):
the hash of the last removed entry is what the next remaining entry's `prev_hash` must be,
and the checkpoint that signed the segment lists a digest of it. So verification bridges a
gap only where a recorded run says so, the run's hash matches what was signed, and the
recording entry is itself chained and signed by a later checkpoint. A deleted or altered
removal entry leaves its gap unexplained, which verification reports."""
from dataclasses import dataclass

from .models import Event

REMOVAL_ACTION = "trail_segment_removed"


@dataclass(frozen=True)
class RemovedRun:
    first: int
    last: int
    last_hash: str
    removal_seq: int  # the entry that recorded the removal


def removed_runs() -> dict[int, RemovedRun]:
    """Every recorded removed run by its first sequence number, read from the removal entries
    (the signed record), not from the cut table that only lets the deletion through."""
    runs: dict[int, RemovedRun] = {}
    for seq, data in (Event.objects.filter(action=REMOVAL_ACTION, object_type="trail")
                      .order_by("seq").values_list("seq", "data")):
        for run in (data or {}).get("runs") or ():
            try:
                first, last, last_hash = int(run[0]), int(run[1]), str(run[2])
            except (TypeError, ValueError, IndexError):
                continue  # an altered entry: its own hash check reports it
            runs[first] = RemovedRun(first, last, last_hash, seq)
    return runs


def runs_of(seqs: list[int], hashes: dict[int, str]) -> list[list]:
    """Consecutive sequence numbers grouped into [first, last, hash of last]."""
    runs: list[list] = []
    for seq in sorted(seqs):
        if runs and runs[-1][1] == seq - 1:
            runs[-1][1], runs[-1][2] = seq, hashes[seq]
        else:
            runs.append([seq, seq, hashes[seq]])
    return runs
