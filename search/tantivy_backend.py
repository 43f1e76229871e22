"""The embedded default: a tantivy index under the data directory, one writer at a time."""
import fcntl
import shutil
from contextlib import contextmanager
from pathlib import Path

import tantivy

from archive.errors import InvalidInput

from .analysis import fold
from .backend import BackendHit, BackendResult, IndexEntry

ANALYZER = "de_folded"
# Bump when schema or analysis change: the index is then rebuilt from the database.
SCHEMA_VERSION = "1"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=False, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=False, tokenizer_name=ANALYZER)
    builder.add_text_field("file_reference", stored=False, tokenizer_name="raw")
    builder.add_text_field("acl", stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    # Custom analyzers are not stored in the index: this runs on every open.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )


class TantivyBackend:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._index: tantivy.Index | None = None

    @property
    def needs_rebuild(self) -> bool:
        version_file = self.directory / "VERSION"
        return not version_file.exists() or version_file.read_text().strip() != SCHEMA_VERSION

    def _open(self) -> tantivy.Index:
        if self._index is None:
            if self.needs_rebuild:
                shutil.rmtree(self.directory, ignore_errors=True)
                self.directory.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(_schema(), path=str(self.directory), reuse=False)
                (self.directory / "VERSION").write_text(SCHEMA_VERSION)
            else:
                index = tantivy.Index(_schema(), path=str(self.directory), reuse=True)
            index.register_tokenizer(ANALYZER, _analyzer())
            self._index = index
        return self._index

    @contextmanager
    def _writer(self):
        """Serialise writers across processes; tantivy itself would fail, not wait."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory.parent / f"{self.directory.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            writer = self._open().writer(heap_size=30_000_000, num_threads=1)
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise

    def upsert(self, entries: list[IndexEntry]) -> None:
        with self._writer() as writer:
            for entry in entries:
                writer.delete_documents_by_term("doc_id", entry.document_id)
                document = tantivy.Document()
                document.add_unsigned("doc_id", entry.document_id)
                document.add_text("title", fold(entry.title))
                document.add_text("body", fold(entry.body))
                if entry.file_reference:
                    document.add_text("file_reference", entry.file_reference)
                for principal in sorted(entry.principals):
                    document.add_text("acl", principal)
                writer.add_document(document)

    def delete(self, document_ids: list[int]) -> None:
        with self._writer() as writer:
            for document_id in document_ids:
                writer.delete_documents_by_term("doc_id", document_id)

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        index.reload()
        return index.searcher()

    def search(self, query: str, *, principals: frozenset[str], limit: int,
               offset: int) -> BackendResult:
        if not principals:
            return BackendResult(count=0)
        index = self._open()
        try:
            parsed = index.parse_query(fold(query), ["title", "body", "file_reference"],
                                       field_boosts={"title": 2.0, "file_reference": 3.0},
                                       conjunction_by_default=True)
        except ValueError as exc:
            raise InvalidInput(f"Die Suchanfrage ist ungültig: {exc}", code="QUERY_SYNTAX") \
                from None
        permitted = tantivy.Query.term_set_query(index.schema, "acl", sorted(principals))
        combined = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, permitted)]
        )
        searcher = self._searcher()
        result = searcher.search(combined, limit=limit, count=True, offset=offset)
        hits = [
            BackendHit(document_id=searcher.doc(address)["doc_id"][0], score=score)
            for score, address in result.hits
        ]
        return BackendResult(count=result.count, hits=hits)

    def document_ids(self) -> set[int]:
        searcher = self._searcher()
        result = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1))
        return {searcher.doc(address)["doc_id"][0] for _, address in result.hits}
