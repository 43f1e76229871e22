from django import forms
from django.utils.translation import gettext_lazy as _

from archive.models import Unit
from webhooks.models import EVENTS


class WebhookCreateForm(forms.Form):
    name = forms.CharField(label=_("Name des Empfängers"), max_length=100)
    url = forms.CharField(label=_("Adresse (https://…)"), max_length=500)
    events = forms.MultipleChoiceField(label=_("Ereignisse"), widget=forms.CheckboxSelectMultiple,
                                       choices=list(EVENTS.items()))
    units = forms.MultipleChoiceField(label=_("Organisationseinheiten"),
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(unit.code, f"{unit.code} – {unit.name}")
                                        for unit in Unit.objects.order_by("code")]
