"""The administration's pages: users, organisation units and document types (the file plan is
in fileplan.py). Administrators keep staff and structure; they do not read case files, so
nothing here shows social data. Everyone else gets the 404 of an unknown page.

Each form has a page to show it (GET) and an address to send it to (POST): a change that
succeeds redirects (post/redirect/get), a refused one shows the form again with what was
entered and the German reason."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound, RegistraturError
from archive.guards import is_administrator
from archive.models import DocumentType, Unit
from archive.selectors import events_for_object
from archive.services.doctypes import document_type_add, document_type_update
from archive.services.responsibility import unit_default_caseworker_set
from archive.services.staff import (
    GRANTABLE,
    password_link_parts,
    user_create,
    user_deactivate,
    user_password_link,
    user_reactivate,
    user_update,
)
from archive.services.units import unit_create, unit_update

from ..admin_forms import (
    DocumentTypeCreateForm,
    DocumentTypeForm,
    UnitEditForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
    permission_choices,
)
from ..health import health_summary
from .actions import object_or_404, run_action
from .admin_lists import Column, sorted_page

# Which form field a refusal is about; the others are shown above the form.
FIELD_OF_CODE = {
    "USER_NAME_TAKEN": "username", "USER_NAME_INVALID": "username",
    "PASSWORD_INVALID": "password", "USER_SELF_DEMOTE": "role",
    "UNIT_CODE_TAKEN": "code", "UNIT_CODE_INVALID": "code", "UNIT_CODE_MISSING": "code",
    "UNIT_NAME_MISSING": "name", "UNIT_NAME_INVALID": "name",
    "DOCUMENT_TYPE_KEY_TAKEN": "key", "DOCUMENT_TYPE_KEY_INVALID": "key",
    "DOCUMENT_TYPE_NAME_MISSING": "name", "DOCUMENT_TYPE_RULE_INVALID": "rule",
    "NOT_A_UNIT_MEMBER": "default_caseworker",
}


# The administration's own events in German (the trail's general labels are kept elsewhere).
HISTORY_LABELS = {
    "created": gettext_lazy("angelegt"), "changed": gettext_lazy("geändert"),
    "deactivated": gettext_lazy("deaktiviert"), "reactivated": gettext_lazy("wieder aktiviert"),
    "schedule_changed": gettext_lazy("Aufbewahrungsfrist geändert"),
    "password_link_issued": gettext_lazy("Link zum Setzen des Kennworts ausgestellt"),
    "password_set": gettext_lazy("Kennwort selbst gesetzt"),
}
FIELD_LABELS = {
    "code": gettext_lazy("Kürzel"), "name": gettext_lazy("Bezeichnung"),
    "title": gettext_lazy("Titel"), "first_name": gettext_lazy("Vorname"),
    "last_name": gettext_lazy("Nachname"), "email": gettext_lazy("E-Mail"),
    "role": gettext_lazy("Rolle"), "units": gettext_lazy("Organisationseinheiten"),
    "clearance": gettext_lazy("Freigabestufe"),
    "personnel_administration": gettext_lazy("Personalverwaltung"),
    "permissions": gettext_lazy("Berechtigungen"), "active": gettext_lazy("Status"),
    "retention_schedule": gettext_lazy("Aufbewahrungsfrist"),
    "process_name": gettext_lazy("Vorgang"), "rule": gettext_lazy("Erkennungsregel"),
    "rule_is_regex": gettext_lazy("Regelart"), "priority": gettext_lazy("Vorrang"),
    "default_caseworker": gettext_lazy("Standard-Bearbeitung"),
}
HISTORY_SHOWN = 20


def history(object_type: str, object_id) -> list[dict]:
    """The latest changes of one user, unit, document type or file plan entry, as the trail
    recorded them: when, what, by whom and which fields (never values of a password)."""
    events = events_for_object(object_type, object_id).order_by("-seq")[:HISTORY_SHOWN]
    rows = []
    for event in events:
        data = event.data or {}
        fields = sorted(str(FIELD_LABELS.get(key, key)) for key in data.get("changes", {}))
        if data.get("password_set") and event.action != "password_set":
            fields.append(_("Kennwort"))
        rows.append({"at": event.at, "action": HISTORY_LABELS.get(event.action, event.action),
                     "actor": event.actor, "fields": fields})
    return rows


def administrators_only(user) -> None:
    if not is_administrator(user):
        raise NotFound()


def _form_page(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def _submit(request, form, change, *, success: str, then: str, template: str, context: dict):
    """Run the service with the form's data; on refusal, the form again with the reason at
    the field it concerns."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except NotFound:
            raise
        except RegistraturError as error:
            field = FIELD_OF_CODE.get(error.code)
            form.add_error(field if field in form.fields else None,
                           f"{error.message} ({error.code})")
            status = error.http_status
        else:
            messages.success(request, success)
            return redirect(then)
    else:
        status = 400
    return _form_page(request, template, {**context, "form": form}, status=status)


@login_required
@require_GET
def admin_home(request):
    administrators_only(request.user)
    return render(request, "web/admin_home.html", {
        "users": get_user_model().objects.count(), "units": Unit.objects.count(),
        "document_types": DocumentType.objects.count(), "health": health_summary()})


# --- users --------------------------------------------------------------------------------

USER_COLUMNS = [
    Column(gettext_lazy("Benutzername"), "benutzername", ("username",)),
    Column(gettext_lazy("Name"), "name", ("last_name", "first_name")),
    Column(gettext_lazy("Rolle"), "rolle", ("staff_profile__role",)),
    Column(gettext_lazy("Organisationseinheiten")),
    Column(gettext_lazy("Freigabestufe"), "freigabe", ("staff_profile__clearance",)),
    Column(gettext_lazy("Zusätzliche Berechtigungen")),
    Column(gettext_lazy("Status"), "status", ("-is_active",)),
]


@login_required
@require_GET
def admin_users(request):
    administrators_only(request.user)
    users = get_user_model().objects.select_related("staff_profile").prefetch_related(
        "staff_profile__units", "user_permissions")
    context = sorted_page(request, users, USER_COLUMNS, "benutzername")
    names = dict(permission_choices())
    context["rows"] = [
        (user, [names[p.codename] for p in user.user_permissions.all()
                if p.codename in GRANTABLE])
        for user in context["page"]]
    return render(request, "web/admin_users.html", context)


def _user_context(user=None) -> dict:
    if user is None:
        return {"title": _("Neue Person anlegen"), "action": reverse("web:admin_user_create")}
    return {"title": _("Benutzer %(name)s bearbeiten") % {"name": user.username},
            "action": reverse("web:admin_user_update", args=[user.pk]), "person": user,
            "history": history("staff", user.pk)}


@login_required
@require_GET
def admin_user_new(request):
    administrators_only(request.user)
    return _form_page(request, "web/admin_user_form.html",
                      {**_user_context(), "form": UserCreateForm()})


LINK_KEY = "admin_password_link"


def _keep_link(request, user, parts) -> None:
    """The link is shown once, on the next page, to the administrator who asked for it: kept
    in their session, not in a message or an address that a log could keep."""
    request.session[LINK_KEY] = {
        "user": user.pk, "url": request.build_absolute_uri(reverse("web:password_set",
                                                                   args=parts))}


def _take_link(request, user) -> str:
    kept = request.session.pop(LINK_KEY, None)
    return kept["url"] if kept and kept.get("user") == user.pk else ""


@login_required
@require_POST
def admin_user_create(request):
    administrators_only(request.user)
    form = UserCreateForm(request.POST)
    created = {}

    def create(data):
        arguments = form.service_arguments()
        arguments["password"] = arguments.get("password") or None
        created["user"] = user_create(actor=actor_for_request(request), **arguments)
        if not arguments["password"]:
            _keep_link(request, created["user"], password_link_parts(created["user"]))
            created["link"] = True

    response = _submit(request, form, create, success=_("Die Person wurde angelegt."),
                       then="web:admin_users", template="web/admin_user_form.html",
                       context=_user_context())
    if created.get("link"):
        return redirect("web:admin_user_edit", created["user"].pk)
    return response


@login_required
@require_GET
def admin_user_edit(request, user_id: int):
    administrators_only(request.user)
    user = object_or_404(get_user_model(), user_id)
    return _form_page(request, "web/admin_user_form.html",
                      {**_user_context(user), "password_link": _take_link(request, user),
                       "form": UserEditForm(initial=UserEditForm.initial_for(user))})


@login_required
@require_POST
def admin_user_update(request, user_id: int):
    administrators_only(request.user)
    user = object_or_404(get_user_model(), user_id)
    form = UserEditForm(request.POST, initial=UserEditForm.initial_for(user))

    def change(data):
        arguments = form.service_arguments()
        arguments["password"] = arguments.get("password") or None
        user_update(actor=actor_for_request(request), user=user, **arguments)

    return _submit(request, form, change, success=_("Die Änderungen wurden gespeichert."),
                   then="web:admin_users", template="web/admin_user_form.html",
                   context=_user_context(user))


@login_required
@require_POST
def admin_user_status(request, user_id: int):
    administrators_only(request.user)
    user = object_or_404(get_user_model(), user_id)
    if user.is_active:
        action, success = user_deactivate, _("Das Benutzerkonto wurde deaktiviert.")
    else:
        action, success = user_reactivate, _("Das Benutzerkonto wurde wieder aktiviert.")
    return run_action(request, lambda: action(actor=actor_for_request(request), user=user),
                      success=success, back=reverse("web:admin_user_edit", args=[user.pk]))


@login_required
@require_POST
def admin_user_password_link(request, user_id: int):
    administrators_only(request.user)
    user = object_or_404(get_user_model(), user_id)

    def issue():
        _keep_link(request, user, user_password_link(actor=actor_for_request(request),
                                                     user=user))

    return run_action(request, issue,
                      success=_("Ein neuer Link wurde ausgestellt; das bisherige Kennwort gilt "
                                "nicht mehr."),
                      back=reverse("web:admin_user_edit", args=[user.pk]))


# --- organisation units -------------------------------------------------------------------

UNIT_COLUMNS = [
    Column(gettext_lazy("Kürzel"), "kuerzel", ("code",)),
    Column(gettext_lazy("Bezeichnung"), "bezeichnung", ("name",)),
    Column(gettext_lazy("Mitglieder"), "mitglieder", ("member_count",)),
]


@login_required
@require_GET
def admin_units(request):
    administrators_only(request.user)
    units = Unit.objects.annotate(member_count=Count("members"))
    return render(request, "web/admin_units.html",
                  sorted_page(request, units, UNIT_COLUMNS, "kuerzel"))


def _unit_context(unit=None) -> dict:
    if unit is None:
        return {"title": _("Neue Organisationseinheit"),
                "action": reverse("web:admin_unit_create")}
    return {"title": _("Organisationseinheit %(code)s bearbeiten") % {"code": unit.code},
            "action": reverse("web:admin_unit_update", args=[unit.pk]),
            "history": history("unit", unit.pk)}


@login_required
@require_GET
def admin_unit_new(request):
    administrators_only(request.user)
    return _form_page(request, "web/admin_unit_form.html",
                      {**_unit_context(), "form": UnitForm()})


@login_required
@require_POST
def admin_unit_create(request):
    administrators_only(request.user)
    return _submit(request, UnitForm(request.POST),
                   lambda data: unit_create(actor=actor_for_request(request), **data),
                   success=_("Die Organisationseinheit wurde angelegt."),
                   then="web:admin_units", template="web/admin_unit_form.html",
                   context=_unit_context())


@login_required
@require_GET
def admin_unit_edit(request, unit_id: int):
    administrators_only(request.user)
    unit = object_or_404(Unit, unit_id)
    form = UnitEditForm(unit=unit, initial={
        "code": unit.code, "name": unit.name,
        "default_caseworker": unit.default_caseworker.username if unit.default_caseworker
        else ""})
    return _form_page(request, "web/admin_unit_form.html", {**_unit_context(unit), "form": form})


@login_required
@require_POST
def admin_unit_update(request, unit_id: int):
    administrators_only(request.user)
    unit = object_or_404(Unit, unit_id)
    return _submit(request, UnitEditForm(request.POST, unit=unit),
                   lambda data: _unit_save(actor_for_request(request), unit, data),
                   success=_("Die Änderungen wurden gespeichert."), then="web:admin_units",
                   template="web/admin_unit_form.html", context=_unit_context(unit))


def _unit_save(actor, unit, data):
    """Code, name and default caseworker: one form, saved together or not at all."""
    username = data.pop("default_caseworker", "")
    with transaction.atomic():
        unit = unit_update(actor=actor, unit=unit, **data)
        unit_default_caseworker_set(
            actor=actor, unit=unit,
            caseworker=get_user_model().objects.filter(username=username).first()
            if username else None)


# --- document types -----------------------------------------------------------------------

DOCTYPE_COLUMNS = [
    Column(gettext_lazy("Schlüssel"), "schluessel", ("key",)),
    Column(gettext_lazy("Bezeichnung"), "bezeichnung", ("name",)),
    Column(gettext_lazy("Vorgang"), "vorgang", ("process_name",)),
    Column(gettext_lazy("Erkennungsregel")),
    Column(gettext_lazy("Vorrang"), "vorrang", ("-priority",)),
    Column(gettext_lazy("Status"), "status", ("-active",)),
]


@login_required
@require_GET
def admin_doctypes(request):
    administrators_only(request.user)
    return render(request, "web/admin_doctypes.html",
                  sorted_page(request, DocumentType.objects.all(), DOCTYPE_COLUMNS,
                              "schluessel"))


def _doctype_context(document_type=None) -> dict:
    if document_type is None:
        return {"title": _("Neuer Dokumenttyp"), "action": reverse("web:admin_doctype_create")}
    return {"title": _("Dokumenttyp %(key)s bearbeiten") % {"key": document_type.key},
            "action": reverse("web:admin_doctype_update", args=[document_type.pk]),
            "history": history("document_type", document_type.pk)}


@login_required
@require_GET
def admin_doctype_new(request):
    administrators_only(request.user)
    return _form_page(request, "web/admin_doctype_form.html",
                      {**_doctype_context(), "form": DocumentTypeCreateForm()})


@login_required
@require_POST
def admin_doctype_create(request):
    administrators_only(request.user)
    return _submit(request, DocumentTypeCreateForm(request.POST),
                   lambda data: document_type_add(actor=actor_for_request(request), **data),
                   success=_("Der Dokumenttyp wurde angelegt."), then="web:admin_doctypes",
                   template="web/admin_doctype_form.html", context=_doctype_context())


@login_required
@require_GET
def admin_doctype_edit(request, document_type_id: int):
    administrators_only(request.user)
    document_type = object_or_404(DocumentType, document_type_id)
    form = DocumentTypeForm(initial=DocumentTypeForm.initial_for(document_type))
    return _form_page(request, "web/admin_doctype_form.html",
                      {**_doctype_context(document_type), "form": form})


@login_required
@require_POST
def admin_doctype_update(request, document_type_id: int):
    administrators_only(request.user)
    document_type = object_or_404(DocumentType, document_type_id)
    return _submit(request, DocumentTypeForm(request.POST),
                   lambda data: document_type_update(actor=actor_for_request(request),
                                                     document_type=document_type, **data),
                   success=_("Die Änderungen wurden gespeichert."), then="web:admin_doctypes",
                   template="web/admin_doctype_form.html",
                   context=_doctype_context(document_type))
