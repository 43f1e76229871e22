"""Signing routes (Mitzeichnung, Schlusszeichnung) and the units' signing limits.

A route names one document version by number and by its SHA-256, not by a foreign key: a
version row goes with a reviewed destruction, and the route's record of what was signed must
not stand in its way (the trail keeps the hashes for good). File notes need no table: a note
is an ordinary document whose versions say in their provenance that they are a note."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive.models import Document, Unit


class RouteState(models.TextChoices):
    OPEN = "open", _("im Umlauf")
    REFUSED = "refused", _("abgelehnt, zurück an die Verfasserin oder den Verfasser")
    SIGNED_OFF = "signed_off", _("schlussgezeichnet")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


class StepKind(models.TextChoices):
    COSIGN = "cosign", _("Mitzeichnung")
    SIGN_OFF = "sign_off", _("Schlusszeichnung")


class StepState(models.TextChoices):
    PENDING = "pending", _("offen")
    SIGNED = "signed", _("gezeichnet")
    REFUSED = "refused", _("abgelehnt")


class SigningRoute(models.Model):
    """One round of a document version on its way: co-signers in order, then the final
    signer. A refusal ends the round; the author revises and starts the next round."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT,
                                 related_name="signing_routes")
    round = models.PositiveIntegerField(_("Runde"))
    version_number = models.PositiveIntegerField(_("Version"))
    version_sha256 = models.CharField(_("SHA-256 der Version"), max_length=64)
    rendition_sha256 = models.CharField(max_length=64, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("Verfasst von"))
    amount = models.DecimalField(_("Betrag (Euro)"), max_digits=12, decimal_places=2,
                                 null=True, blank=True)
    note = models.CharField(_("Hinweis"), max_length=500, blank=True)
    state = models.CharField(_("Stand"), max_length=16, choices=RouteState.choices,
                             default=RouteState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "round"]
        verbose_name = _("Zeichnungsumlauf")
        constraints = [
            models.UniqueConstraint(fields=["document", "round"], name="uniq_route_round"),
            # One open round per document at a time.
            models.UniqueConstraint(fields=["document"], condition=Q(state="open"),
                                    name="uniq_open_route"),
        ]


class RouteStep(models.Model):
    """A person, or any member of a unit, who co-signs or signs off at this place."""

    route = models.ForeignKey(SigningRoute, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("Art"), max_length=16, choices=StepKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    state = models.CharField(_("Stand"), max_length=16, choices=StepState.choices,
                             default=StepState.PENDING)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    acted_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("Anmerkung"), blank=True)

    class Meta:
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="uniq_step_position"),
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(unit__isnull=False),
                                   name="step_names_someone"),
        ]

    @property
    def who(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return str(self.unit)


class SigningLimit(models.Model):
    """Where a unit wants one: the highest amount (euro) a signer may sign off for case files
    of this unit; for one person, or (user empty) for everyone with signing authority."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    max_amount = models.DecimalField(_("Höchstbetrag (Euro)"), max_digits=12,
                                     decimal_places=2)

    class Meta:
        verbose_name = _("Zeichnungsgrenze")
        constraints = [
            models.UniqueConstraint(fields=["unit", "user"], name="uniq_limit_unit_user"),
            models.UniqueConstraint(fields=["unit"], condition=Q(user__isnull=True),
                                    name="uniq_limit_unit_default"),
        ]
