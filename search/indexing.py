"""What goes into the index, built from the database, which is always the source of truth."""
import logging

from archive.models import Document
from archive.permissions import document_principals

from .backend import IndexEntry
from .backends import get_backend

log = logging.getLogger(__name__)
BATCH = 200


def index_entry_for(document: Document) -> IndexEntry:
    version = document.versions.order_by("-number").first()
    return IndexEntry(
        document_id=document.pk,
        title=document.title,
        body=version.text if version else "",
        file_reference=document.case_file.file_reference if document.case_file_id else "",
        principals=document_principals(document),
    )


def documents_index(document_ids: list[int]) -> None:
    documents = Document.objects.filter(pk__in=document_ids).select_related("case_file")
    found = {document.pk: document for document in documents}
    missing = [pk for pk in document_ids if pk not in found]
    backend = get_backend()
    if found:
        backend.upsert([index_entry_for(document) for document in found.values()])
    if missing:
        backend.delete(missing)


def index_rebuild(progress=None) -> int:
    """Rebuild from the database in batches, so memory stays bounded however large it is."""
    backend = get_backend()
    backend.clear()
    total = Document.objects.count()
    done = 0
    ids = Document.objects.order_by("pk").values_list("pk", flat=True)
    batch: list[int] = []
    for pk in ids.iterator(chunk_size=BATCH):
        batch.append(pk)
        if len(batch) == BATCH:
            documents_index(batch)
            done += len(batch)
            batch = []
            if progress:
                progress(done, total)
    if batch:
        documents_index(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    return done
