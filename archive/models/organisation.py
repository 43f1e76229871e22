"""Organisation units and the role of each member of staff; need-to-know access follows them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """Organisationseinheit / Sachgebiet: owns case files."""

    code = models.CharField(_("Kürzel"), max_length=32, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Organisationseinheit")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MAILROOM = "mailroom", _("Poststelle")
    CASEWORKER = "caseworker", _("Sachbearbeitung")
    DATA_PROTECTION = "data_protection", _("Datenschutz")
    ADMINISTRATOR = "administrator", _("Administration")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile"
    )
    role = models.CharField(_("Rolle"), max_length=32, choices=Role.choices)
    units = models.ManyToManyField(Unit, blank=True, related_name="members")

    class Meta:
        verbose_name = _("Mitarbeiterprofil")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.get_role_display()})"
