"""The Celery app. Queues: `ingest` (pipeline jobs) and `index` (the single index writer)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registratur")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
