"""The embedded default: a tantivy index under the data directory, one writer at a time."""
import json
import shutil
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import tantivy

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

# Tokens arrive analysed (search.analysis); tantivy only splits them on whitespace. The
# "whitespace" tokenizer is built in, so a reopened index analyses exactly as before.
ANALYZER = "whitespace"
# Bump when the schema changes: the index is then rebuilt from the database.
SCHEMA_VERSION = f"5-{ANALYSIS_VERSION}"
HEAD_BOOST = 2.0
PURGE_BATCH = 500


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("fingerprint", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("head", stored=False, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=False, tokenizer_name=ANALYZER)
    builder.add_text_field("acl", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("document_type", stored=False, tokenizer_name="raw", fast=True,
                           index_option="basic")
    builder.add_text_field("sender", stored=False, tokenizer_name="raw", fast=True,
                           index_option="basic")
    builder.add_text_field("state", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("unit", indexed=True, fast=True)
    builder.add_unsigned_field("case_file", indexed=True, fast=True)
    builder.add_date_field("letter_date", indexed=True, fast=True)
    builder.add_date_field("received", indexed=True, fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_text_field("title_key", stored=False, tokenizer_name="raw", fast=True,
                           index_option="basic")
    return builder.build()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


class TantivyBackend(IndexDirectory):
    name = "tantivy"
    version = SCHEMA_VERSION
    transactional = False

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._index: tantivy.Index | None = None
        self._schema = _schema()

    # -- opening and writing ------------------------------------------------------------
    def mark_built(self) -> None:
        self._open()
        self._version_file().write_text(SCHEMA_VERSION)

    def _open(self) -> tantivy.Index:
        if self._index is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            if self.needs_rebuild() and (self.directory / "meta.json").exists():
                # An index of another schema or analysis cannot be read as this one.
                with self._lock():
                    shutil.rmtree(self.directory, ignore_errors=True)
                    self.directory.mkdir(parents=True, exist_ok=True)
            exists = (self.directory / "meta.json").exists()
            self._index = tantivy.Index(self._schema, path=str(self.directory), reuse=exists)
            if not exists:
                # Empty and of this schema; whether the database has documents to bring in
                # is for indexing.index_ensure_current to decide.
                self._version_file().write_text(SCHEMA_VERSION)
        return self._index

    @contextmanager
    def _writer(self):
        index = self._open()
        with self._lock():
            writer = index.writer(heap_size=50_000_000, num_threads=1)
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise

    def _ids_query(self, document_ids) -> tantivy.Query:
        return tantivy.Query.term_set_query(self._schema, "doc_id", sorted(document_ids))

    def _document(self, entry: IndexEntry) -> tantivy.Document:
        document = tantivy.Document()
        document.add_unsigned("doc_id", entry.document_id)
        document.add_text("fingerprint", entry.fingerprint)
        document.add_text("head", " ".join(entry.head))
        document.add_text("body", " ".join(entry.body))
        for principal in sorted(entry.principals):
            document.add_text("acl", principal)
        if entry.document_type:
            document.add_text("document_type", entry.document_type)
        if entry.sender:
            document.add_text("sender", entry.sender)
        document.add_text("state", entry.state)
        if entry.unit_id is not None:
            document.add_unsigned("unit", entry.unit_id)
        if entry.case_file_id is not None:
            document.add_unsigned("case_file", entry.case_file_id)
        if entry.letter_date:
            document.add_date("letter_date", _day_start(entry.letter_date))
        if entry.received_at:
            document.add_date("received", entry.received_at.astimezone(UTC))
        if entry.year is not None:
            document.add_unsigned("year", entry.year)
        document.add_text("title_key", entry.title_key)
        return document

    def upsert(self, entries: list[IndexEntry]) -> None:
        if not entries:
            return
        with self._writer() as writer:
            # delete_documents_by_term does not match u64 terms in tantivy-py; a query does.
            writer.delete_documents_by_query(self._ids_query(e.document_id for e in entries))
            for entry in entries:
                writer.add_document(self._document(entry))

    def delete(self, document_ids: list[int]) -> None:
        if document_ids:
            with self._writer() as writer:
                writer.delete_documents_by_query(self._ids_query(document_ids))

    def purge(self, document_ids: list[int], entries: EntrySource) -> None:
        """A deleted document's terms stay in its segment until the segment is merged away,
        and tantivy-py cannot force a merge. Segments whose documents are all deleted are
        dropped at commit, so every document is deleted and written anew (from the
        database, without the purged ones) in one commit; then the old files are collected.
        Searches keep working on the old segments until that commit."""
        purged = set(document_ids)
        keep = sorted(self.document_ids() - purged)
        with self._writer() as writer:
            writer.delete_all_documents()
            for start in range(0, len(keep), PURGE_BATCH):
                for entry in entries(keep[start:start + PURGE_BATCH]):
                    if entry.document_id not in purged:
                        writer.add_document(self._document(entry))
        with self._lock():
            writer = self._open().writer(heap_size=15_000_000, num_threads=1)
            writer.garbage_collect_files()
            writer.commit()
            writer.wait_merging_threads()

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def replace_all(self, batches) -> None:
        # One writer and one commit; the writer's heap bounds memory, it flushes segments.
        with self._writer() as writer:
            writer.delete_all_documents()
            for batch in batches:
                for entry in batch:
                    writer.add_document(self._document(entry))

    # -- reading --------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        index.reload()
        return index.searcher()

    def fingerprints(self) -> dict[int, str]:
        searcher = self._searcher()
        result = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1),
                                 count=False)
        found = {}
        for _, address in result.hits:
            stored = searcher.doc(address)
            found[stored["doc_id"][0]] = stored["fingerprint"][0]
        return found

    def count(self) -> int:
        return self._searcher().num_docs

    def document_ids(self) -> set[int]:
        # From the doc_id fast field: reading every stored document took a minute of a
        # purge at a million documents.
        searcher = self._searcher()
        result = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1),
                                 count=False)
        addresses = [address for _, address in result.hits]
        return set(searcher.fast_field_values("doc_id", addresses)) if addresses else set()

    def _field_query(self, field: str, make) -> tantivy.Query:
        if field != TEXT:
            return make(field)
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(make("head"), HEAD_BOOST)),
            (tantivy.Occur.Should, make("body")),
        ])

    def _translate(self, node) -> tantivy.Query:
        schema = self._schema
        if isinstance(node, Term):
            return self._field_query(
                node.field, lambda f: tantivy.Query.term_query(schema, f, node.token))
        if isinstance(node, Phrase):
            return self._field_query(
                node.field, lambda f: tantivy.Query.phrase_query(schema, f, list(node.tokens)))
        if isinstance(node, Prefix):
            pattern = _regex_escape(node.prefix) + ".*"
            return self._field_query(
                node.field, lambda f: tantivy.Query.regex_query(schema, f, pattern))
        if isinstance(node, And):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.MustNot, self._translate(p.part)) if isinstance(p, Not)
                 else (tantivy.Occur.Must, self._translate(p)) for p in node.parts])
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._translate(p)) for p in node.parts])
        if isinstance(node, Not):
            return tantivy.Query.boolean_query([
                (tantivy.Occur.Must, tantivy.Query.all_query()),
                (tantivy.Occur.MustNot, self._translate(node.part))])
        raise TypeError(f"unknown query node {node!r}")

    def _filters(self, filters: Filters) -> list[tuple]:
        schema = self._schema
        clauses = []
        if filters.document_types:
            clauses.append(tantivy.Query.term_set_query(schema, "document_type",
                                                        list(filters.document_types)))
        if filters.states:
            clauses.append(tantivy.Query.term_set_query(schema, "state", list(filters.states)))
        if filters.senders:
            clauses.append(tantivy.Query.term_set_query(schema, "sender", list(filters.senders)))
        if filters.unit_ids:
            clauses.append(tantivy.Query.term_set_query(schema, "unit", list(filters.unit_ids)))
        if filters.case_file_ids:
            clauses.append(tantivy.Query.term_set_query(schema, "case_file",
                                                        list(filters.case_file_ids)))
        if filters.years:
            clauses.append(tantivy.Query.term_set_query(schema, "year", list(filters.years)))
        low, high = filters.letter_date_from, filters.letter_date_to
        if low or high:
            clauses.append(_date_range(schema, "letter_date", low and _day_start(low),
                                       high and _day_end(high)))
        low, high = received_bounds(filters)
        if low or high:
            clauses.append(_date_range(schema, "received", low,
                                       high and high - timedelta(microseconds=1)))
        clauses = [(tantivy.Occur.Must, clause) for clause in clauses]
        if filters.exclude_document_ids:
            clauses.append((tantivy.Occur.MustNot, self._ids_query(filters.exclude_document_ids)))
        return clauses

    def search(self, query: BackendQuery) -> BackendResult:
        if not query.principals:
            return BackendResult(count=0)
        permitted = tantivy.Query.term_set_query(self._schema, "acl", sorted(query.principals))
        clauses = [(tantivy.Occur.Must, permitted), *self._filters(query.filters)]
        if query.node is not None:
            clauses.append((tantivy.Occur.Must, self._translate(query.node)))
        combined = tantivy.Query.boolean_query(clauses)
        searcher = self._searcher()
        order = {"newest": ("received", tantivy.Order.Desc),
                 "oldest": ("received", tantivy.Order.Asc),
                 "letter_date": ("letter_date", tantivy.Order.Desc),
                 "title": ("title_key", tantivy.Order.Asc)}.get(query.sort)
        if order:
            result = searcher.search(combined, limit=query.limit, count=True,
                                     offset=query.offset, order_by_field=order[0],
                                     order=order[1])
        else:
            result = searcher.search(combined, limit=query.limit, count=True,
                                     offset=query.offset)
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("doc_id", addresses) if addresses else []
        hits = [BackendHit(document_id=doc_id, score=float(score) if not order else 0.0)
                for doc_id, (score, _) in zip(ids, result.hits, strict=True)]
        facets = self._facets(searcher, combined) if query.facets and result.count else {}
        return BackendResult(count=capped(result.count, query.count_limit), hits=hits,
                             facets=facets)

    def _facets(self, searcher, combined) -> dict[str, list[tuple[str, int]]]:
        fields = {"document_type": "document_type", "unit": "unit", "case_file": "case_file",
                  "sender": "sender", "year": "year"}
        aggregations = {name: {"terms": {"field": field, "size": 50}}
                        for name, field in fields.items()}
        result = searcher.aggregate(combined, json.loads(json.dumps(aggregations)))
        return {name: [(str(b["key"]), int(b["doc_count"])) for b in result[name]["buckets"]]
                for name in FACETS if name in result}


# tantivy stores dates as nanoseconds; these bounds are well inside what it can hold.
EARLIEST = datetime(1700, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _date_range(schema, field: str, low: datetime | None, high: datetime | None):
    low = min(max(low or EARLIEST, EARLIEST), LATEST)
    high = min(max(high or LATEST, EARLIEST), LATEST)
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Date, low, high)


def _regex_escape(text: str) -> str:
    # tantivy's regex syntax; tokens are \w plus . / - and need only these escaped.
    return "".join("\\" + ch if ch in r".+*?()|[]{}^$\/-" else ch for ch in text)
