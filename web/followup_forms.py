"""Forms of the follow-ups (Wiedervorlagen) and the deadline rules."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from archive.models import DocumentType, Role, Unit

from .forms import date_field


def assignee_choices(case_file, user) -> list[tuple[str, str]]:
    """Who a follow-up can be for: oneself, the caseworkers of the file's unit, the unit's
    shared desk. The service checks again that whoever is chosen may read the file."""
    choices = [(f"user:{user.pk}", _("mich selbst"))]
    colleagues = (get_user_model().objects.filter(
        is_active=True, staff_profile__role=Role.CASEWORKER,
        staff_profile__units=case_file.unit_id).exclude(pk=user.pk).order_by("username"))
    choices += [(f"user:{colleague.pk}", colleague.get_full_name() or colleague.username)
                for colleague in colleagues]
    if not case_file.staff_case:
        choices.append((f"unit:{case_file.unit_id}",
                        _("Organisationseinheit %(name)s") % {"name": case_file.unit.name}))
    return choices


class FollowUpForm(forms.Form):
    due = date_field(_("Wiedervorlage am"))
    reason = forms.CharField(label=_("Anlass"), max_length=500)
    # The choices depend on the file; the service checks whoever is sent.
    for_whom = forms.CharField(label=_("für"), widget=forms.Select(choices=[]))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["for_whom"].widget.choices = list(choices)

    def assignee(self) -> dict:
        """{"assignee": user} or {"unit": unit}; an unknown one is None (the service refuses)."""
        kind, _, value = self.cleaned_data["for_whom"].partition(":")
        try:
            pk = int(value)
        except ValueError:
            pk = 0
        if kind == "unit":
            return {"unit": Unit.objects.filter(pk=pk).first()}
        return {"assignee": get_user_model().objects.filter(pk=pk).first()}


class FollowUpMoveForm(forms.Form):
    due = date_field(_("neues Datum"))
    reason = forms.CharField(label=_("Grund (optional)"), max_length=500, required=False)


def document_type_options() -> list[tuple[str, str]]:
    return [("", _("– ohne Dokumenttyp (noch nicht klassifiziert) –"))] + [
        (key, name) for key, name in DocumentType.objects.order_by("name")
        .values_list("key", "name")]


class DeadlineRuleForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Dokumenttyp"), required=False, choices=())
    months = forms.IntegerField(label=_("Monate"), min_value=0, max_value=120, initial=0)
    days = forms.IntegerField(label=_("Tage"), min_value=0, max_value=3650, initial=0)
    label = forms.CharField(label=_("Bezeichnung"), max_length=200)
    legal_basis = forms.CharField(label=_("Rechtsgrundlage"), max_length=300, required=False)
    example = forms.BooleanField(label=_("Beispiel – von der Rechtsabteilung zu bestätigen"),
                                 required=False)
    active = forms.BooleanField(label=_("aktiv"), required=False, initial=True)

    FIELDS = ("document_type", "months", "days", "label", "legal_basis", "example", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = document_type_options()

    @classmethod
    def initial_for(cls, rule) -> dict:
        return {name: getattr(rule, name) for name in cls.FIELDS}
