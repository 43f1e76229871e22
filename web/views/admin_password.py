"""Setting one's own password through the one-time link the administration issued
(archive.services.staff.user_password_link). Reachable without signing in: the link itself is
the proof; a stale or used one is refused like any unknown link."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.errors import InvalidInput
from archive.services.staff import user_for_password_link, user_password_set_with_link

from ..admin_forms import PasswordSetForm


def _page(request, uidb64, token, person, form, status=200):
    return render(request, "web/admin_password_set.html",
                  {"person": person, "form": form,
                   "action": reverse("web:password_set_save", args=[uidb64, token])},
                  status=status)


@require_GET
def password_set(request, uidb64: str, token: str):
    person = user_for_password_link(uidb64, token)
    return _page(request, uidb64, token, person, PasswordSetForm())


@require_POST
def password_set_save(request, uidb64: str, token: str):
    person = user_for_password_link(uidb64, token)
    form = PasswordSetForm(request.POST)
    if form.is_valid():
        try:
            user_password_set_with_link(uidb64=uidb64, token=token,
                                        password=form.cleaned_data["password"])
        except InvalidInput as error:
            if error.code != "PASSWORD_INVALID":
                raise
            form.add_error("password", f"{error.message} ({error.code})")
        else:
            messages.success(request, _("Ihr Kennwort ist gesetzt. Bitte melden Sie sich an."))
            return redirect("web:login")
    return _page(request, uidb64, token, person, form, status=400)
