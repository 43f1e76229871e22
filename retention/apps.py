from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention schedules, holds and disposal arrive with the retention issue."""

    name = "retention"
    verbose_name = "Aufbewahrung"
