from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Arbeitsplatz"

    def ready(self):
        from archive.desk_sources import desk_source_register
        from archive.signals import document_opened, documents_destroyed

        from .receivers import document_seen, documents_gone
        from .sources import handed_entries, new_post_entries

        desk_source_register("new_post", new_post_entries)
        desk_source_register("handed", handed_entries)
        document_opened.connect(document_seen, dispatch_uid="desk.document_seen")
        documents_destroyed.connect(documents_gone, dispatch_uid="desk.documents_gone")
