from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from axes.signals import user_locked_out

        from .lockouts import lockout_recorded

        user_locked_out.connect(lockout_recorded, dispatch_uid="identity-lockout")
