"""Ingest jobs: the durable record of every file received, written before any processing."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.models import Document


class JobState(models.TextChoices):
    QUEUED = "queued", _("wartet")
    RUNNING = "running", _("in Bearbeitung")
    FILED = "filed", _("abgelegt")
    INBOX = "inbox", _("im Posteingang")
    DUPLICATE = "duplicate", _("Duplikat")
    SPLIT = "split", _("aufgeteilt")
    REFUSED = "refused", _("abgewiesen (Quarantäne)")
    FAILED = "failed", _("fehlgeschlagen (Quarantäne)")


TERMINAL_STATES = {JobState.FILED, JobState.INBOX, JobState.DUPLICATE, JobState.REFUSED,
                   JobState.FAILED, JobState.SPLIT}
QUARANTINE_STATES = {JobState.REFUSED, JobState.FAILED}


class IngestJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED,
                             db_index=True)
    step = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=32)
    original_name = models.CharField(max_length=255)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.BigIntegerField()
    submitted_by = models.CharField(max_length=150, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="ingest_jobs")
    pages = models.PositiveIntegerField(null=True, blank=True)
    # Wall-clock seconds of the OCR step (all attempts of the last run): the metrics' OCR time
    # per page is read from here at scrape time, so no process has to share counters.
    ocr_seconds = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # A batch split at separator sheets, or a mail's attachments, become child jobs.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    steps_done = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(default=dict, blank=True)
    flagged = models.BooleanField(default=False)  # e.g. declared and found pages differ
    # A password an uploader supplied for an encrypted PDF; cleared when the job ends.
    password = models.CharField(max_length=200, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES


class WorkerHeartbeat(models.Model):
    """Written by each running worker, so that the CLI knows whether anyone will pick up work."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()


class RedactionState(models.TextChoices):
    QUEUED = "queued", _("wartet")
    RUNNING = "running", _("in Bearbeitung")
    DONE = "done", _("fertig")
    REFUSED = "refused", _("abgewiesen")
    FAILED = "failed", _("fehlgeschlagen")


REDACTION_TERMINAL_STATES = {RedactionState.DONE, RedactionState.REFUSED,
                             RedactionState.FAILED}
# The steps of a redaction in order, for progress display.
REDACTION_STEPS = ("rasterise", "paint", "ocr", "extract", "store")


class RedactionJob(models.Model):
    """A redaction asked for on the document page and carried out by the worker.

    Not an IngestJob: that one is a file received from outside (its original's hash, the
    quarantine, duplicate detection, automatic retries and the mailroom's view of every job),
    none of which fits here. A redaction receives nothing; it turns a version the archive
    already holds into the next one, and only the person who asked sees how it went."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT,
                                 related_name="redaction_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    # The version the boxes were drawn on: if another became current since, the boxes may
    # not fit it, and redacting the old one would push the newer one out of sight.
    version = models.PositiveIntegerField()
    boxes = models.JSONField(default=list)
    reason = models.TextField()
    state = models.CharField(max_length=16, choices=RedactionState.choices,
                             default=RedactionState.QUEUED, db_index=True)
    step = models.CharField(max_length=32, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    # A number, not a key: versions of a destroyed document are deleted, this row stays.
    result_version = models.PositiveIntegerField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"redaction of document {self.document_id} v{self.version} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        return self.state in REDACTION_TERMINAL_STATES


class HotFolderReport(models.Model):
    """Something the hot-folder watcher leaves where it is (a link, a named pipe, a temporary
    file that stays): shown on the quarantine page until it is gone from the folder."""

    path = models.CharField(max_length=1024, unique=True)  # relative to the hot folder
    code = models.CharField(max_length=64)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]


class WatcherHeartbeat(models.Model):
    """Written by a hot-folder watcher on its passes; a watcher that stopped writing it is
    stuck or gone, and the hot folder is not watched."""

    name = models.CharField(max_length=300, unique=True)
    seen_at = models.DateTimeField()
