from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Wiedervorlagen und Fristen"

    def ready(self):
        from archive.desk_sources import desk_source_register
        from archive.services.staff import permission_grantable_register
        from archive.signals import documents_destroyed

        from .desk import deadline_entries, follow_up_entries
        from .handlers import forget_destroyed

        # The desk (another app) asks these; neither app imports the other.
        desk_source_register("follow_up", follow_up_entries)
        desk_source_register("deadline", deadline_entries)
        documents_destroyed.connect(forget_destroyed, dispatch_uid="followups.forget")
        # The unit lead's view of the unit's deadlines, granted on the administration's page.
        permission_grantable_register("view_unit_deadlines",
                                      "Fristen der Organisationseinheit einsehen")
