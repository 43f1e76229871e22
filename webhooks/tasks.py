from celery import shared_task

from archive.actors import channel_context, system_actor

from .delivery import deliveries_due, delivery_send


@shared_task(name="webhooks.deliver")
def deliver(delivery_id: int):
    with channel_context(system_actor("worker", "webhooks")):
        delivery_send(delivery_id)


@shared_task(name="webhooks.retry_due")
def retry_due():
    """Every minute: what failed and waited its backoff, and what was never enqueued."""
    with channel_context(system_actor("scheduler", "webhooks")):
        for pk in deliveries_due():
            delivery_send(pk)
