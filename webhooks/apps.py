from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from archive.signals import (
            case_file_closed,
            document_changed,
            follow_up_due,
            version_filed,
        )

        from . import receivers

        version_filed.connect(receivers.version_stored, dispatch_uid="webhooks.version")
        document_changed.connect(receivers.document_moved, dispatch_uid="webhooks.moved")
        case_file_closed.connect(receivers.case_file_closed, dispatch_uid="webhooks.closed")
        follow_up_due.connect(receivers.follow_up_due, dispatch_uid="webhooks.follow_up")
