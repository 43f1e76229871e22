"""Forms of the administration's pages (users, organisation units, document types, the file
plan's entries). The rules themselves (unique codes, valid expressions, passwords) are checked
by the archive services; the forms only shape the input."""
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from archive.models import Confidentiality, ProtectionNeed, Role, StaffProfile, Unit
from archive.services.staff import APP_PERMISSIONS, GRANTABLE


def permission_choices() -> list[tuple[str, str]]:
    """The grantable permissions with their German names from the model's Meta."""
    names = dict(StaffProfile._meta.permissions) | APP_PERMISSIONS
    return [(codename, names.get(codename, codename)) for codename in sorted(GRANTABLE)]


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Kürzel"), max_length=32,
                           help_text=_("Kurz und eindeutig, z. B. „A“ oder „50.2“."))
    name = forms.CharField(label=_("Bezeichnung"), max_length=200)


class UnitEditForm(UnitForm):
    """An existing unit also names its default caseworker, one of its caseworkers."""

    default_caseworker = forms.ChoiceField(
        label=_("Standard-Bearbeitung"), required=False,
        help_text=_("Akten ohne benannte Bearbeitung landen auf diesem Arbeitsplatz; ohne "
                    "Standard-Bearbeitung auf dem gemeinsamen Arbeitsplatz der Einheit."))

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        members = (StaffProfile.objects.filter(units=unit, role=Role.CASEWORKER,
                                               user__is_active=True)
                   .select_related("user").order_by("user__username"))
        self.fields["default_caseworker"].choices = [("", _("– keine –"))] + [
            (profile.user.username, profile.user.get_full_name() or profile.user.username)
            for profile in members]


class _StaffFields(forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-Mail"), required=False)
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.all(), label=_("Organisationseinheiten"), required=False,
        to_field_name="code", widget=forms.CheckboxSelectMultiple)
    clearance = forms.TypedChoiceField(
        label=_("Freigabestufe"), coerce=int, choices=Confidentiality.choices,
        help_text=_("Höchste Vertraulichkeitsstufe, die diese Person lesen darf."))
    personnel_administration = forms.BooleanField(
        label=_("Personalverwaltung (sieht Beschäftigtenfälle nie)"), required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Zusätzliche Berechtigungen"), required=False, choices=permission_choices,
        widget=forms.CheckboxSelectMultiple)
    # HR data: only the administration sees it (here), only the misuse alerts read it.
    private_street = forms.CharField(
        label=_("Privatanschrift: Straße und Hausnummer"), max_length=200, required=False,
        help_text=_("Freiwillig. Nur die Administration sieht die Privatanschrift; sie dient "
                    "allein dem Hinweis, wenn die Person die Akte einer Nachbarin oder eines "
                    "Mitbewohners liest. Sie wird nicht protokolliert."))
    private_postcode = forms.CharField(
        label=_("Privatanschrift: Postleitzahl"), max_length=5, min_length=5, required=False,
        validators=[RegexValidator(r"^[0-9]{5}$", _("Die Postleitzahl hat fünf Ziffern."))])
    private_city = forms.CharField(label=_("Privatanschrift: Ort"), max_length=100,
                                   required=False)

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["units"] = [unit.code for unit in data["units"]]
        data.pop("password_repeat", None)
        return data

    def clean(self):
        data = super().clean()
        password, repeat = data.get("password"), data.get("password_repeat")
        if password and password != repeat:
            self.add_error("password_repeat",
                           _("Die beiden Kennwörter stimmen nicht überein."))
        return data


class UserCreateForm(_StaffFields):
    username = forms.CharField(label=_("Benutzername"), max_length=150)
    password = forms.CharField(
        label=_("Erstes Kennwort (freiwillig)"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leer lassen, dann erhalten Sie einen einmaligen Link, mit dem die Person "
                    "ihr Kennwort selbst setzt. Ein Kennwort wird nie protokolliert."))
    password_repeat = forms.CharField(
        label=_("Kennwort wiederholen"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    field_order = ["username", "first_name", "last_name", "email", "role", "units",
                   "clearance", "personnel_administration", "permissions", "private_street",
                   "private_postcode", "private_city", "password", "password_repeat"]


class UserEditForm(_StaffFields):
    password = forms.CharField(
        label=_("Neues Kennwort"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leer lassen, um das Kennwort nicht zu ändern."))
    password_repeat = forms.CharField(
        label=_("Neues Kennwort wiederholen"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    @staticmethod
    def initial_for(user) -> dict:
        profile = getattr(user, "staff_profile", None)
        initial = {"first_name": user.first_name, "last_name": user.last_name,
                   "email": user.email,
                   "permissions": list(user.user_permissions.filter(codename__in=GRANTABLE)
                                       .values_list("codename", flat=True))}
        if profile is not None:
            initial |= {"role": profile.role, "clearance": profile.clearance,
                        "personnel_administration": profile.personnel_administration,
                        "units": list(profile.units.all()),
                        "private_street": profile.private_street,
                        "private_postcode": profile.private_postcode,
                        "private_city": profile.private_city}
        return initial


class DocumentTypeForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung"), max_length=200)
    process_name = forms.CharField(
        label=_("Vorgang"), max_length=200, required=False,
        help_text=_("Name des Vorgangs, in den Dokumente dieses Typs vorgeschlagen werden."))
    rule = forms.CharField(
        label=_("Erkennungsregel"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wörter, durch Komma getrennt, oder ein regulärer Ausdruck."))
    rule_is_regex = forms.BooleanField(label=_("Regel ist ein regulärer Ausdruck"),
                                       required=False)
    priority = forms.IntegerField(label=_("Vorrang"), initial=0, min_value=-1000,
                                  max_value=1000)
    active = forms.BooleanField(label=_("aktiv"), required=False, initial=True)
    # Not required: a form without it (an older script) keeps the default need.
    protection_need = forms.ChoiceField(
        label=_("Schutzbedarf"), choices=ProtectionNeed.choices, initial=ProtectionNeed.NORMAL,
        required=False,
        help_text=_("Bestimmt, welcher Anteil der Scans dieses Typs vor der Ablage in die "
                    "Sichtprüfung geht (ersetzendes Scannen, BSI TR-RESISCAN)."))
    keep_paper = forms.BooleanField(
        label=_("Papieroriginal aufbewahren"), required=False,
        help_text=_("Das Papier von Dokumenten dieses Typs wird nie zur Vernichtung "
                    "freigegeben."))

    def clean_protection_need(self) -> str:
        return self.cleaned_data.get("protection_need") or ProtectionNeed.NORMAL

    @staticmethod
    def initial_for(document_type) -> dict:
        return {name: getattr(document_type, name)
                for name in ("name", "process_name", "rule", "rule_is_regex", "priority",
                             "active", "protection_need", "keep_paper")}


class DocumentTypeCreateForm(DocumentTypeForm):
    key = forms.CharField(label=_("Schlüssel"), max_length=64,
                          help_text=_("Kleinbuchstaben, Ziffern, „-“ und „_“; später nicht "
                                      "änderbar."))
    field_order = ["key", "name", "process_name", "rule", "rule_is_regex", "priority",
                   "active", "protection_need", "keep_paper"]


class PlanUnitTitleForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300)


class PasswordSetForm(forms.Form):
    password = forms.CharField(
        label=_("Neues Kennwort"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_repeat = forms.CharField(
        label=_("Neues Kennwort wiederholen"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_repeat"):
            self.add_error("password_repeat",
                           _("Die beiden Kennwörter stimmen nicht überein."))
        return data
