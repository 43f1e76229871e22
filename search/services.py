"""Searching as a user. The permission filter is part of the backend query, so hits, counts,
facets, snippets and suggestions never come from documents the user may not see."""
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from archive.errors import InvalidInput, NotFound
from archive.models import CaseFile, Document, DocumentType, Unit, Version
from archive.permissions import document_principals, user_principals, user_role
from archive.selectors import document_visible_or_404, documents_with_thumbnail
from archive.services.access import list_grant
from archive.services.doctypes import document_type_names
from archive.services.events import event_append

from .analysis import analyse, analyse_prefix, token_spans
from .backend import FACETS, SORTS, BackendQuery, Filters
from .backends import get_backend
from .metrics import search_timed
from .models import IndexPurge
from .query import Or, Prefix, Term, parse, terms_of

SNIPPET_CHARS = 220
SNIPPET_SCAN = 20_000
MAX_LIMIT = 100
MAX_OFFSET = 10_000
# Ids are database keys (signed 64 bits); tantivy holds unsigned 64 bits and nothing more.
MAX_ID = 2**63 - 1
# Dates a letter or an intake can have; outside, local days as UTC instants overflow.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
MORE_LIKE_THIS_TERMS = 12
# Words too common to say what a letter is about ("more like this" leaves them out).
STOPWORDS = set(analyse(
    "aber alle als also am an auch auf aus bei bin bis da damit dass das dem den der des die "
    "dies diese diesem diesen dieser doch dort du durch ein eine einem einen einer eines er es "
    "für hat haben hier ich ihm ihn ihnen ihr ihre im in ist ja jetzt kann kein keine mit nach "
    "nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so über um und uns unter vom "
    "von vor war wie wir wird wurde zu zum zur geehrte geehrter herr frau freundlichen grüßen "
    "mit bitte wenn werden wurden sowie bzw"))


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    title: str
    file_reference: str | None
    snippet: str
    score: float
    document_type: str = ""
    sender: str = ""
    received_at: object = None
    document_type_name: str = ""  # the German name of the type (the key if since removed)
    letter_date: object = None
    # Marks of data-subject rights, shown with the hit as wherever the data appears.
    restricted: bool = False
    disputed: str = ""


@dataclass(frozen=True)
class FacetBucket:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    query: str
    count: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    # The hits whose first page is shown as a picture, and the grant they are fetched with:
    # they ride on the search's one event, which names them.
    thumbnails: frozenset[int] = frozenset()
    thumbnail_grant: str = ""
    # False: more than `count` documents match (counting stopped at the configured limit).
    count_exact: bool = True

    @property
    def count_grouped(self) -> str:
        """The count with thousands grouped as the language writes them ("10.000")."""
        return number_format(self.count, force_grouping=True)

    @property
    def count_text(self) -> str:
        """The count as a caseworker reads it: "1.234", or "mehr als 10.000"."""
        shown = self.count_grouped
        return shown if self.count_exact else _("mehr als %(count)s") % {"count": shown}


def _matcher(wanted: set[str], prefixes: tuple[str, ...]):
    if not prefixes:
        return lambda tokens: not wanted.isdisjoint(tokens)
    return lambda tokens: (not wanted.isdisjoint(tokens)
                           or any(t.startswith(prefixes) for t in tokens))


def _marked(text: str, start: int, end: int, matches) -> str:
    """The passage text[start:end] with every token that matches the query marked [[...]]."""
    out, cursor = [], start
    for token_start, token_end, tokens in token_spans(text[start:end]):
        token_start += start
        token_end += start
        if matches(tokens):
            out.append(text[cursor:token_start])
            out.append(f"[[{text[token_start:token_end]}]]")
            cursor = token_end
    out.append(text[cursor:end])
    return "".join(out)


# A stem is the start of its word, umlauts and ß undone in one of several ways: Märchen,
# Maerchen and Marchen all stem to "march", Mueller and Müller to "mull", Straße to "strass".
_LETTERS = {"a": "(?:ä|ae|a)", "o": "(?:ö|oe|o)", "u": "(?:ü|ue|u)", "s": "(?:ß|s)"}


@lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern | None:
    """Where a matching word may begin: each term's letters at the start of a word, with
    every spelling an umlaut or ß may have had. None (look at every word) when a term holds
    anything but letters a-z: numbers, file references and IBANs are analysed as a whole."""
    patterns = []
    for term in sorted(terms):
        stem = term.removesuffix("*")
        if not stem or not (stem.isascii() and stem.isalpha()):
            return None
        out, i = [], 0
        while i < len(stem):
            letter = stem[i]
            if stem[i:i + 2] == "ss":
                out.append("(?:ss|ß)")
                i += 2
                continue
            if letter == "e" and i and stem[i - 1] in "aou":
                out.append("e?")  # the e of ae, oe, ue where the word had ä, ö, ü
            else:
                out.append(_LETTERS.get(letter, letter))
            i += 1
        patterns.append("".join(out))
    return re.compile(r"\b(?:" + "|".join(patterns) + ")", re.IGNORECASE)


def _first_match(text: str, terms: set[str], matches) -> int | None:
    """Where the first word that matches the query begins. Analysing every word up to it cost
    most of a search's time; so only the words a cheap pattern points at are analysed, and
    every word only when the pattern finds none."""
    pattern = _candidates(frozenset(terms))
    if pattern is not None:
        for candidate in pattern.finditer(text):
            start = candidate.start()
            # Back to the start of the whole token (Müller-Lüdenscheidt is one).
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_" or (
                    text[start - 1] in "./-" and start > 1
                    and (text[start - 2].isalnum() or text[start - 2] == "_"))):
                start -= 1
            for token_start, _, tokens in token_spans(text[start:candidate.end() + 200]):
                if token_start + start > candidate.start():
                    break
                if matches(tokens):
                    return start + token_start
    return next((s for s, _, tokens in token_spans(text) if matches(tokens)), None)


def snippet_for(text: str, node) -> str:
    """A passage around the first matching word, matches marked [[...]] as the analysis sees
    them (Bescheides marks for Bescheid, Mueller for Müller)."""
    # Long texts: the passage comes from the first pages, which keeps every snippet cheap.
    compact = " ".join(text[:SNIPPET_SCAN].split())  # whitespace runs as one space
    terms = terms_of(node) if node is not None else set()
    if not compact or not terms:
        return compact[:SNIPPET_CHARS]
    matches = _matcher({t for t in terms if not t.endswith("*")},
                       tuple(t[:-1] for t in terms if t.endswith("*")))
    first = _first_match(compact, terms, matches)
    start = max(0, first - SNIPPET_CHARS // 3) if first is not None else 0
    if start:
        # Begin at a word boundary.
        space = compact.find(" ", start)
        start = space + 1 if 0 <= space < (first or start) else start
    end = min(len(compact), start + SNIPPET_CHARS)
    if end < len(compact):
        space = compact.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(compact) else ""
    return prefix + _marked(compact, start, end, matches) + suffix


def _clean(query: str) -> str:
    return query.strip()[:1000]


def _facet_labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetBucket]]:
    if not facets:
        return {}
    unit_ids = [int(v) for v, _ in facets.get("unit", []) if v.isdigit()]
    case_file_ids = [int(v) for v, _ in facets.get("case_file", []) if v.isdigit()]
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    references = dict(CaseFile.objects.filter(pk__in=case_file_ids)
                      .values_list("pk", "file_reference"))
    types = document_type_names() if facets.get("document_type") else {}
    labels = {"unit": lambda v: units.get(int(v), v),
              "case_file": lambda v: references.get(int(v), v),
              "document_type": lambda v: types.get(v, v)}
    ordered = dict(facets)
    if ordered.get("year"):  # years read best in order, the latest first
        ordered["year"] = sorted(ordered["year"], key=lambda bucket: bucket[0], reverse=True)
    return {name: [FacetBucket(value, labels.get(name, lambda v: v)(value), count)
                   for value, count in ordered.get(name, [])]
            for name in FACETS if ordered.get(name)}


@search_timed
def documents_search(*, user, query: str = "", filters: Filters | None = None,
                     sort: str = "relevance", limit: int = 20, offset: int = 0,
                     facets: bool = False, more_like: int | None = None,
                     log: bool = True, thumbnails: bool = False) -> SearchPage:
    """Search as this user. With `more_like` the query is made from that document's
    characteristic words (the user must be allowed to see it). Every search is logged as one
    event naming the documents of this page of hits (their titles, senders and snippets are
    shown); with `thumbnails`, also those shown as a picture, which the page then fetches
    with the returned grant instead of one logged read per picture."""
    query = _clean(query)
    filters = filters or Filters()
    if sort not in SORTS:
        raise InvalidInput(f"Unbekannte Sortierung {sort!r}.", code="SEARCH_SORT")
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    try:
        _check(filters, more_like)
        node = parse(query) if query else None
        like = _more_like_this_node(user, more_like) if more_like is not None else None
    except InvalidInput as refused:
        if log:  # a refused query says what was looked for as much as an answered one
            _log(user, query, filters, more_like, 0, refused=refused.code)
        raise
    if more_like is not None:
        node = like if node is None else Or((node, like)) if like else node
        filters = Filters(**{**filters.__dict__,
                             "exclude_document_ids": (*filters.exclude_document_ids, more_like)})
    searchable = node is not None or filters != Filters()
    result = None
    principals = user_principals(user)
    if searchable:
        result = get_backend().search(BackendQuery(
            node=node, principals=principals, filters=_without_destroyed(filters), sort=sort,
            limit=limit, offset=offset, facets=facets,
            count_limit=settings.SEARCH_COUNT_LIMIT))
    page = _page(principals, query, node, result, sort=sort, limit=limit, offset=offset)
    pictures = frozenset(documents_with_thumbnail(user, [hit.document_id for hit in page.hits])
                         if thumbnails and page.hits else ())
    if log and searchable:
        event = _log(user, query, filters, more_like, page.count, count_exact=page.count_exact,
                     shown=[hit.document_id for hit in page.hits], thumbnails=pictures)
        if pictures:
            page = replace(page, thumbnails=pictures,
                           thumbnail_grant=list_grant(user=user, event=event))
    return page


def _check(filters: Filters, more_like: int | None) -> None:
    """Filters every backend can answer: ids within 64 bits, dates within a calendar the
    date arithmetic can handle."""
    ids = (*filters.unit_ids, *filters.case_file_ids, *filters.exclude_document_ids,
           *(() if more_like is None else (more_like,)))
    if not all(isinstance(pk, int) and 0 <= pk <= MAX_ID for pk in ids):
        raise InvalidInput("Eine Nummer im Filter ist ungültig.", code="SEARCH_FILTER")
    if not all(isinstance(year, int) and EARLIEST.year <= year <= LATEST.year
               for year in filters.years):
        raise InvalidInput("Ein Jahr im Filter liegt nicht zwischen 1900 und 2999.",
                           code="SEARCH_DATE")
    days = (filters.letter_date_from, filters.letter_date_to, filters.received_from,
            filters.received_to)
    if not all(day is None or EARLIEST <= day <= LATEST for day in days):
        raise InvalidInput("Ein Datum im Filter liegt nicht zwischen 01.01.1900 und "
                           "31.12.2999.", code="SEARCH_DATE")


def search_refused(*, user, query: str, refused: InvalidInput) -> None:
    """Log a search whose parameters were refused before it could run (a page's or the
    API's): what was looked for is logged as for an answered search."""
    _log(user, _clean(query), Filters(), None, 0, refused=refused.code)


def _without_destroyed(filters: Filters) -> Filters:
    """Destroyed documents whose purge is pending are left out inside the query, so counts and
    facets never include them, even before their entries' delete reaches the index (it may
    wait for the writer a running purge holds)."""
    pending = tuple(IndexPurge.objects.filter(purged_at__isnull=True)
                    .values_list("document_id", flat=True))
    if not pending:
        return filters
    return replace(filters, exclude_document_ids=(*filters.exclude_document_ids, *pending))


def _still_visible(document: Document, principals: frozenset[str]) -> bool:
    """The index already filtered; this guards against an entry gone stale since (a document
    moved, destroyed, a file restricted) with the same principal rule the index uses."""
    if document.destroyed_at is not None:
        return False
    if document.case_file is not None and document.case_file.destroyed_at is not None:
        return False
    return bool(document_principals(document) & principals)


# What a hit shows and what the re-check of its permission reads (document_principals).
PAGE_FIELDS = ("title", "document_type", "sender", "letter_date", "received_at", "destroyed_at",
               "case_file_id")
PAGE_FILE_FIELDS = ("file_reference", "unit_id", "confidentiality", "staff_case",
                    "destroyed_at", "restricted", "disputed_note")


def _page_queryset(ids):
    """One query for the page: the documents, their case files' fields, the latest text (for
    the snippet) and the type's name."""
    latest_text = Version.objects.filter(document=OuterRef("pk")).order_by("-number")
    type_name = DocumentType.objects.filter(key=OuterRef("document_type"))
    return (Document.objects.filter(pk__in=ids).only(*PAGE_FIELDS)
            .annotate(latest_text=Subquery(latest_text.values("text")[:1]),
                      type_name=Subquery(type_name.values("name")[:1]),
                      **{f"file_{name}": F(f"case_file__{name}") for name in PAGE_FILE_FIELDS})
            .order_by())


@lru_cache(maxsize=MAX_LIMIT + 1)
def _page_sql(count: int) -> str:
    """The page query's SQL for `count` ids, built once per process: the ORM took as long to
    build it as the database took to answer it (0.8 ms of every search)."""
    placeholders = list(range(1, count + 1))
    sql, params = _page_queryset(placeholders).query.sql_with_params()
    if list(params) != placeholders:  # the ids must be its only parameters
        raise RuntimeError(f"the search page query has other parameters: {params!r}")
    return sql


def _page_documents(ids: list[int]) -> list[Document]:
    """The page's documents, each with its case file's fields as an unsaved CaseFile."""
    documents = list(Document.objects.raw(_page_sql(len(ids)), ids)) if ids else []
    for document in documents:
        if document.case_file_id is not None:
            document.case_file = CaseFile(pk=document.case_file_id, **{
                name: getattr(document, f"file_{name}") for name in PAGE_FILE_FIELDS})
    return documents


def _page(principals, query, node, result, *, sort, limit, offset) -> SearchPage:
    if result is None:
        return SearchPage(query=query, count=0, sort=sort, limit=limit, offset=offset)
    count_limit = settings.SEARCH_COUNT_LIMIT
    found = _page_documents([hit.document_id for hit in result.hits])
    documents = {d.pk: d for d in found if _still_visible(d, principals)}
    hits = []
    for hit in result.hits:
        document = documents.get(hit.document_id)
        if document is None:
            continue
        hits.append(SearchHit(
            document_id=document.pk, title=document.title,
            file_reference=document.case_file.file_reference if document.case_file else None,
            snippet=snippet_for(document.latest_text or "", node), score=hit.score,
            document_type=document.document_type, sender=document.sender,
            document_type_name=(document.document_type if document.type_name is None
                                else document.type_name),
            received_at=document.received_at, letter_date=document.letter_date,
            restricted=bool(document.case_file and document.case_file.restricted),
            disputed=document.case_file.disputed_note if document.case_file else "",
        ))
    return SearchPage(query=query, count=min(result.count, count_limit), hits=hits,
                      facets=_facet_labels(result.facets), sort=sort, limit=limit,
                      offset=offset, count_exact=result.count <= count_limit)


def _latest_texts(document_ids) -> dict[int, str]:
    from .indexing import _latest_texts as latest

    return latest(document_ids)


def _more_like_this_node(user, document_id):
    try:
        document = document_visible_or_404(user, document_id)
    except NotFound:
        raise InvalidInput("Das Vergleichsdokument gibt es nicht oder Sie dürfen es nicht "
                           "sehen.", code="SEARCH_MORE_LIKE_THIS") from None
    text = _latest_texts([document.pk]).get(document.pk, "")
    counts = Counter(t for t in analyse(f"{document.title} {text}")
                     if t not in STOPWORDS and len(t) > 3 and not t.isdigit())
    words = [t for t, _ in counts.most_common(MORE_LIKE_THIS_TERMS)]
    return Or(tuple(Term(w) for w in words)) if words else None


def _log(user, query, filters: Filters, more_like, count, refused: str = "",
         suggestions: bool = False, shown=(), thumbnails=frozenset(), count_exact=True):
    data = {"query": query, "count": count, "role": user_role(user) or ""}
    if not count_exact:
        data["count_exact"] = False  # more than `count` matched
    if shown:
        data["documents"] = list(shown)
    if thumbnails:
        data["thumbnails"] = sorted(thumbnails)
    if refused:
        data["refused"] = refused
    if suggestions:
        data["suggestions"] = True
    chosen = {k: v for k, v in filters.__dict__.items() if v not in ((), None)}
    if chosen:
        data["filters"] = chosen
    if more_like is not None:
        data["more_like"] = more_like
    return event_append(action="searched", object_type="search", object_id="",
                        actor=getattr(user, "username", "") or "", data=data)


def search_suggestions(*, user, prefix: str, limit: int = 8, log: bool = True) -> list[str]:
    """Words beginning with what was typed, taken only from documents this user may see:
    the backend finds them with the permission filter, the words come from their text.
    Logged like a search: what was typed is what was looked for."""
    prefix = _clean(prefix)[:100]
    words = _suggestions(user, prefix, limit) if prefix else []
    if log and prefix:
        _log(user, prefix, Filters(), None, len(words), suggestions=True)
    return words


def _suggestions(user, prefix: str, limit: int) -> list[str]:
    folded = analyse_prefix(prefix)
    if len(folded) < 2 or not folded.replace("-", "").isalnum():
        return []
    principals = user_principals(user)
    result = get_backend().search(BackendQuery(node=Prefix(folded), principals=principals,
                                               filters=_without_destroyed(Filters()), limit=20,
                                               count_limit=settings.SEARCH_COUNT_LIMIT))
    ids = [hit.document_id for hit in result.hits]
    visible = [d.pk for d in Document.objects.filter(pk__in=ids).select_related("case_file")
               if _still_visible(d, principals)]
    texts = _latest_texts(visible)
    counts: Counter[str] = Counter()
    for text in texts.values():
        for start, end, tokens in token_spans(text):
            if any(t.startswith(folded) for t in tokens):
                counts[text[start:end]] += 1
    return [word for word, _ in counts.most_common(limit)]
