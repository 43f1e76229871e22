"""The desk's own records: deputies and absences, hand-overs (Abgabe), which documents a
person has seen, and each person's desk preferences (last visit, e-mail digest)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.models import CaseFile, Document


class Deputy(models.Model):
    """Vertretung: `deputy` sees `absentee`'s desk items while `absentee` is absent."""

    absentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="deputies")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="deputising")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Vertretung")
        constraints = [models.UniqueConstraint(fields=["absentee", "deputy"],
                                               name="uniq_deputy_pair")]


class Absence(models.Model):
    """Abwesenheit, both days included (local dates)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="absences")
    starts_on = models.DateField(_("von"))
    ends_on = models.DateField(_("bis"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Abwesenheit")
        ordering = ["starts_on"]


class Handover(models.Model):
    """Abgabe: a case file or a document handed to a colleague with a note."""

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="handovers_given")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="handovers_received")
    case_file = models.ForeignKey(CaseFile, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    note = models.CharField(_("Notiz"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Abgabe")
        indexes = [models.Index(fields=["to_user", "done_at"])]


class DocumentSeen(models.Model):
    """A person opened (or marked done) a document: it is no longer new post for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document"],
                                               name="uniq_document_seen")]


class DeskPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="desk_preference")
    # Items that appeared after the last visit of the desk count as new in the header.
    visited_at = models.DateTimeField(null=True, blank=True)
    digest_enabled = models.BooleanField(_("Tägliche Übersicht per E-Mail"), default=False)
    digest_email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    # Set only when the server accepted the mail; a failure is tried again next run.
    digest_sent_at = models.DateTimeField(null=True, blank=True)
