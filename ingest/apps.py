from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Posteingang"

    def ready(self):
        from . import heartbeat

        heartbeat.connect()
