from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Suche"

    def ready(self):
        from archive.signals import (
            case_file_changed,
            document_changed,
            documents_destroyed,
            version_created,
        )

        from . import handlers

        version_created.connect(handlers.on_version_created, dispatch_uid="search.version")
        document_changed.connect(handlers.on_document_changed, dispatch_uid="search.document")
        case_file_changed.connect(handlers.on_case_file_changed, dispatch_uid="search.case_file")
        documents_destroyed.connect(handlers.on_documents_destroyed,
                                    dispatch_uid="search.destroyed")
        # After every migrate, i.e. on every upgrade: rebuild when backend or analysis changed.
        post_migrate.connect(handlers.on_post_migrate, sender=self,
                             dispatch_uid="search.ensure_current")
