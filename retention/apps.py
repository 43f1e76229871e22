from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Aufbewahrung"

    def ready(self):
        from archive.schedules import schedule_lookup_register
        from archive.signals import (
            case_file_closed,
            case_file_reopened,
            case_file_updated,
            case_files_destroyed,
            destruction_requested,
            retention_basis_changed,
            trail_keep_asked,
        )

        from . import checks, handlers  # noqa: F401  (registers the system check)

        destruction_requested.connect(handlers.veto_destruction, dispatch_uid="retention.veto")
        case_files_destroyed.connect(handlers.clear_destroyed, dispatch_uid="retention.clear")
        trail_keep_asked.connect(handlers.held_files, dispatch_uid="retention.trail_keep")
        for name, signal in {"basis": retention_basis_changed, "closed": case_file_closed,
                             "reopened": case_file_reopened, "updated": case_file_updated}.items():
            signal.connect(handlers.recompute, dispatch_uid=f"retention.recompute.{name}")
        # The kernel validates a plan unit's schedule through this lookup (archive/schedules).
        schedule_lookup_register(handlers.known_schedules)
