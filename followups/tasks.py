from celery import shared_task

from archive.actors import channel_context, system_actor

from .announce import follow_ups_announce_due


@shared_task(name="followups.announce_due")
def announce_due():
    with channel_context(system_actor("scheduler", "follow-ups")):
        return follow_ups_announce_due()
