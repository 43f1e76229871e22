"""Signals the archive declares so that other apps can react without importing each other.
Receivers are connected in the receiving app's AppConfig.ready.

Each signal is named for what happened and carries everything a receiver needs as keyword
arguments, so that no receiver has to ask which class sent it. The sender is always the model
class concerned and carries no meaning. Receivers are sent inside the change's transaction;
one that starts work elsewhere defers it to transaction.on_commit."""
from django.dispatch import Signal

version_filed = Signal()
"""A version was stored: the first of a new document or a later one.
kwargs: document_id (int), version_id (int)"""

document_changed = Signal()
"""A document's metadata or place changed (edited, moved, moved with its process); its own
entry elsewhere (the index) must follow now. kwargs: document_id (int)"""

case_file_access_changed = Signal()
"""Who may read a case file changed: restriction of processing set or lifted, confidentiality
or staff case changed, a person named. Its documents' entries must follow once the change is
committed. kwargs: case_file_id (int), document_ids (list[int])"""

case_file_updated = Signal()
"""A case file's metadata changed (title, subject, confidentiality, ...); its documents'
entries carry some of it. kwargs: case_file_id (int), document_ids (list[int]),
fields (list[str]: the names of the fields that changed)"""

case_file_closed = Signal()
"""A case file was closed (zdA); its documents are now read-only and its retention starts.
kwargs: case_file_id (int), document_ids (list[int])"""

case_file_reopened = Signal()
"""A closed case file was reopened. kwargs: case_file_id (int), document_ids (list[int])"""

retention_basis_changed = Signal()
"""Something a case file's retention end is computed from may have changed besides the
signals above: it was created, a document was filed into or moved out of it, or its file plan
unit's retention schedule changed. kwargs: case_file_id (int)"""

destruction_requested = Signal()
"""Sent before anything is destroyed. A receiver vetoes by raising (retention: holds and the
public archive's pending decision). kwargs: case_file_ids (list[int]), document_ids
(list[int])"""

documents_destroyed = Signal()
"""Sent after destruction was committed, so that every copy elsewhere goes too (index, ingest
jobs, caches). kwargs: document_ids (list[int])"""

case_files_destroyed = Signal()
"""Sent inside the destruction's transaction, after the kernel cleared its own records, so that
other apps clear the free text they keep about these case files (reasons of holds, notes of
erasure requests, saved searches): it commits or rolls back with the destruction. kwargs:
case_file_ids (list[int]), terms (list[str]: what named the files' subjects, their name
parts, client numbers, birth dates and references, for matching free text; never stored)"""

trail_keep_asked = Signal()
"""Sent before log retention removes expired trail entries: each receiver returns the ids,
among `case_file_ids`, whose entries must stay past their period (retention: files under a
legal hold, whose history is evidence). kwargs: case_file_ids (list[int])"""

version_adding = Signal()
"""Sent before a new version of a document is stored, and when one is handed in for the
pipeline to file. A receiver vetoes by raising (sign-off: a signed-off document takes no new
version, nor one on an open signing route). kwargs: document_id (int)"""

document_opened = Signal()
"""A person opened a document through the access function (document_read), so it counts as
seen by them (the desk's "new post"). Sent inside the read's transaction.
kwargs: document_id (int), user_id (int), action (str: one of READ_ACTIONS)"""

follow_up_due = Signal()
"""A follow-up (Wiedervorlage) became due today; sent once per follow-up and due date by the
follow-ups' daily run. kwargs: follow_up_id (int), unit_id (int: the case file's unit),
due (date), case_file_id (int | None), document_id (int | None)"""
