"""Document types as data: the administrator keeps the list and each type's rule; the
documents store the type's key (a plain string, so search facets, exports and residual
records keep working when a type is deactivated)."""
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scanqa import ProtectionNeed

KEY_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,63}$",
    _("Der Schlüssel besteht aus Kleinbuchstaben, Ziffern, „-“ und „_“."),
    code="DOCUMENT_TYPE_KEY_INVALID")


class DocumentType(models.Model):
    """Dokumenttyp, e.g. "widerspruchsbescheid" / "Widerspruchsbescheid".

    The rule is either words (comma-separated phrases; each matches at the start of a word,
    so "Bescheid" also finds "Bescheides") or one regular expression. Recognition weighs where
    a rule hits (the subject area counts more than the body); `priority` decides between
    equally good types, so a more specific type (Widerspruchsbescheid) gets a higher one than
    the general one it contains (Widerspruch)."""

    key = models.CharField(_("Schlüssel"), max_length=64, unique=True,
                           validators=[KEY_VALIDATOR])
    name = models.CharField(_("Bezeichnung"), max_length=200)
    process_name = models.CharField(_("Vorgang"), max_length=200, blank=True)
    rule = models.TextField(_("Erkennungsregel"), blank=True)
    rule_is_regex = models.BooleanField(_("Regel ist ein regulärer Ausdruck"), default=False)
    priority = models.IntegerField(_("Vorrang"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)
    # Replacement scanning (BSI TR-RESISCAN): how closely scans of this type are checked
    # (archive/services/scan_qa.py) and whether its paper must be kept after scanning.
    protection_need = models.CharField(_("Schutzbedarf"), max_length=16,
                                       choices=ProtectionNeed.choices,
                                       default=ProtectionNeed.NORMAL)
    keep_paper = models.BooleanField(_("Papieroriginal aufbewahren"), default=False)

    class Meta:
        ordering = ["-priority", "key"]
        verbose_name = _("Dokumenttyp")
        verbose_name_plural = _("Dokumenttypen")

    def __str__(self) -> str:
        return self.name

    def rule_words(self) -> list[str]:
        if self.rule_is_regex:
            return []
        return [word.strip() for word in re.split(r"[,\n]", self.rule) if word.strip()]

    def clean(self) -> None:
        if self.rule_is_regex:
            try:
                re.compile(self.rule)
            except re.error as error:
                raise ValidationError(
                    {"rule": _("Die Regel ist kein gültiger regulärer Ausdruck: %(error)s")
                     % {"error": error}}, code="DOCUMENT_TYPE_RULE_INVALID") from None
