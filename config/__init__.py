"""Wiring: settings, URLs, the Celery app and the `registratur` command."""
from .celery import app as celery_app

__all__ = ["celery_app"]
