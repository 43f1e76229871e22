"""Forms of the data-protection officer's retention pages (schedules, holds, erasure
decisions). They only shape the input; the rules (unique keys, a period, a reason) are the
retention services'."""
from django import forms
from django.utils.translation import gettext_lazy as _

from retention.models import Action, Trigger

from .forms import date_field

ERASURE_OUTCOMES = [
    ("erase", _("löschen – wenn Frist, Sperre oder Anbietungspflicht entgegenstehen, wird "
                "stattdessen die Verarbeitung eingeschränkt")),
    ("restrict", _("Verarbeitung einschränken (Art. 18 DSGVO) statt löschen")),
    ("refuse", _("Antrag ablehnen")),
]


def _years(label, help_text=""):
    return forms.IntegerField(label=label, min_value=0, max_value=150, initial=0,
                              help_text=help_text)


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung"), max_length=200)
    trigger = forms.ChoiceField(label=_("Auslöser (Fristbeginn)"), choices=Trigger.choices)
    trigger_event = forms.CharField(
        label=_("Name des Ereignisses"), max_length=64, required=False,
        help_text=_("Nur beim Auslöser „benanntes Ereignis in der Akte“, z. B. "
                    "„Leistungsende“."))
    trigger_offset_years = _years(_("Auslöser + Jahre"),
                                  _("z. B. 30 für den 30. Geburtstag; sonst 0."))
    years = _years(_("Frist: Jahre"))
    months = forms.IntegerField(label=_("Frist: Monate"), min_value=0, max_value=120, initial=0)
    days = forms.IntegerField(label=_("Frist: Tage"), min_value=0, max_value=3660, initial=0)
    year_end_cutoff = forms.BooleanField(
        label=_("Fristende zum Jahresende (31. Dezember)"), required=False)
    action = forms.ChoiceField(label=_("Maßnahme nach Fristende"), choices=Action.choices)
    legal_basis = forms.CharField(label=_("Rechtsgrundlage"), max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleCreateForm(ScheduleForm):
    key = forms.CharField(
        label=_("Kennung"), max_length=64,
        help_text=_("Eindeutig und unveränderlich, z. B. „SGB-10J-ZDA“; der Aktenplan nennt "
                    "die Frist unter dieser Kennung."))

    field_order = ["key", *ScheduleForm.base_fields]


class HoldForm(forms.Form):
    file_reference = forms.CharField(label=_("Aktenzeichen"), max_length=64)
    reason = forms.CharField(label=_("Grund"), max_length=500)
    mandate = forms.CharField(label=_("Anordnung / Aktenzeichen der Anordnung"),
                              max_length=300)


class ErasureRequestForm(forms.Form):
    file_reference = forms.CharField(label=_("Aktenzeichen"), max_length=64)
    received_on = date_field(_("eingegangen am"))
    note = forms.CharField(label=_("Vermerk zum Antrag"), max_length=500, required=False)


class ErasureDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Entscheidung"), choices=ERASURE_OUTCOMES,
                                widget=forms.RadioSelect, initial="erase")
    reason = forms.CharField(label=_("Begründung"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Pflicht beim Einschränken und beim Ablehnen."))
