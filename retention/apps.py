from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Aufbewahrung"

    def ready(self):
        from archive.schedules import schedule_lookup_register
        from archive.signals import case_file_changed, pre_destroy

        from . import checks, handlers  # noqa: F401  (registers the system check)

        pre_destroy.connect(handlers.veto_destruction, dispatch_uid="retention.veto")
        case_file_changed.connect(handlers.recompute, dispatch_uid="retention.recompute")
        # The kernel validates a plan unit's schedule through this lookup (archive/schedules).
        schedule_lookup_register(handlers.known_schedules)
