from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archiv"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from .logins import logged_out, login_failed, login_succeeded

        user_logged_in.connect(login_succeeded, dispatch_uid="archive.login")
        user_login_failed.connect(login_failed, dispatch_uid="archive.login_failed")
        user_logged_out.connect(logged_out, dispatch_uid="archive.logout")
