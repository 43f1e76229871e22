from django.apps import AppConfig


class SignoffConfig(AppConfig):
    name = "signoff"
    verbose_name = "Aktenvermerke und Zeichnung"

    def ready(self):
        from django.db.models.signals import post_migrate

        from archive.desk_sources import desk_source_register
        from archive.signals import documents_destroyed, version_adding

        from . import desk, handlers, permissions

        post_migrate.connect(permissions.after_migrate, sender=self,
                             dispatch_uid="signoff.permissions")

        # A signed-off document, or one on an open route, takes no new version.
        version_adding.connect(handlers.veto_new_version, dispatch_uid="signoff.veto_version")
        documents_destroyed.connect(handlers.routes_of_destroyed,
                                    dispatch_uid="signoff.destroyed")
        desk_source_register("signoff", desk.signoff_desk_entries)
