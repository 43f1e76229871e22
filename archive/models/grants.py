"""Access beyond the owning unit: explicit shares and break-glass openings, both time-limited
and logged."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Unit
from .records import CaseFile


class Share(models.Model):
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="shares")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shared_case_files")
    granted_by = models.CharField(max_length=150)
    reason = models.CharField(_("Anlass"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Freigabe")


class BreakGlass(models.Model):
    """A caseworker opened a file outside their unit, stating why; the DPO reviews it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="break_glass_openings")
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT,
                                  related_name="break_glass_openings")
    reason = models.CharField(_("Begründung"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Notfallzugriff")
