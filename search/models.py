"""The search app's tables: which index is current, and the PostgreSQL backend's entries."""
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class IndexState(models.Model):
    """One row: the backend and analysis the index was last fully built with. A difference to
    the running configuration means the index must be rebuilt (see index_ensure_current)."""

    backend = models.CharField(max_length=32)
    version = models.CharField(max_length=32)
    built_at = models.DateTimeField(auto_now=True)


class SearchEntry(models.Model):
    """The PostgreSQL backend's index entry of one document. Created on PostgreSQL only (see
    the migration); written in the same transaction as the document it describes."""

    document_id = models.BigIntegerField(primary_key=True)
    fingerprint = models.CharField(max_length=16)
    # Lexemes come analysed by search.analysis, with positions; weight A = head, D = body.
    vector = SearchVectorField()
    principals = ArrayField(models.CharField(max_length=64))
    document_type = models.CharField(max_length=64, blank=True)
    sender = models.CharField(max_length=300, blank=True)
    unit_id = models.BigIntegerField(null=True)
    case_file_id = models.BigIntegerField(null=True)
    letter_date = models.DateField(null=True)
    received_at = models.DateTimeField(null=True)
    state = models.CharField(max_length=16, default="open")
    year = models.IntegerField(null=True)  # received, in the office's local time
    title_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            GinIndex(fields=["vector"], name="search_entry_vector"),
            GinIndex(fields=["principals"], name="search_entry_principals"),
            models.Index(fields=["received_at"], name="search_entry_received"),
        ]


class IndexPurge(models.Model):
    """A destroyed document whose every trace must leave the index's storage. Recorded when
    its entry is hidden at the destruction's commit; `purged_at` is set once the purge (which
    may rewrite the whole index) has run, so it never runs again for this document."""

    document_id = models.BigIntegerField(primary_key=True)
    hidden_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["purged_at"], name="search_purge_pending")]


class SavedSearch(models.Model):
    """A search a user keeps under a name: only its parameters (query, filters, sorting),
    never results, so running it always searches anew with the user's current rights. Only
    its owner sees it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="saved_searches")
    name = models.CharField(max_length=100)
    # {parameter: [values]} as the search page names them; validated before saving.
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"],
                                               name="search_saved_unique_name")]
