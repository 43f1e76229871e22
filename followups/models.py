"""Follow-ups (Wiedervorlagen) on case files and documents, and the deadline rules
(Fristenwächter) that derive deadlines from a document's type and its receipt."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive.models import CaseFile, Document, Unit


class FollowUp(models.Model):
    """Wiedervorlage: on a case file or one of its documents, due on a local date, for one
    person or one unit. Closed ones stay (the list of what was done)."""

    case_file = models.ForeignKey(CaseFile, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="follow_ups", verbose_name=_("Akte"))
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="follow_ups", verbose_name=_("Dokument"))
    due = models.DateField(_("Wiedervorlage am"))
    reason = models.CharField(_("Anlass"), max_length=500)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="follow_ups",
                                 verbose_name=_("für Person"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="follow_ups", verbose_name=_("für Organisationseinheit"))
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    closed_by = models.CharField(_("erledigt von"), max_length=150, blank=True)
    # The due date the follow_up_due signal was sent for: once per follow-up and date, again
    # after it was moved.
    announced_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        constraints = [
            # On a case file or on a document (whose case file may change by a move).
            models.CheckConstraint(
                condition=Q(case_file__isnull=True) ^ Q(document__isnull=True),
                name="follow_up_on_case_file_or_document"),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) ^ Q(unit__isnull=True),
                name="follow_up_for_person_or_unit"),
        ]
        indexes = [models.Index(fields=["closed_at", "due"])]

    def __str__(self) -> str:
        return f"{self.due} {self.reason}"

    @property
    def target_case_file(self) -> CaseFile:
        return self.document.case_file if self.document_id else self.case_file


class DeadlineRule(models.Model):
    """A deadline as data: documents of this type (none: post not yet classified) received on
    day D have a deadline ending D + months + days (dates.py). The shipped rules are examples
    until the legal office confirms them."""

    document_type = models.CharField(
        _("Dokumenttyp"), max_length=64, blank=True,
        help_text=_("Schlüssel des Dokumenttyps; leer: Post ohne Dokumenttyp."))
    months = models.PositiveSmallIntegerField(_("Monate"), default=0)
    days = models.PositiveSmallIntegerField(_("Tage"), default=0)
    label = models.CharField(_("Bezeichnung"), max_length=200)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=300, blank=True)
    example = models.BooleanField(
        _("Beispiel – von der Rechtsabteilung zu bestätigen"), default=False)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["document_type", "months", "days", "pk"]
        verbose_name = _("Fristregel")
        verbose_name_plural = _("Fristregeln")
        constraints = [models.CheckConstraint(condition=Q(months__gt=0) | Q(days__gt=0),
                                              name="deadline_rule_has_a_period")]

    def __str__(self) -> str:
        return self.label

    @property
    def period_text(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} Monat{'e' if self.months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} Tag{'e' if self.days != 1 else ''}")
        return " und ".join(parts)


class DeadlineDone(models.Model):
    """The caseworker marked one document's deadline of one rule as done (logged)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT,
                                 related_name="deadlines_done")
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="done")
    done_at = models.DateTimeField(auto_now_add=True)
    done_by = models.CharField(max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "rule"],
                                               name="deadline_done_once")]
