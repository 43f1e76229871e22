from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Wiedervorlagen und Fristen"

    def ready(self):
        from django.db.models.signals import post_migrate

        from archive.desk_sources import desk_source_register
        from archive.signals import documents_destroyed

        from . import permissions
        from .desk import deadline_entries, follow_up_entries
        from .handlers import forget_destroyed

        # The desk (another app) asks these; neither app imports the other.
        desk_source_register("follow_up", follow_up_entries)
        desk_source_register("deadline", deadline_entries)
        documents_destroyed.connect(forget_destroyed, dispatch_uid="followups.forget")
        # The unit lead's permission survives a test database's flush (see permissions.py).
        post_migrate.connect(permissions.after_migrate, sender=self,
                             dispatch_uid="followups.permissions")
