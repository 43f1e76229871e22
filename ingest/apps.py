from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Posteingang"

    def ready(self):
        from archive.signals import documents_destroyed

        from . import heartbeat
        from .destruction import scrub_jobs_of_destroyed_documents

        heartbeat.connect()
        documents_destroyed.connect(scrub_jobs_of_destroyed_documents,
                                    dispatch_uid="ingest.destroyed")
