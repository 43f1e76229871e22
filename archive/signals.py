"""Signals the archive declares so that other apps can react without importing each other.
Receivers are connected in the receiving app's AppConfig.ready."""
from django.dispatch import Signal

# Sent inside the filing transaction; receivers that start work must defer it to on_commit.
# kwargs: document_id, version_id
version_created = Signal()
# kwargs: document_id
document_changed = Signal()
# Sent before anything is destroyed; a receiver vetoes by raising (retention: holds and the
# archive's pending decision). kwargs: case_file_ids, document_ids
pre_destroy = Signal()
# Sent after destruction was committed, so that every copy elsewhere goes too (index,
# ingest jobs, caches). kwargs: document_ids
documents_destroyed = Signal()
# A case file's retention trigger may have changed (closed, reopened, metadata, class).
# kwargs: case_file_id
case_file_changed = Signal()
