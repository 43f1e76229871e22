"""The pure-Python backend (whoosh-reloaded) for platforms without tantivy's native wheels."""
import shutil
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from whoosh import fields, index, sorting
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.writing import CLEAR

from .analysis import ANALYSIS_VERSION
from .backend import (
    FACETS,
    BackendHit,
    BackendQuery,
    BackendResult,
    EntrySource,
    Filters,
    IndexEntry,
    capped,
    received_bounds,
)
from .index_directory import IndexDirectory
from .query import TEXT, And, Not, Or, Phrase, Prefix, Term

SCHEMA_VERSION = f"3-{ANALYSIS_VERSION}"
HEAD_BOOST = 2.0


def _schema() -> fields.Schema:
    # Tokens arrive analysed (search.analysis); whoosh only splits them on whitespace.
    tokens = SpaceSeparatedTokenizer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        fingerprint=fields.STORED(),
        head=fields.TEXT(analyzer=tokens, phrase=True),
        body=fields.TEXT(analyzer=tokens, phrase=True),
        acl=fields.KEYWORD(),
        document_type=fields.ID(sortable=True),
        sender=fields.ID(sortable=True),
        state=fields.ID(),
        unit=fields.ID(sortable=True),
        case_file=fields.ID(sortable=True),
        letter_date=fields.DATETIME(sortable=True),
        received=fields.DATETIME(sortable=True),
        year=fields.ID(sortable=True),
        title_key=fields.ID(sortable=True),
    )


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class WhooshBackend(IndexDirectory):
    name = "whoosh"
    version = SCHEMA_VERSION
    transactional = False

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._index = None

    def mark_built(self) -> None:
        self._open()

    def _open(self):
        if self._index is None:
            with self._lock():
                if not index.exists_in(str(self.directory)) or self.needs_rebuild():
                    shutil.rmtree(self.directory, ignore_errors=True)
                    self.directory.mkdir(parents=True)
                    index.create_in(str(self.directory), _schema())
                    self._version_file().write_text(SCHEMA_VERSION)
            self._index = index.open_dir(str(self.directory))
        return self._index

    @contextmanager
    def _writer(self, optimize: bool = False):
        ix = self._open()
        with self._lock():
            writer = ix.writer()
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit(optimize=optimize)

    def _fields(self, entry: IndexEntry) -> dict:
        values = {
            "doc_id": str(entry.document_id), "fingerprint": entry.fingerprint,
            "head": " ".join(entry.head), "body": " ".join(entry.body),
            "acl": " ".join(sorted(entry.principals)), "state": entry.state,
        }
        if entry.document_type:
            values["document_type"] = entry.document_type
        if entry.sender:
            values["sender"] = entry.sender
        if entry.unit_id is not None:
            values["unit"] = str(entry.unit_id)
        if entry.case_file_id is not None:
            values["case_file"] = str(entry.case_file_id)
        if entry.letter_date:
            values["letter_date"] = datetime.combine(entry.letter_date, time.min)
        if entry.received_at:
            values["received"] = _naive_utc(entry.received_at)
        if entry.year is not None:
            values["year"] = str(entry.year)
        if entry.title_key:
            values["title_key"] = entry.title_key
        return values

    def upsert(self, entries: list[IndexEntry]) -> None:
        if entries:
            with self._writer() as writer:
                for entry in entries:
                    writer.update_document(**self._fields(entry))

    def delete(self, document_ids: list[int]) -> None:
        if document_ids:
            with self._writer() as writer:
                for document_id in document_ids:
                    writer.delete_by_term("doc_id", str(document_id))

    def purge(self, document_ids: list[int], entries: EntrySource) -> None:
        """Deleted documents stay in their segment until it is merged; optimize merges every
        segment into one, without them, and removes the old files."""
        with self._writer(optimize=True) as writer:
            for document_id in document_ids:
                writer.delete_by_term("doc_id", str(document_id))

    def replace_all(self, batches) -> None:
        ix = self._open()
        with self._lock():
            # limitmb bounds the posting buffer; beyond it whoosh spills runs to disk.
            writer = ix.writer(limitmb=256)
            try:
                for batch in batches:
                    for entry in batch:
                        writer.add_document(**self._fields(entry))
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)

    def clear(self) -> None:
        with self._lock():
            shutil.rmtree(self.directory, ignore_errors=True)
        self._index = None
        self._open()

    def fingerprints(self) -> dict[int, str]:
        with self._open().searcher() as searcher:
            return {int(stored["doc_id"]): stored["fingerprint"]
                    for stored in searcher.all_stored_fields()}

    def count(self) -> int:
        return self._open().doc_count()

    def document_ids(self) -> set[int]:
        return set(self.fingerprints())

    def _field_query(self, field: str, make):
        if field != TEXT:
            return make(field, 1.0)
        return wq.Or([make("head", HEAD_BOOST), make("body", 1.0)])

    def _translate(self, node):
        if isinstance(node, Term):
            return self._field_query(node.field, lambda f, b: wq.Term(f, node.token, boost=b))
        if isinstance(node, Phrase):
            return self._field_query(node.field,
                                     lambda f, b: wq.Phrase(f, list(node.tokens), boost=b))
        if isinstance(node, Prefix):
            return self._field_query(node.field, lambda f, b: wq.Prefix(f, node.prefix, boost=b))
        if isinstance(node, And):
            positive = [self._translate(p) for p in node.parts if not isinstance(p, Not)]
            negative = [self._translate(p.part) for p in node.parts if isinstance(p, Not)]
            query = wq.And(positive)
            return wq.AndNot(query, wq.Or(negative)) if negative else query
        if isinstance(node, Or):
            return wq.Or([self._translate(p) for p in node.parts])
        if isinstance(node, Not):
            return wq.Not(self._translate(node.part))
        raise TypeError(f"unknown query node {node!r}")

    def _filters(self, filters: Filters) -> list:
        clauses = []
        for field, values in (("document_type", filters.document_types),
                              ("sender", filters.senders), ("unit", filters.unit_ids),
                              ("state", filters.states),
                              ("case_file", filters.case_file_ids),
                              ("year", filters.years)):
            if values:
                clauses.append(wq.Or([wq.Term(field, str(v)) for v in values]))
        low, high = filters.letter_date_from, filters.letter_date_to
        if low or high:
            clauses.append(wq.DateRange(
                "letter_date", datetime.combine(low or date(1, 1, 1), time.min),
                datetime.combine(high or date(9999, 12, 31), time.max)))
        low, high = received_bounds(filters)
        if low or high:
            clauses.append(wq.DateRange(
                "received", _naive_utc(low) if low else datetime(1, 1, 1),
                _naive_utc(high - timedelta(microseconds=1)) if high
                else datetime(9999, 12, 31)))
        return clauses

    def search(self, query: BackendQuery) -> BackendResult:
        if not query.principals:
            return BackendResult(count=0)
        permitted = wq.Or([wq.Term("acl", p) for p in sorted(query.principals)])
        # The permission filter is part of the query itself, so counts and facets obey it.
        clauses = [permitted, *self._filters(query.filters)]
        if query.node is not None:
            clauses.append(self._translate(query.node))
        combined = wq.And(clauses)
        if query.filters.exclude_document_ids:
            combined = wq.AndNot(combined, wq.Or(
                [wq.Term("doc_id", str(i)) for i in query.filters.exclude_document_ids]))
        sortedby, reverse = {"newest": ("received", True), "oldest": ("received", False),
                             "letter_date": ("letter_date", True),
                             "title": ("title_key", False)}.get(query.sort, (None, False))
        groupedby = ({name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACETS}
                     if query.facets else None)
        with self._open().searcher() as searcher:
            results = searcher.search(combined, limit=query.offset + query.limit,
                                      sortedby=sortedby, reverse=reverse, groupedby=groupedby,
                                      terms=False)
            count = len(results)
            # Sorted by a field, a hit's score is that field's sort key, not a relevance.
            hits = [BackendHit(document_id=int(hit["doc_id"]),
                               score=0.0 if sortedby else float(hit.score or 0.0))
                    for hit in results[query.offset:query.offset + query.limit]]
            facets = {}
            if query.facets and count:
                for name in FACETS:
                    buckets = [(str(value), n) for value, n in results.groups(name).items()
                               if value not in (None, "")]
                    facets[name] = sorted(buckets, key=lambda b: (-b[1], b[0]))[:50]
        return BackendResult(count=capped(count, query.count_limit), hits=hits, facets=facets)
