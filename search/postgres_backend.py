"""The multi-host backend: PostgreSQL full-text search in the application's own database.

Entries are written through the caller's connection, so filing a document and indexing it
commit together. Lexemes and query terms come from search.analysis and are passed as ready
tsvector/tsquery values, never through a text search configuration, so the analysis is the
same as tantivy's and whoosh's.
"""
import time

from django.db import connection, transaction

from .analysis import ANALYSIS_VERSION
from .backend import (
    BackendHit,
    BackendQuery,
    BackendResult,
    EntrySource,
    Filters,
    IndexEntry,
    PurgeDeferred,
    received_bounds,
)
from .query import TEXT, And, Not, Or, Phrase, Prefix, Term

SCHEMA_VERSION = f"4-{ANALYSIS_VERSION}"
TABLE = "search_searchentry"
MAX_POSITION = 16383  # PostgreSQL's limit; later positions are clamped to it
MAX_POSITIONS_PER_LEXEME = 256
PURGE_WAIT_SECONDS = 600.0
# Relevance ranks at most this many matches; beyond, the rest are not read.
RANK_CANDIDATES = 500
WORK_MEM = "64MB"
COLUMNS = ("document_id, fingerprint, vector, principals, document_type, sender, unit_id, "
           "case_file_id, letter_date, received_at, state, year, title_key")
FACET_COLUMNS = {"document_type": "document_type", "unit": "unit_id",
                 "case_file": "case_file_id", "sender": "sender", "year": "year"}


def _quote(token: str) -> str:
    if "'" not in token and "\\" not in token:
        return f"'{token}'"  # every analysed token: no escaping needed
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _slots(tokens: list[str], first: int, weight: str, into: dict[str, list[str]]) -> None:
    for position, token in enumerate(tokens, first):
        slots = into.get(token)
        if slots is None:
            into[token] = slots = []
        if len(slots) < MAX_POSITIONS_PER_LEXEME:
            slots.append(f"{position if position < MAX_POSITION else MAX_POSITION}{weight}")


def tsvector_literal(head: list[str], body: list[str], principals=()) -> str:
    """Lexemes with positions and weights: head tokens weigh A, body tokens D (PostgreSQL's
    default, so body positions carry no letter); then the access principals as lexemes
    without positions ("ACL:unit:3"), which no analysed token or prefix can reach."""
    positions: dict[str, list[str]] = {}
    # A gap of one position before head and body, so a phrase cannot span the two.
    _slots(head, 2, "A", positions)
    _slots(body, len(head) + 3, "", positions)
    words = " ".join(f"{_quote(token)}:{','.join(slots)}" for token, slots in positions.items())
    acl = " ".join(_quote(_acl(principal)) for principal in sorted(principals))
    return f"{words} {acl}" if words and acl else words or acl


def _acl(principal: str) -> str:
    """A principal as a lexeme no analysed token can equal, nor any prefix query reach:
    tokens and prefixes are lower case, this begins with a capital."""
    return f"ACL:{principal}"


def _permitted(principals) -> str:
    """The permission filter as a tsquery: any of the user's principals."""
    return "(" + " | ".join(_quote(_acl(p)) for p in sorted(principals)) + ")"


def _wait_for_older_transactions() -> None:
    """VACUUM FULL keeps a dead tuple that some transaction might still see, and its own
    snapshot counts too, which any transaction running anywhere in the cluster holds back.
    So wait until every transaction older than a marker has ended, and every snapshot of
    this database taken before it (those of the application's role are visible here)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text")  # after every delete committed
        marker = cursor.fetchone()[0]
        deadline = time.monotonic() + PURGE_WAIT_SECONDS
        while True:
            cursor.execute(
                """SELECT pg_snapshot_xmin(pg_current_snapshot()) > %s::xid8
                   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                   WHERE datname = current_database()
                                   AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL
                                   AND age(backend_xmin) >= age(xid(%s::xid8)))""",
                [marker, marker])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise PurgeDeferred("An older transaction still runs; the purge is retried.")
            time.sleep(0.2)


def _weights(field: str) -> str:
    return "" if field == TEXT else ":A"  # head only


def tsquery_literal(node) -> str:
    if isinstance(node, Term):
        return _quote(node.token) + _weights(node.field)
    if isinstance(node, Phrase):
        weight = _weights(node.field)
        return "(" + " <-> ".join(_quote(t) + weight for t in node.tokens) + ")"
    if isinstance(node, Prefix):
        return _quote(node.prefix) + ":*" + ("A" if node.field != TEXT else "")
    if isinstance(node, And):
        return "(" + " & ".join(tsquery_literal(p) for p in node.parts) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(tsquery_literal(p) for p in node.parts) + ")"
    if isinstance(node, Not):
        return "!" + tsquery_literal(node.part)
    raise TypeError(f"unknown query node {node!r}")


class PostgresBackend:
    name = "postgres"
    version = SCHEMA_VERSION
    transactional = True

    def needs_rebuild(self) -> bool:
        return False  # the index state row in the same database says it all

    def mark_built(self) -> None:
        pass

    def _rows(self, entries: list[IndexEntry]):
        for entry in entries:
            yield (entry.document_id, entry.fingerprint,
                   tsvector_literal(entry.head, entry.body, entry.principals),
                   sorted(entry.principals), entry.document_type, entry.sender, entry.unit_id,
                   entry.case_file_id, entry.letter_date, entry.received_at, entry.state,
                   entry.year, entry.title_key)

    def upsert(self, entries: list[IndexEntry]) -> None:
        if not entries:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"""INSERT INTO {TABLE} ({COLUMNS})
                    VALUES (%s, %s, %s::tsvector, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (document_id) DO UPDATE SET
                        fingerprint = EXCLUDED.fingerprint, vector = EXCLUDED.vector,
                        principals = EXCLUDED.principals,
                        document_type = EXCLUDED.document_type, sender = EXCLUDED.sender,
                        unit_id = EXCLUDED.unit_id, case_file_id = EXCLUDED.case_file_id,
                        letter_date = EXCLUDED.letter_date, received_at = EXCLUDED.received_at,
                        state = EXCLUDED.state, year = EXCLUDED.year,
                        title_key = EXCLUDED.title_key""",
                list(self._rows(entries)))

    def delete(self, document_ids: list[int]) -> None:
        if document_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE document_id = ANY(%s)",
                               [list(document_ids)])

    def purge(self, document_ids: list[int], entries: EntrySource) -> None:
        """A DELETE leaves the old tuples' bytes in the heap, TOAST and GIN pages until vacuum
        reuses the space, and even a plain VACUUM does not zero freed space. VACUUM FULL
        writes the table, its TOAST table and its indexes anew without them and drops the
        old files. It locks the search table exclusively while it runs (searches and filing
        wait; minutes at a million documents): acceptable because destruction is rare and
        runs on the index queue. VACUUM cannot run inside a transaction block."""
        if connection.in_atomic_block:
            raise RuntimeError("A purge must run outside a transaction (VACUUM FULL).")
        self.delete(document_ids)
        _wait_for_older_transactions()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL {TABLE}")

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def replace_all(self, batches) -> None:
        # COPY into the emptied table: at a million documents row-wise upserts take several
        # times as long.
        self.clear()
        for batch in batches:
            with transaction.atomic(), connection.cursor() as cursor, \
                    cursor.cursor.copy(f"COPY {TABLE} ({COLUMNS}) FROM STDIN") as copy:
                for row in self._rows(batch):
                    copy.write_row(row)
        # Statistics of the new contents: with those of the emptied table the planner
        # expected a hundred matches where a common word has a hundred thousand.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def fingerprints(self) -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT document_id, fingerprint FROM {TABLE}")
            return dict(cursor.fetchall())

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return cursor.fetchone()[0]

    def document_ids(self) -> set[int]:
        return set(self.fingerprints())

    def _where(self, query: BackendQuery) -> tuple[str, list]:
        # The permission filter and the words in one tsquery, so that one GIN scan
        # intersects them and a match needs no second look at its (toasted) vector: with
        # a separate filter on the principals column PostgreSQL checked a common word on
        # every permitted row's detoasted vector.
        permitted = _permitted(query.principals)
        conditions = ["vector @@ %s::tsquery"]
        params: list = [permitted if query.node is None
                        else f"({tsquery_literal(query.node)}) & {permitted}"]
        filters: Filters = query.filters
        for column, values in (("document_type", filters.document_types),
                               ("sender", filters.senders), ("unit_id", filters.unit_ids),
                               ("state", filters.states),
                               ("case_file_id", filters.case_file_ids),
                               ("year", filters.years)):
            if values:
                conditions.append(f"{column} = ANY(%s)")
                params.append(list(values))
        received_low, received_high = received_bounds(filters)
        for condition, value in (("letter_date >= %s", filters.letter_date_from),
                                 ("letter_date <= %s", filters.letter_date_to),
                                 ("received_at >= %s", received_low),
                                 ("received_at < %s", received_high)):
            if value:
                conditions.append(condition)
                params.append(value)
        if filters.exclude_document_ids:
            conditions.append("NOT (document_id = ANY(%s))")
            params.append(list(filters.exclude_document_ids))
        return " AND ".join(conditions), params

    def search(self, query: BackendQuery) -> BackendResult:
        if not query.principals:
            return BackendResult(count=0)
        where, params = self._where(query)
        order = {
            "newest": "received_at DESC NULLS LAST, document_id DESC",
            "oldest": "received_at ASC NULLS LAST, document_id ASC",
            "letter_date": "letter_date DESC NULLS LAST, document_id DESC",
            # C collation: byte order of the folded key, as tantivy and whoosh compare it.
            "title": 'title_key COLLATE "C" ASC, document_id ASC',
        }.get(query.sort)
        with transaction.atomic(), connection.cursor() as cursor:
            # A common word's matches fit an exact bitmap: with the default 4 MB its pages
            # turn lossy, and every row of a lossy page is rechecked on its detoasted vector.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            # Every query here has the tsquery (the permission filter is in it), so the GIN
            # index always applies; with a LIMIT the planner preferred reading the table in
            # order and checking each row's detoasted vector (225 ms at 100,000 documents).
            cursor.execute("SET LOCAL enable_seqscan = off")
            if query.count_limit is None:
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)
            else:
                # Stop counting past the limit: a word in nearly every document no longer
                # reads every match's row.
                cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {where} "
                               f"LIMIT %s) AS matches", [*params, query.count_limit + 1])
            count = cursor.fetchone()[0]
            if not count:
                return BackendResult(count=0)
            if order or query.node is None:
                order = order or "received_at DESC NULLS LAST, document_id DESC"
                cursor.execute(
                    f"SELECT document_id, 0 FROM {TABLE} WHERE {where} "
                    f"ORDER BY {order} LIMIT %s OFFSET %s",
                    [*params, query.limit, query.offset])
            else:
                # weights for D, C, B, A: the head counts twice as much as the body
                score = "ts_rank('{0.5, 0.5, 0.5, 1.0}', vector, %s::tsquery)"
                candidates = max(RANK_CANDIDATES, query.offset + query.limit)
                if count <= candidates:
                    source, source_params = f"{TABLE} WHERE {where}", params
                else:
                    # Ranking reads each match's vector (detoasted, kilobytes each): with
                    # more matches than candidates only the first found are ranked (in
                    # the table's order, roughly that of filing). Picking the newest
                    # would read every match's row.
                    source = (f"(SELECT document_id, vector FROM {TABLE} WHERE {where} "
                              "LIMIT %s) AS candidates")
                    source_params = [*params, candidates]
                cursor.execute(
                    f"SELECT document_id, {score} AS score FROM {source} "
                    "ORDER BY score DESC, document_id DESC LIMIT %s OFFSET %s",
                    [tsquery_literal(query.node), *source_params, query.limit, query.offset])
            hits = [BackendHit(document_id=row[0], score=float(row[1]))
                    for row in cursor.fetchall()]
            facets = {}
            if query.facets:
                for name, column in FACET_COLUMNS.items():
                    cursor.execute(
                        f"SELECT {column}, count(*) FROM {TABLE} WHERE {where} "
                        f"AND {column} IS NOT NULL AND {column}::text <> '' "
                        f"GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT 50", params)
                    facets[name] = [(str(value), n) for value, n in cursor.fetchall()]
        return BackendResult(count=count, hits=hits, facets=facets)
