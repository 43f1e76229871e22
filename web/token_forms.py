"""The administration's form for a new API token."""
from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import Unit
from identity.models import TOKEN_ACTIONS

ACTION_LABELS = {
    "search": _("Suchen"), "read": _("Dokumente lesen"), "ingest": _("Dokumente einliefern"),
    "correct": _("Dokumente berichtigen"),
    "manage": _("Akten und Vorgänge anlegen, schließen, wiederaufnehmen"),
    "dispose": _("Aussonderung vollziehen"),
}


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name des Clients"), max_length=100)
    account = forms.CharField(label=_("Dienstkonto (Benutzername)"), max_length=150)
    units = forms.MultipleChoiceField(label=_("Organisationseinheiten"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    actions = forms.MultipleChoiceField(
        label=_("Erlaubte Aktionen"), widget=forms.CheckboxSelectMultiple,
        choices=[(action, ACTION_LABELS[action]) for action in TOKEN_ACTIONS])
    expires = forms.DateField(label=_("Gültig bis einschließlich (leer: unbefristet)"),
                              required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(unit.code, f"{unit.code} – {unit.name}")
                                        for unit in Unit.objects.order_by("code")]

    def expires_at(self):
        day = self.cleaned_data.get("expires")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))
