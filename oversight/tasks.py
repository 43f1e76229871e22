"""The periodic scan for misuse alerts (scheduled in config/settings.py)."""

from celery import shared_task

from archive.actors import system_actor

from .services import alerts_scan


@shared_task(name="oversight.scan_alerts")
def scan_alerts() -> int:
    return len(alerts_scan(actor=system_actor("scheduler", "oversight")))
