"""What the search tests share: filing a document and indexing it, searching as a user, and
reading the index's storage byte by byte."""
import hashlib

from django.conf import settings
from django.db import connection
from django.utils import timezone

from archive.actors import system_actor
from archive.services.documents import VersionContent, document_file_new
from search.backends import NAMES
from search.indexing import documents_index
from search.services import documents_search
from tests.conftest import user

LETTER = ("Sehr geehrter Herr Müller, gegen den Bescheid vom 3. März legen Sie Widerspruch "
          "ein. Zeichen quetzalwort7731.")
SECRET = "xylobrandt9946"  # only ever in documents some user may not see

# PostgreSQL full-text search only when the tests run on PostgreSQL.
BACKENDS = [name for name in NAMES if name != "postgres" or connection.vendor == "postgresql"]


def file_document(case_file, text, title="Widerspruch", index=True, **fields):
    content = VersionContent(
        original_sha256=hashlib.sha256(text.encode()).hexdigest(), original_size=len(text),
        original_name="scan.pdf", original_mime="application/pdf", rendition_sha256="",
        rendition_is_pdfa=False, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        page_count=1,
    )
    fields.setdefault("received_at", timezone.now())
    document = document_file_new(content=content, case_file=case_file, title=title,
                                 actor=system_actor(name="test"), **fields)
    if index:
        documents_index([document.pk])
    return document


def search_as(username, query="", **kwargs):
    return documents_search(user=user(username), query=query, **kwargs)


def ids(page):
    return [hit.document_id for hit in page.hits]


def table_file_bytes() -> bytes:
    """The search table's files as stored on disk: heap, TOAST table and the indexes of both,
    dead tuples and free space included (the tests connect as a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # pages changed in memory reach the files
        cursor.execute("""
            WITH t AS (SELECT oid, reltoastrelid FROM pg_class
                       WHERE oid = 'search_searchentry'::regclass),
                 relations AS (SELECT oid FROM t
                               UNION ALL SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0
                               UNION ALL SELECT indexrelid FROM pg_index, t
                               WHERE indrelid IN (t.oid, t.reltoastrelid))
            SELECT pg_read_binary_file(pg_relation_filepath(oid)) FROM relations""")
        return b"".join(bytes(row[0]) for row in cursor.fetchall())


def index_bytes(backend_name: str) -> bytes:
    """Every byte of the index's storage, deleted documents and stale files included."""
    if backend_name == "postgres":
        return table_file_bytes()
    return b"".join(path.read_bytes() for path in settings.SEARCH_INDEX_DIR.rglob("*")
                    if path.is_file())


# The fst crate's COMMON_INPUTS_INV (src/raw/common_inputs.rs): a node with one transition to
# the node written just before it is one byte 0b11xxxxxx, xxxxxx the input's place in this
# list plus one; another input byte comes first, followed by 0b11000000.
FST_COMMON_INPUTS = b"te/oasripcnw.hlm-du012g=:bf3y5&_4v9678k%?xCDASFIBEjPTzRNM+LOqHGW"


def fst_suffix_bytes(token: str) -> bytes:
    """How tantivy's term dictionary (an FST) stores the tail of a term no other term
    shares: nodes are written last to first, so the chain appears byte-reversed, each input
    encoded as above (the first and last bytes of the term are left out: they may be shared
    or stored otherwise)."""
    out = b""
    for byte in token.encode()[1:-1][::-1]:
        place = FST_COMMON_INPUTS.find(bytes([byte])) + 1
        out += bytes([0xC0 | place]) if 0 < place <= 63 else bytes([byte, 0xC0])
    return out


def index_holds(backend_name: str, token: str) -> bool:
    """Whether the token is anywhere in the index's storage, as plain bytes or, for tantivy,
    as a term of its (compressed) term dictionary. Stored fields hold no text (only the id
    and fingerprint are stored), so nothing else is compressed."""
    stored = index_bytes(backend_name)
    return token.encode() in stored or (
        backend_name == "tantivy" and fst_suffix_bytes(token) in stored)


def unreferenced_segment_files() -> list[str]:
    """tantivy files of segments its meta.json no longer lists (left behind by a merge or a
    rewrite until collected)."""
    import json

    directory = settings.SEARCH_INDEX_DIR / "tantivy"
    meta = json.loads((directory / "meta.json").read_text())
    live = {segment["segment_id"].replace("-", "") for segment in meta["segments"]}
    return sorted(path.name for path in directory.iterdir()
                  if len(path.stem) == 32 and path.stem not in live)
