"""Signals the archive declares so that other apps can react without importing each other.
Receivers are connected in the receiving app's AppConfig.ready."""
from django.dispatch import Signal

# Sent inside the filing transaction; receivers that start work must defer it to on_commit.
# kwargs: document_id, version_id
version_created = Signal()
# kwargs: document_id
document_changed = Signal()
