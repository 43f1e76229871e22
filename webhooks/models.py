"""Subscribers of the outgoing webhooks and each delivery to them. A subscriber is a
specialist procedure scoped to units, like an API token: it hears only of case files of those
units. Payloads carry ids and links, never social data."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.models import Unit

EVENTS = {
    "post.received": _("Neue Post in einer Akte"),
    "document.filed": _("Dokument abgelegt"),
    "case_file.closed": _("Akte geschlossen (zdA)"),
    "follow_up.due": _("Wiedervorlage fällig"),
}


class Subscription(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    url = models.URLField(_("Adresse"), max_length=500)
    # The shared HMAC key: shown once on creation, kept to sign each delivery.
    secret = models.CharField(max_length=128)
    events = models.JSONField(default=list)
    units = models.ManyToManyField(Unit, related_name="+")
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("wartet")
    DELIVERED = "delivered", _("zugestellt")
    RETRYING = "retrying", _("wird wiederholt")
    DEAD = "dead", _("aufgegeben")


class Delivery(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Announcement(models.Model):
    """That a document's filing into a case file was announced already: a document that
    arrives with its first version and is later changed must not be announced twice."""

    document_id = models.BigIntegerField()
    case_file_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document_id", "case_file_id"],
                                               name="webhooks_announcement_once")]
