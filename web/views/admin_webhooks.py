"""The administration's webhook page: subscribers (the signing key shown once), their
deliveries with state and attempts, deactivation and re-sending of given-up deliveries."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import RegistraturError
from webhooks.models import EVENTS
from webhooks.selectors import deliveries_listed, subscriptions_listed
from webhooks.services import delivery_resend, subscription_create, subscription_deactivate

from ..webhook_forms import WebhookCreateForm
from .actions import run_action
from .admin import administrators_only


def _page(request, form, created=None, secret="", status=200):
    return render(request, "web/admin_webhooks.html", {
        "subscriptions": subscriptions_listed(), "deliveries": deliveries_listed(),
        "form": form, "created": created, "secret": secret, "event_labels": EVENTS},
        status=status)


@login_required
@require_GET
def admin_webhooks(request):
    administrators_only(request.user)
    return _page(request, WebhookCreateForm())


@login_required
@require_POST
def admin_webhook_create(request):
    """Answered with the page itself, not a redirect: the key is shown this once."""
    administrators_only(request.user)
    form = WebhookCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = subscription_create(
                actor=actor_for_request(request), name=data["name"], url=data["url"],
                events=data["events"], unit_codes=data["units"])
        except RegistraturError as refused:
            form.add_error(None, f"{refused.message} ({refused.code})")
        else:
            return _page(request, WebhookCreateForm(), created=subscription, secret=secret)
    return _page(request, form, status=400)


@login_required
@require_POST
def admin_webhook_deactivate(request, subscription_id: int):
    administrators_only(request.user)
    return run_action(request, lambda: subscription_deactivate(
        actor=actor_for_request(request), subscription_id=subscription_id),
        success=lambda s: _("Der Webhook „%(name)s“ ist deaktiviert.") % {"name": s.name},
        back=reverse("web:admin_webhooks"))


@login_required
@require_POST
def admin_webhook_resend(request, delivery_id: int):
    administrators_only(request.user)
    return run_action(request, lambda: delivery_resend(
        actor=actor_for_request(request), delivery_id=delivery_id),
        success=_("Die Zustellung wird erneut gesendet."), back=reverse("web:admin_webhooks"))
