"""The forms of file notes and signing routes (signoff app)."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signoff.notes import NOTE_KINDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FileNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art des Vermerks"), choices=list(NOTE_KINDS.items()))
    noted_on = forms.DateField(label=_("Datum"), widget=DateInput(),
                               initial=timezone.localdate)
    text = forms.CharField(label=_("Vermerk"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=20_000)


class FileNoteCorrectForm(FileNoteForm):
    reason = forms.CharField(label=_("Grund der Berichtigung"), max_length=500)


class RouteStartForm(forms.Form):
    cosigners = forms.CharField(
        label=_("Mitzeichnung (in dieser Reihenfolge; je Zeile ein Benutzername oder das "
                "Kürzel einer Organisationseinheit)"),
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    final_signer = forms.CharField(
        label=_("Schlusszeichnung (Benutzername oder Kürzel einer Organisationseinheit)"),
        max_length=150)
    amount = forms.DecimalField(label=_("Betrag in Euro (falls die Einheit Zeichnungsgrenzen "
                                        "hat)"), required=False, min_value=0,
                                max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Hinweis an die Zeichnenden"), required=False,
                           max_length=500)

    def cosigner_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["cosigners"].splitlines()
                if line.strip()]


class StepForm(forms.Form):
    comment = forms.CharField(label=_("Anmerkung (bei Ablehnung: Begründung)"),
                              required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000)
