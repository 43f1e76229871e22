"""Correspondents: who writes to the department, one row per organisation (or person), with
the other spellings under which the same sender appeared ("Jobcenter Leipzig, Team 412")."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Correspondent(models.Model):
    name = models.CharField(_("Name"), max_length=300, unique=True)
    address = models.TextField(_("Anschrift"), blank=True)
    aliases = models.JSONField(_("weitere Schreibweisen"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Korrespondenzpartner")
        verbose_name_plural = _("Korrespondenzpartner")

    def __str__(self) -> str:
        return self.name
