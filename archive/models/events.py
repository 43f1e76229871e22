"""The append-only, hash-chained event log. Each entry's hash covers its own content and the
previous entry's hash, so any change, removal or reordering breaks the chain from there on."""
from django.db import models

from ..errors import IntegrityFailure
from .sealed import event_clear


class Event(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise IntegrityFailure("Event log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IntegrityFailure("Event log entries cannot be deleted.")

    # Personal payloads are sealed (archive/sealing.py); these read them in the clear, or
    # with "gelöscht" where the key was shredded by a destruction. For many entries at
    # once, `archive.sealing.events_unseal(events)` fetches the keys in one query first.
    @property
    def clear_data(self) -> dict:
        return event_clear(self)[0]

    @property
    def clear_purpose(self) -> str:
        return event_clear(self)[1]



class ChainHead(models.Model):
    """One row: the last sequence number and hash. Locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class AuditState(models.Model):
    """One row: what the database remembers about the trail's own checks.

    The checkpoint fields record the last signed checkpoint written (how many, which entry, the
    hash of its line), so a checkpoint file that was deleted, shortened or replaced no longer
    matches. They are a second witness next to the file, not a replacement for it: whoever can
    rewrite the database can reset them too (see `archive.checkpoints` for the threat model).
    The verification fields let the officer's page check only what was appended since the
    last verified entry; the full check (scheduled, and `audit verify`) re-reads everything."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    checkpoint_count = models.PositiveIntegerField(default=0)
    checkpoint_seq = models.BigIntegerField(default=0)
    checkpoint_line_hash = models.CharField(max_length=64, blank=True)
    verified_seq = models.BigIntegerField(default=0)
    verified_hash = models.CharField(max_length=64, blank=True)
    full_checked_at = models.DateTimeField(null=True, blank=True)
    full_ok = models.BooleanField(default=False)
    full_checked = models.BigIntegerField(default=0)
    full_first_bad_seq = models.BigIntegerField(null=True, blank=True)
    full_reason = models.TextField(blank=True)



class TrailCut(models.Model):
    """A run of entries the log retention removed (archive/services/log_retention.py): the
    append-only triggers let an entry be deleted only when a cut names its sequence number,
    so this table is the one door, and `removal_seq` is the `trail_segment_removed` entry
    whose signed data (not this row) verification trusts. Rows are never changed."""

    removal_seq = models.BigIntegerField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["first_seq", "last_seq"])]
