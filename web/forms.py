"""Forms of the pages. Validation of rules stays in the archive services."""
from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from archive.labels import EVENT_ACTIONS
from archive.models import Confidentiality, FilePlanUnit, Unit
from archive.schedules import schedule_choices

# Dates a person, letter or period can have; outside, date arithmetic (local midnight to UTC)
# overflows and the database cannot compare.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
DATE_RANGE = [
    MinValueValidator(EARLIEST, _("Bitte ein Datum ab dem 01.01.1900 angeben.")),
    MaxValueValidator(LATEST, _("Bitte ein Datum bis zum 31.12.2999 angeben.")),
]


def date_input():
    # A browser's date input shows only ISO dates; the German localisation (dd.mm.yyyy)
    # would arrive empty and be saved back as "no date".
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, **options) -> forms.DateField:
    return forms.DateField(label=label, widget=date_input(), validators=DATE_RANGE, **options)


def datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def postcode_field(label) -> forms.CharField:
    return forms.CharField(label=label, max_length=5, min_length=5, required=False,
                           validators=[RegexValidator(r"^[0-9]{5}$", _("Die Postleitzahl hat "
                                                                      "fünf Ziffern."))],
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "off"}))


class SubjectAddressFields(forms.Form):
    """The subject's address (optional): street with house number, postcode, city."""

    subject_street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200,
                                     required=False)
    subject_postcode = postcode_field(_("Postleitzahl"))
    subject_city = forms.CharField(label=_("Ort"), max_length=100, required=False)


class CaseFileCreateForm(SubjectAddressFields):
    plan_unit = forms.ModelChoiceField(FilePlanUnit.objects.filter(active=True),
                                       label=_("Aktenplaneinheit"))
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Organisationseinheit"))
    title = forms.CharField(label=_("Titel"), max_length=300)
    subject_name = forms.CharField(label=_("Betroffene Person"), max_length=200, required=False)
    subject_birth_date = date_field(_("Geburtsdatum"), required=False)
    client_number = forms.CharField(label=_("Kundennummer"), max_length=64, required=False)
    field_order = ["plan_unit", "unit", "title", "subject_name", "subject_birth_date",
                   "client_number", "subject_street", "subject_postcode", "subject_city"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class CaseFileEditForm(SubjectAddressFields):
    title = forms.CharField(label=_("Titel"), max_length=300)
    subject_name = forms.CharField(label=_("Betroffene Person"), max_length=200, required=False)
    client_number = forms.CharField(label=_("Kundennummer"), max_length=64, required=False)
    confidentiality = forms.TypedChoiceField(label=_("Vertraulichkeit"), coerce=int,
                                             choices=Confidentiality.choices)
    staff_case = forms.BooleanField(label=_("Beschäftigtenfall"), required=False)
    field_order = ["title", "subject_name", "client_number", "subject_street",
                   "subject_postcode", "subject_city", "confidentiality", "staff_case"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), max_length=1000)


class ShareForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.all(), label=_("Organisationseinheit"))
    reason = forms.CharField(label=_("Anlass"), max_length=500)
    valid_until = forms.DateTimeField(label=_("gültig bis"), required=False,
                                      widget=datetime_input())


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Benutzername"), max_length=150)


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300)


class MoveForm(forms.Form):
    file_reference = forms.CharField(label=_("Ziel-Aktenzeichen"), max_length=64)
    reason = forms.CharField(label=_("Anlass"), max_length=500, required=False)


class DocumentEditForm(forms.Form):
    # The type is set through DocumentCorrectionForm: chosen from the list, and logged with
    # what recognition had suggested.
    title = forms.CharField(label=_("Titel"), max_length=300)
    sender = forms.CharField(label=_("Absender"), max_length=300, required=False)
    letter_date = date_field(_("Datum des Schreibens"), required=False)

    @staticmethod
    def initial_for(document) -> dict:
        return {name: getattr(document, name) for name in ("title", "sender", "letter_date")}


class DocumentCorrectionForm(forms.Form):
    """A wrong type or a wrong filing corrected in one step. The type's key is checked by the
    service (a German refusal with its code), so the field takes any text."""
    document_type = forms.CharField(label=_("Dokumenttyp"), max_length=64, required=False,
                                    widget=forms.Select)
    file_reference = forms.CharField(label=_("Richtige Akte (Aktenzeichen)"), max_length=64,
                                     required=False)
    to_inbox = forms.BooleanField(label=_("Gehört in keine meiner Akten: an die Poststelle "
                                          "zurückgeben"), required=False)
    reason = forms.CharField(label=_("Anlass"), max_length=500, required=False)

    def __init__(self, *args, document=None, choices=(), current_name="", **kwargs):
        current = document.document_type if document is not None else ""
        kwargs.setdefault("initial", {"document_type": current})
        super().__init__(*args, **kwargs)
        options = [("", _("– kein Dokumenttyp –")), *choices]
        if current and current not in {key for key, _name in choices}:
            # A retired type stays selectable, so that saving does not clear it unasked.
            options.append((current, current_name or current))
        self.fields["document_type"].widget.choices = options


class RedactionForm(forms.Form):
    page = forms.IntegerField(label=_("Seite"), min_value=1)
    x = forms.FloatField(label=_("links (mm)"), min_value=0)
    y = forms.FloatField(label=_("oben (mm)"), min_value=0)
    width = forms.FloatField(label=_("Breite (mm)"), min_value=1)
    height = forms.FloatField(label=_("Höhe (mm)"), min_value=1)
    reason = forms.CharField(label=_("Grund"), max_length=500)
    # The version the box was drawn on; the redaction is refused if it is no longer current.
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class BreakGlassForm(forms.Form):
    file_reference = forms.CharField(label=_("Aktenzeichen"), max_length=64)
    # The reason is the purpose of the access event (500 characters).
    reason = forms.CharField(label=_("Begründung"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


def schedule_options():
    # Evaluated on every form, so a schedule added since start-up is offered too.
    return [("", _("– bitte wählen –"))] + [(key, f"{key} – {name}")
                                            for key, name in schedule_choices()]


def _schedule_field():
    return forms.ChoiceField(label=_("Aufbewahrungsfrist"), choices=schedule_options,
                             error_messages={
                                 "required": _("Bitte wählen Sie eine Aufbewahrungsfrist aus."),
                                 "invalid_choice": _("Die Aufbewahrungsfrist „%(value)s“ gibt "
                                                     "es nicht; bitte wählen Sie eine aus der "
                                                     "Liste.")})


class PlanUnitForm(forms.Form):
    code = forms.CharField(label=_("Kennzeichen"), max_length=64)
    title = forms.CharField(label=_("Titel"), max_length=300)
    retention_schedule = _schedule_field()


class PlanUnitScheduleForm(forms.Form):
    retention_schedule = _schedule_field()


def _report_action_choices():
    """Every action of the trail by its label, in the active language's order."""
    return [("", _("alle"))] + sorted(((action, str(label)) for action, label in
                                       EVENT_ACTIONS.items()), key=lambda c: c[1].casefold())


class ReportForm(forms.Form):
    KINDS = [("case_file", _("Akte (Aktenzeichen)")), ("person", _("Person (Name oder "
                                                                   "Kundennummer)")),
             ("user", _("Benutzer"))]
    kind = forms.ChoiceField(label=_("Bericht über"), choices=KINDS)
    subject = forms.CharField(label=_("Suchbegriff"), max_length=200)
    start = date_field(_("von"))
    end = date_field(_("bis"))
    user = forms.CharField(label=_("nur Handlungen von (Benutzername)"), max_length=150,
                           required=False)
    action = forms.ChoiceField(label=_("nur die Aktion"), required=False,
                               choices=_report_action_choices)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("Das Ende des Zeitraums liegt vor seinem Anfang."))
        return data


class TrailAnalysisForm(forms.Form):
    """The officer's request for a four-eyes approval of a staff member's activity report."""

    subject = forms.CharField(label=_("Beschäftigte Person (Benutzername)"), max_length=150)
    start = date_field(_("von"))
    end = date_field(_("bis"))
    reason = forms.CharField(label=_("Anlass"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("Das Ende des Zeitraums liegt vor seinem Anfang."))
        return data
