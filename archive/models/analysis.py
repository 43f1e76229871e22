"""Four-eyes approvals for analysing the trail beyond a single report (issue 14.2): the
data-protection officer asks, a person of another role approves or refuses, and the
approval is usable for a limited time, for the subject and period it names."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrailAnalysis(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("beantragt")
        APPROVED = "approved", _("genehmigt")
        REFUSED = "refused", _("abgelehnt")

    # Whose activity is analysed (a user name); the scope of the approval.
    subject = models.CharField(_("Beschäftigte Person (Benutzername)"), max_length=150)
    start = models.DateField(_("von"))
    end = models.DateField(_("bis"))
    reason = models.TextField(_("Anlass"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
