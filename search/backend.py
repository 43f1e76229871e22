"""The SearchBackend protocol. Backends receive entries already analysed (search.analysis) and
their access principals, and must apply the principal filter inside the query, so that hits,
counts and facets can only come from documents the user may see."""
import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

FACETS = ("document_type", "unit", "case_file", "sender", "year")
STATES = ("open", "closed", "inbox")  # the case file's state, or unfiled
SORTS = ("relevance", "newest", "oldest", "letter_date", "title")
TITLE_KEY_CHARS = 200


def title_key(title: str) -> str:
    """What titles sort by on every backend: case and accents folded (Ärger with Anfrage,
    Straße as Strasse), so the order is the same whatever the engine compares."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).strip()[
        :TITLE_KEY_CHARS]


def local_year(moment: datetime | None) -> int | None:
    """The calendar year of an instant in the office's configured time zone (Europe/Berlin):
    a letter received on 31 December at 23:30 local time belongs to that year."""
    if moment is None:
        return None
    from django.utils import timezone

    return moment.astimezone(timezone.get_default_timezone()).year


@dataclass(frozen=True)
class IndexEntry:
    document_id: int
    head: list[str]  # analysed tokens of title, sender, file reference, case file subject
    body: list[str]  # analysed tokens of the latest version's text
    principals: frozenset[str]
    document_type: str = ""
    sender: str = ""
    unit_id: int | None = None
    case_file_id: int | None = None
    letter_date: date | None = None
    received_at: datetime | None = None
    state: str = "open"
    title: str = ""

    @property
    def year(self) -> int | None:
        return local_year(self.received_at)

    @property
    def title_key(self) -> str:
        return title_key(self.title)

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes; `search check` compares it."""
        parts = [" ".join(self.head), " ".join(self.body), " ".join(sorted(self.principals)),
                 self.document_type, self.sender, str(self.unit_id), str(self.case_file_id),
                 str(self.letter_date), self.received_at.isoformat() if self.received_at else "",
                 self.state, self.title_key]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Filters:
    document_types: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    case_file_ids: tuple[int, ...] = ()
    senders: tuple[str, ...] = ()
    letter_date_from: date | None = None
    letter_date_to: date | None = None
    received_from: date | None = None
    received_to: date | None = None
    exclude_document_ids: tuple[int, ...] = ()
    states: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # received, in the office's local time


def received_bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """Received dates are the local calendar days of the office, as UTC instants: from the
    start of the first day to (excluding) the start of the day after the last."""
    from django.utils import timezone

    local = timezone.get_current_timezone()

    def start(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=local).astimezone(UTC)

    low, high = filters.received_from, filters.received_to
    return (start(low) if low else None, start(high + timedelta(days=1)) if high else None)


@dataclass(frozen=True)
class BackendQuery:
    node: object  # a search.query tree
    principals: frozenset[str]
    filters: Filters = Filters()
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = False
    # Count exactly up to this many matches; beyond, the backend may stop counting at
    # count_limit + 1 ("more than count_limit"). None: count every match.
    count_limit: int | None = None


def capped(count: int, limit: int | None) -> int:
    """A count as the backends report it: exact up to the limit, else limit + 1."""
    return count if limit is None else min(count, limit + 1)


@dataclass(frozen=True)
class BackendHit:
    document_id: int
    score: float


@dataclass(frozen=True)
class BackendResult:
    count: int  # at most query.count_limit + 1 (which means "more than count_limit")
    hits: list[BackendHit] = field(default_factory=list)
    # facet name -> [(value, count)], most frequent first
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class PurgeDeferred(RuntimeError):
    """The purge cannot remove every trace yet (PostgreSQL: an older transaction may still
    see the rows); it is retried later."""


# Builds fresh entries for document ids (those no longer in the database are left out).
EntrySource = Callable[[list[int]], list[IndexEntry]]


class SearchBackend(Protocol):
    name: str
    version: str  # schema and analysis; a change means a rebuild
    # True when writes join the caller's database transaction (PostgreSQL).
    transactional: bool

    def needs_rebuild(self) -> bool: ...

    def upsert(self, entries: list[IndexEntry]) -> None: ...

    def delete(self, document_ids: list[int]) -> None: ...

    def purge(self, document_ids: list[int], entries: EntrySource) -> None:
        """Delete so that no token of these documents remains in the index's storage."""

    def clear(self) -> None: ...

    def replace_all(self, batches: Iterable[list[IndexEntry]]) -> None:
        """Replace the whole index with these entries (a rebuild); file-based backends swap
        in one commit, so searches keep answering from the old index meanwhile."""

    def fingerprints(self) -> dict[int, str]: ...

    def count(self) -> int:
        """The number of entries (cheap, unlike fingerprints)."""

    def search(self, query: BackendQuery) -> BackendResult: ...

    def mark_built(self) -> None:
        """Record that the index now matches the current schema and analysis."""
