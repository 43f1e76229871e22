"""Replacement scanning (BSI TR-RESISCAN): the quality check of each scanned document and the
release of its paper for destruction.

Every document of paper origin gets one ScanCheck at ingest, whether or not it was drawn for
the visual check: its protection need and its place in that need's sequence decide which
sample vouches for it. Nothing here holds personal text: the trail keeps the reasons."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProtectionNeed(models.TextChoices):
    """Schutzbedarf (BSI IT-Grundschutz categories), per document type."""
    NORMAL = "normal", _("Normal")
    HIGH = "hoch", _("Hoch")
    VERY_HIGH = "sehr_hoch", _("Sehr hoch")


class ScanResult(models.TextChoices):
    UNSAMPLED = "unsampled", _("nicht in der Stichprobe")
    OPEN = "open", _("Sichtprüfung offen")
    PASSED = "passed", _("Sichtprüfung bestanden")
    REJECTED = "rejected", _("Sichtprüfung abgelehnt")


class ScanSampleCounter(models.Model):
    """How many scans of one protection need were drawn from so far (taken under a row lock:
    every Nth scan is the sample, so the rate holds exactly and tests can count on it)."""

    need = models.CharField(max_length=16, choices=ProtectionNeed.choices, unique=True)
    count = models.PositiveBigIntegerField(default=0)


class ScanCheck(models.Model):
    """The quality record of one scanned document. A sampled scan waits in the mailroom's
    hands (`held_case_file` is where the pipeline would have filed it) until the inspector
    passes or rejects it; a rejected one is an open rescan request until a rescan names it."""

    document = models.OneToOneField("archive.Document", on_delete=models.CASCADE,
                                    related_name="scan_check")
    need = models.CharField(_("Schutzbedarf"), max_length=16, choices=ProtectionNeed.choices)
    sequence = models.PositiveBigIntegerField()
    sampled = models.BooleanField(default=False)
    result = models.CharField(_("Sichtprüfung"), max_length=16, choices=ScanResult.choices,
                              default=ScanResult.UNSAMPLED)
    held_case_file = models.ForeignKey("archive.CaseFile", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(null=True, blank=True)
    # A rescan is always inspected; it names the rejected check it answers.
    rescan_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="rescan")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["need", "sequence"], name="archive_scan_need_seq")]


class PaperRelease(models.Model):
    """The paper original of a scanned document released for destruction: by whom, when."""

    document = models.OneToOneField("archive.Document", on_delete=models.CASCADE,
                                    related_name="paper_release")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    released_at = models.DateTimeField(auto_now_add=True)
