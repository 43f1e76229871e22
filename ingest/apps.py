from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Posteingang"

    def ready(self):
        from archive.signals import document_changed, documents_destroyed

        from . import heartbeat
        from .classification.stale import retire_models_of_destroyed, retire_models_of_restricted
        from .destruction import scrub_jobs_of_destroyed_documents
        from .pages import page_cache_purge

        heartbeat.connect()
        documents_destroyed.connect(scrub_jobs_of_destroyed_documents,
                                    dispatch_uid="ingest.destroyed")
        # The cached page pictures are copies of the content: they go with the document.
        documents_destroyed.connect(page_cache_purge, dispatch_uid="ingest.pages.destroyed")
        # A model that learned from destroyed or restricted post is retired at once.
        documents_destroyed.connect(retire_models_of_destroyed,
                                    dispatch_uid="ingest.classifier.destroyed")
        document_changed.connect(retire_models_of_restricted,
                                 dispatch_uid="ingest.classifier.restricted")
