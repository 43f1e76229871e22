"""The administration's identity pages: service accounts' API tokens (created and shown once,
listed, revoked) and the reset of a person's second factor."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound, RegistraturError
from identity.second_factor import second_factor_reset
from identity.tokens import token_create, token_list, token_revoke

from ..token_forms import ACTION_LABELS, TokenCreateForm
from .actions import object_or_404, run_action
from .admin import administrators_only


def _tokens_page(request, form, created=None, raw="", status=200):
    tokens = token_list(actor=actor_for_request(request))
    return render(request, "web/admin_tokens.html", {
        "tokens": tokens, "form": form, "created": created, "raw_token": raw,
        "action_labels": ACTION_LABELS}, status=status)


@login_required
@require_GET
def admin_tokens(request):
    administrators_only(request.user)
    return _tokens_page(request, TokenCreateForm())


@login_required
@require_POST
def admin_token_create(request):
    """The answer shows the token once; it is not redirected to, so it stays out of history
    and of every later page."""
    administrators_only(request.user)
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = token_create(
                actor=actor_for_request(request), name=data["name"], username=data["account"],
                units=data["units"], actions=data["actions"], expires_at=form.expires_at())
        except NotFound as unknown:
            form.add_error("account", f"{unknown.message} ({unknown.code})")
        except RegistraturError as refused:
            form.add_error(None, f"{refused.message} ({refused.code})")
        else:
            return _tokens_page(request, TokenCreateForm(), created=token, raw=raw)
    return _tokens_page(request, form, status=400)


@login_required
@require_POST
def admin_token_revoke(request, token_id: int):
    administrators_only(request.user)
    return run_action(request, lambda: token_revoke(actor=actor_for_request(request),
                                                    token_id=token_id),
                      success=lambda token: _("Das Token „%(name)s“ ist widerrufen.")
                      % {"name": token.name},
                      back=reverse("web:admin_tokens"))


@login_required
@require_POST
def admin_user_second_factor_reset(request, user_id: int):
    administrators_only(request.user)
    user = object_or_404(get_user_model(), user_id)
    second_factor_reset(actor=actor_for_request(request), user_id=user.pk)
    messages.success(request, _("Der zweite Faktor wurde zurückgesetzt; die Person richtet "
                                "bei der nächsten Anmeldung einen neuen ein."))
    return redirect("web:admin_user_edit", user.pk)
