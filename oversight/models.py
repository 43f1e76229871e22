"""Misuse alerts for the data-protection officer: the rules (data, with thresholds and
windows) and the alerts they raised, each reviewed as justified or unfounded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKey(models.TextChoices):
    SAME_NAME = "same_name", _("Akte einer Person mit gleichem Nachnamen gelesen")
    SAME_ADDRESS = "same_address", _("Akte einer Person mit gleicher Anschrift gelesen")
    BREAK_GLASS_REPEATED = "break_glass_repeated", _("wiederholte Notfallzugriffe")
    BULK_PREVIEWS = "bulk_previews", _("viele Suchtreffer außerhalb der eigenen Akten")
    CLOSED_UNFOLLOWED = (
        "closed_unfollowed",
        _("abgeschlossene oder eingeschränkte Akten gelesen, ohne Folgehandlung"),
    )


class AlertRule(models.Model):
    """One rule's settings. A rule without a row runs with its defaults (oversight/rules.py);
    the officer changes them with `registratur alerts rule`."""

    key = models.CharField(_("Regel"), max_length=32, unique=True, choices=RuleKey.choices)
    active = models.BooleanField(_("aktiv"), default=True)
    threshold = models.PositiveIntegerField(_("Schwelle"))
    window_hours = models.PositiveIntegerField(_("Zeitfenster (Stunden)"))
    params = models.JSONField(_("weitere Einstellungen"), default=dict, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("Regel für Hinweise")

    def __str__(self) -> str:
        return self.get_key_display()


class AlertState(models.TextChoices):
    OPEN = "open", _("offen")
    CONFIRMED = "confirmed", _("geprüft")
    UNFOUNDED = "unfounded", _("unbegründet")


class Alert(models.Model):
    """A pattern one reader's entries matched. Pages and command line show the reader as a
    pseudonym (oversight/pseudonyms.py) until the officer opens the alert, which is logged."""

    rule = models.CharField(_("Regel"), max_length=32, choices=RuleKey.choices)
    username = models.CharField(max_length=150)
    # The case file the pattern concerns, where it concerns one (no foreign key: the alert
    # outlives a destroyed file's rows and must not hold up its destruction).
    case_file_id = models.BigIntegerField(null=True, blank=True)
    seqs = models.JSONField(default=list)  # the trail entries that matched
    details = models.JSONField(default=dict, blank=True)  # counts, never names
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    raised_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        _("Stand"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    opened_by = models.CharField(max_length=150, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("Vermerk"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-last_at", "-id"]
        verbose_name = _("Hinweis auf Missbrauch")
        indexes = [models.Index(fields=["rule", "username"], name="oversight_rule_user_idx")]
