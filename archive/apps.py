from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _append_only_restore(sender, using, **kwargs):
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .services.dbroles import SQLITE_MIGRATION, sqlite_append_only_ensure

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if ("archive", SQLITE_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        sqlite_append_only_ensure(connection)


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archiv"

    def ready(self):
        # A later migration that alters archive_event makes SQLite rebuild the table, and the
        # rebuilt table has no triggers; put them back after every migrate.
        post_migrate.connect(_append_only_restore, sender=self,
                             dispatch_uid="archive_event_append_only")

        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from .logins import logged_out, login_failed, login_succeeded

        user_logged_in.connect(login_succeeded, dispatch_uid="archive.login")
        user_login_failed.connect(login_failed, dispatch_uid="archive.login_failed")
        user_logged_out.connect(logged_out, dispatch_uid="archive.logout")

        # A request's memo of principals is dropped whenever what they are made of changes.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import BreakGlass, CaseFile, Share, StaffProfile
        from .permissions import principals_memo_clear

        for model in (get_user_model(), StaffProfile, Share, BreakGlass, CaseFile):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(principals_memo_clear, sender=model,
                               dispatch_uid=f"archive.principals.{model.__name__}.{name}")
        m2m_changed.connect(principals_memo_clear, sender=StaffProfile.units.through,
                            dispatch_uid="archive.principals.units")
        m2m_changed.connect(principals_memo_clear, sender=CaseFile.named_persons.through,
                            dispatch_uid="archive.principals.named_persons")
