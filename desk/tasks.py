from celery import shared_task

from archive.actors import channel_context, system_actor

from .services.digest import digests_send


@shared_task(name="desk.send_digests")
def send_digests():
    with channel_context(system_actor("scheduler", "desk-digest")):
        return digests_send()
