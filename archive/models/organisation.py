"""Organisation units and the role of each member of staff; need-to-know access follows them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """Organisationseinheit / Sachgebiet: owns case files."""

    code = models.CharField(_("Kürzel"), max_length=32, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    # Case files without a named caseworker land on this person's desk.
    default_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="default_for_units", verbose_name=_("Standard-Bearbeitung"))

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
    clearance = models.PositiveSmallIntegerField(
        _("Freigabestufe"), default=0,
        help_text=_("Höchste Vertraulichkeitsstufe, die diese Person lesen darf."))
    personnel_administration = models.BooleanField(
        _("Personalverwaltung"), default=False,
        help_text=_("Personalverwaltung sieht Beschäftigtenfälle nie."))
    # Set for an account of the city's directory (LDAP/AD): its role and units come from the
    # directory's groups at every login, and it has no password of its own.
    directory_dn = models.CharField(
        _("Eintrag im Verzeichnis"), max_length=1000, blank=True, default="",
        help_text=_("Leer für ein Konto der Registratur selbst."))
    # The person's private address (HR data): set by the administration, read only by
    # oversight's same_address rule; never shown anywhere else, never written to the trail.
    private_street = models.CharField(_("Straße und Hausnummer (privat)"), max_length=200,
                                      blank=True, default="")
    private_postcode = models.CharField(_("Postleitzahl (privat)"), max_length=5, blank=True,
                                        default="")
    private_city = models.CharField(_("Ort (privat)"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("Mitarbeiterprofil")
        permissions = [
            ("reopen_casefile", "Akten und Vorgänge wieder aufnehmen"),
            ("share_casefile", "Akten für andere Organisationseinheiten freigeben"),
            ("manage_fileplan", "Aktenplan pflegen"),
            ("view_unredacted", "Ungeschwärzte frühere Versionen lesen"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} ({self.get_role_display()})"
