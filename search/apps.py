from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Suche"

    def ready(self):
        from archive.signals import (
            case_file_access_changed,
            case_file_closed,
            case_file_reopened,
            case_file_updated,
            case_files_destroyed,
            document_changed,
            documents_destroyed,
            version_filed,
        )

        from . import handlers

        version_filed.connect(handlers.on_version_filed, dispatch_uid="search.version")
        document_changed.connect(handlers.on_document_changed, dispatch_uid="search.document")
        case_file_access_changed.connect(handlers.on_case_file_access_changed,
                                         dispatch_uid="search.access")
        for name, signal in {"updated": case_file_updated, "closed": case_file_closed,
                             "reopened": case_file_reopened}.items():
            signal.connect(handlers.on_case_file_state_changed,
                           dispatch_uid=f"search.case_file.{name}")
        documents_destroyed.connect(handlers.on_documents_destroyed,
                                    dispatch_uid="search.destroyed")
        case_files_destroyed.connect(handlers.on_case_files_destroyed,
                                     dispatch_uid="search.destroyed_subjects")
        # After every migrate, i.e. on every upgrade: rebuild when backend or analysis changed.
        post_migrate.connect(handlers.on_post_migrate, sender=self,
                             dispatch_uid="search.ensure_current")
