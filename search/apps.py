from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Suche"

    def ready(self):
        from archive.signals import document_changed, version_created

        from . import handlers

        version_created.connect(handlers.on_version_created, dispatch_uid="search.version")
        document_changed.connect(handlers.on_document_changed, dispatch_uid="search.document")
