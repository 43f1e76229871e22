"""Sending one delivery: a signed POST with a short timeout. A failure is retried with
exponential backoff (30 s, 1 min, 2 min, ... up to 6 h) and given up after
WEBHOOK_MAX_ATTEMPTS; every attempt's outcome is kept on the delivery for the admin page."""
import json
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, DeliveryState
from .signing import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
OPEN = (DeliveryState.PENDING, DeliveryState.RETRYING)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0),
                                 BACKOFF_MAX_SECONDS))


def delivery_send(delivery_id: int) -> Delivery | None:
    """Send one open delivery; None when it is not open (delivered meanwhile, given up)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=delivery_id, state__in=OPEN).first())
        if delivery is None:
            return None
        # Claimed for this attempt: a sweep running meanwhile skips it for a while.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    stamp = str(int(time.time()))
    subscription = delivery.subscription
    headers = {"Content-Type": "application/json", EVENT_HEADER: delivery.event,
               TIMESTAMP_HEADER: stamp,
               SIGNATURE_HEADER: signature(subscription.secret, stamp, body)}
    status, error = None, ""
    try:
        response = requests.post(subscription.url, data=body, headers=headers,
                                 timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except requests.RequestException as exception:
        error = type(exception).__name__
    delivery.last_status, delivery.last_error = status, error[:300]
    if not error:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not subscription.active:
        delivery.state, delivery.next_attempt_at = DeliveryState.DEAD, None
    else:
        delivery.state = DeliveryState.RETRYING
    delivery.save(update_fields=["last_status", "last_error", "state", "delivered_at",
                                 "next_attempt_at"])
    return delivery


def deliveries_due(limit: int = 200) -> list[int]:
    """Open deliveries whose backoff has passed, and those never enqueued (a minute old)."""
    now = timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True,
                                          created_at__lte=now - timedelta(seconds=60))
    return list(Delivery.objects.filter(due, state__in=OPEN, subscription__active=True)
                .order_by("pk").values_list("pk", flat=True)[:limit])
