"""The SearchBackend protocol. Backends receive documents already folded and their access
principals, and must apply the principal filter inside the query."""
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class IndexEntry:
    document_id: int
    title: str
    body: str
    file_reference: str
    principals: frozenset[str]


@dataclass(frozen=True)
class BackendHit:
    document_id: int
    score: float


@dataclass(frozen=True)
class BackendResult:
    count: int
    hits: list[BackendHit] = field(default_factory=list)


class SearchBackend(Protocol):
    def upsert(self, entries: list[IndexEntry]) -> None: ...

    def delete(self, document_ids: list[int]) -> None: ...

    def search(self, query: str, *, principals: frozenset[str], limit: int,
               offset: int) -> BackendResult: ...

    def clear(self) -> None: ...

    def document_ids(self) -> set[int]: ...
