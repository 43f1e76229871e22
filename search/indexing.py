"""What goes into the index, built from the database, which is always the source of truth."""
import logging
from dataclasses import dataclass, field

from archive.models import Document
from archive.permissions import document_principals

from .analysis import analyse
from .backend import IndexEntry
from .backends import get_backend

log = logging.getLogger(__name__)
BATCH = 200


def index_entry_for(document: Document, text: str) -> IndexEntry:
    case_file = document.case_file
    head_parts = [document.title, document.sender]
    if case_file is not None:
        head_parts += [case_file.file_reference, case_file.subject_name, case_file.client_number]
    return IndexEntry(
        document_id=document.pk,
        head=analyse(" ".join(part for part in head_parts if part)),
        body=analyse(text),
        principals=document_principals(document),
        document_type=document.document_type,
        sender=document.sender,
        unit_id=case_file.unit_id if case_file is not None else None,
        case_file_id=document.case_file_id,
        letter_date=document.letter_date,
        received_at=document.received_at,
        state="inbox" if case_file is None else "closed" if case_file.closed_at else "open",
        title=document.title,
    )


def _latest_texts(document_ids) -> dict[int, str]:
    from archive.models import Version

    texts: dict[int, tuple[int, str]] = {}
    for document_id, number, text in (Version.objects.filter(document_id__in=document_ids)
                                      .order_by().values_list("document_id", "number", "text")):
        if document_id not in texts or number > texts[document_id][0]:
            texts[document_id] = (number, text)
    return {document_id: text for document_id, (_, text) in texts.items()}


def entries_for(document_ids: list[int]) -> list[IndexEntry]:
    """Fresh entries of the documents that still exist; the others are left out."""
    # Destroyed documents are left out, so indexing them removes their entry.
    documents = (Document.objects.filter(pk__in=document_ids, destroyed_at__isnull=True)
                 .exclude(case_file__destroyed_at__isnull=False)
                 .select_related("case_file").order_by("pk"))
    texts = _latest_texts(document_ids)
    return [index_entry_for(document, texts.get(document.pk, "")) for document in documents]


def documents_index(document_ids: list[int]) -> None:
    entries = entries_for(document_ids)
    found = {entry.document_id for entry in entries}
    missing = [pk for pk in document_ids if pk not in found]
    backend = get_backend()
    backend.upsert(entries)
    if missing:
        backend.delete(missing)


def documents_purge(document_ids: list[int]) -> None:
    """Remove documents so that nothing of them remains in the index's files or table: for
    destruction (search.purging runs it on the index queue). Other documents stay
    searchable."""
    if document_ids:
        get_backend().purge(list(document_ids), entries_for)


def _batches(queryset):
    batch: list[int] = []
    for pk in queryset.iterator(chunk_size=BATCH * 5):
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def index_rebuild(progress=None) -> int:
    """Rebuild from the database in batches, so memory stays bounded however large it is."""
    backend = get_backend()
    ids = Document.objects.order_by("pk").values_list("pk", flat=True)
    total = Document.objects.count()
    done = 0

    def batches():
        nonlocal done
        for batch in _batches(ids):
            yield entries_for(batch)
            done += len(batch)
            if progress:
                progress(done, total)

    backend.replace_all(batches())
    backend.mark_built()
    _state_save(backend.name)
    return done


@dataclass
class CheckReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    stale: list[int] = field(default_factory=list)  # indexed content differs
    orphaned: list[int] = field(default_factory=list)  # in the index, gone from the database
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def index_check(*, repair: bool = False) -> CheckReport:
    """Compare every document's fresh entry with the index, batch by batch."""
    backend = get_backend()
    indexed = backend.fingerprints()
    report = CheckReport()
    seen: set[int] = set()
    for batch in _batches(Document.objects.order_by("pk").values_list("pk", flat=True)):
        for entry in entries_for(batch):
            seen.add(entry.document_id)
            report.checked += 1
            stored = indexed.get(entry.document_id)
            if stored is None:
                report.missing.append(entry.document_id)
            elif stored != entry.fingerprint:
                report.stale.append(entry.document_id)
    report.orphaned = sorted(set(indexed) - seen)
    if repair and not report.ok:
        for start in range(0, len(report.missing + report.stale), BATCH):
            documents_index((report.missing + report.stale)[start:start + BATCH])
        if report.orphaned:
            documents_purge(report.orphaned)
        report.repaired = True
    return report


def _state_save(backend_name: str) -> None:
    from .models import IndexState

    IndexState.objects.update_or_create(pk=1, defaults={"backend": backend_name,
                                                        "version": get_backend().version})


def index_is_current() -> bool:
    from .models import IndexState

    backend = get_backend()
    state = IndexState.objects.filter(pk=1).first()
    if state is None or (state.backend, state.version) != (backend.name, backend.version):
        return False
    if backend.needs_rebuild():
        return False
    # An index directory removed or replaced by an empty one.
    return backend.count() > 0 or not Document.objects.exists()


def index_ensure_current() -> bool:
    """Rebuild when the backend, the analysis or the schema changed since the last build.
    Runs after `registratur migrate` (so on every upgrade) without manual steps."""
    if index_is_current():
        return False
    log.info("search index is not current for backend %s, rebuilding", get_backend().name)
    index_rebuild()
    return True
