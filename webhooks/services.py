"""Keeping subscribers: the administration (pages) or the operator (command line) adds,
deactivates and re-sends; each change is a trail entry. The key is returned once."""
from urllib.parse import urlparse

from django.db import transaction

from archive.actors import Actor
from archive.errors import InvalidInput, NotFound
from archive.guards import require_admin_or_operator
from archive.models import Unit
from archive.services.events import event_append

from .delivery import OPEN
from .models import EVENTS, Delivery, DeliveryState, Subscription
from .signing import secret_new

DENIED = "Webhooks richtet die Verwaltung ein."


def subscription_create(*, actor: Actor, name: str, url: str, events: list[str],
                        unit_codes: list[str]) -> tuple[Subscription, str]:
    require_admin_or_operator(actor, DENIED)
    name, url = name.strip(), url.strip()
    if not name:
        raise InvalidInput("Bitte einen Namen angeben.", code="WEBHOOK_NAME_REQUIRED")
    if Subscription.objects.filter(name=name).exists():
        raise InvalidInput("Diesen Namen gibt es schon.", code="WEBHOOK_NAME_TAKEN")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidInput("Die Adresse muss mit http:// oder https:// beginnen.",
                           code="WEBHOOK_URL_INVALID")
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise InvalidInput("Bitte bekannte Ereignisse wählen: " + ", ".join(EVENTS) + ".",
                           code="WEBHOOK_EVENTS_INVALID")
    units = list(Unit.objects.filter(code__in=unit_codes))
    if not units or len(units) != len(set(unit_codes)):
        raise InvalidInput("Bitte vorhandene Organisationseinheiten wählen.",
                           code="WEBHOOK_UNITS_INVALID")
    secret = secret_new()
    with transaction.atomic():
        subscription = Subscription.objects.create(name=name, url=url, secret=secret,
                                                   events=sorted(set(events)),
                                                   created_by=actor.label)
        subscription.units.set(units)
        event_append(action="webhook_subscribed", object_type="webhook",
                     object_id=subscription.pk, actor=actor,
                     data={"name": name, "url": url, "events": subscription.events,
                           "units": sorted(u.code for u in units)})
    return subscription, secret


def subscription_deactivate(*, actor: Actor, subscription_id: int) -> Subscription:
    """Stops sending; open deliveries are given up (kept, visible)."""
    require_admin_or_operator(actor, DENIED)
    subscription = Subscription.objects.filter(pk=subscription_id, active=True).first()
    if subscription is None:
        raise NotFound()
    with transaction.atomic():
        subscription.active = False
        subscription.save(update_fields=["active"])
        subscription.deliveries.filter(state__in=OPEN).update(state=DeliveryState.DEAD,
                                                              next_attempt_at=None)
        event_append(action="webhook_deactivated", object_type="webhook",
                     object_id=subscription.pk, actor=actor, data={"name": subscription.name})
    return subscription


def delivery_resend(*, actor: Actor, delivery_id: int) -> Delivery:
    """A given-up delivery to an active subscriber is tried again from the start."""
    require_admin_or_operator(actor, DENIED)
    delivery = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.DEAD,
                                       subscription__active=True).first()
    if delivery is None:
        raise NotFound()
    with transaction.atomic():
        delivery.state, delivery.attempts, delivery.next_attempt_at = \
            DeliveryState.PENDING, 0, None
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        event_append(action="webhook_resent", object_type="webhook",
                     object_id=delivery.subscription_id, actor=actor,
                     data={"delivery": delivery.pk, "event": delivery.event})
    from .announce import deliveries_enqueue

    transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]))
    return delivery
