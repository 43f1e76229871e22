"""Searching as a user: the permission filter is part of the backend query, so hits, counts
and snippets never come from documents the user may not see."""
import re
from dataclasses import dataclass, field

from archive.permissions import user_principals
from archive.selectors import documents_visible_to

from .analysis import query_words
from .backends import get_backend

SNIPPET_CHARS = 220


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    title: str
    file_reference: str | None
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    query: str
    count: int
    hits: list[SearchHit] = field(default_factory=list)


def _stem_prefix(word: str) -> str:
    # Close enough to the stemmer for highlighting: Bescheides still marks at "Bescheid".
    return word[: max(4, len(word) - 3)] if len(word) > 5 else word


def snippet_for(text: str, query: str) -> str:
    """A passage around the first query word, the words marked [[...]]."""
    compact = re.sub(r"\s+", " ", text).strip()
    words = sorted({_stem_prefix(w) for w in query_words(query)}, key=len, reverse=True)
    if not compact or not words:
        return compact[:SNIPPET_CHARS]
    marker = re.compile("|".join(r"\w*" + _umlaut_tolerant(w) + r"\w*" for w in words),
                        re.IGNORECASE)
    first = marker.search(compact)
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    passage = marker.sub(lambda m: f"[[{m.group(0)}]]", compact[start : start + SNIPPET_CHARS])
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_CHARS < len(compact) else ""
    return prefix + passage + suffix


def _umlaut_tolerant(folded_word: str) -> str:
    pattern = re.escape(folded_word)
    for plain, umlaut in (("ae", "(?:ae|ä)"), ("oe", "(?:oe|ö)"), ("ue", "(?:ue|ü)"),
                          ("ss", "(?:ss|ß)")):
        pattern = pattern.replace(plain, umlaut)
    return pattern


def documents_search(*, user, query: str, limit: int = 20, offset: int = 0) -> SearchPage:
    query = query.strip()
    if not query:
        return SearchPage(query=query, count=0)
    result = get_backend().search(query, principals=user_principals(user), limit=limit,
                                  offset=offset)
    ids = [hit.document_id for hit in result.hits]
    # The index already filtered; the database check guards against a stale index entry.
    documents = {d.pk: d for d in documents_visible_to(user).filter(pk__in=ids)
                 .prefetch_related("versions")}
    hits = []
    for hit in result.hits:
        document = documents.get(hit.document_id)
        if document is None:
            continue
        version = max(document.versions.all(), key=lambda v: v.number, default=None)
        hits.append(SearchHit(
            document_id=document.pk, title=document.title,
            file_reference=document.case_file.file_reference if document.case_file else None,
            snippet=snippet_for(version.text if version else "", query), score=hit.score,
        ))
    return SearchPage(query=query, count=result.count, hits=hits)
