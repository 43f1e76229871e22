"""From what happened in the archive to deliveries: one per active subscriber that chose the
event and whose units hold the case file. The payload names ids and links only, never a
name, a title or a file's content: the subscriber reads those through the API, trimmed and
logged like every read. Sending happens after the commit, in a worker."""
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import Delivery, Subscription

log = logging.getLogger(__name__)


def _link(name: str, pk: int) -> str:
    try:
        return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])
    except NoReverseMatch:  # a deployment without the pages (API only)
        return ""


def case_file_ref(case_file_id: int) -> dict:
    return {"id": case_file_id, "url": _link("web:case_file", case_file_id)}


def document_ref(document_id: int) -> dict:
    return {"id": document_id, "url": _link("web:document", document_id)}


def announce(event: str, *, unit_id: int, data: dict) -> list[Delivery]:
    """Queue the event for its subscribers. Never raises: a fault here must not undo the
    filing or closing that caused it (it is logged, and nothing is sent)."""
    try:
        subscribers = [s for s in Subscription.objects.filter(active=True, units__id=unit_id)
                       .distinct() if event in s.events]
        deliveries = [Delivery.objects.create(
            subscription=subscriber, event=event,
            payload={"id": str(uuid.uuid4()), "event": event,
                     "occurred_at": timezone.now().isoformat(), "data": data})
            for subscriber in subscribers]
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("webhook event %s not queued", event)
        return []
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return deliveries


def deliveries_enqueue(ids: list[int]) -> None:
    from .tasks import deliver

    for pk in ids:
        try:
            deliver.delay(pk)
        except Exception:  # noqa: BLE001 - a broker down: the retry sweep sends it later
            log.warning("webhook delivery %s not enqueued; the sweep will send it", pk)
