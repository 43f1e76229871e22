"""Selectors: querysets already trimmed to what the user may see."""
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .errors import Gone, NotFound
from .models import BreakGlass, CaseFile, Document, DocumentType, Event, Process, Version
from .permissions import documents_q, principals_q, user_principals

READ_ACTIONS = ("viewed", "downloaded", "previewed", "exported")


# The permission filters join only along foreign keys (named persons are a subquery), so no
# row repeats and no DISTINCT is needed: lists and counts use the indexes as they are.
def _documents_permitted(user) -> QuerySet[Document]:
    return (Document.objects.filter(documents_q(user_principals(user)))
            .select_related("case_file", "case_file__unit", "process"))


def _case_files_permitted(user) -> QuerySet[CaseFile]:
    return (CaseFile.objects.filter(principals_q(user_principals(user)))
            .select_related("unit", "plan_unit"))


def documents_visible_to(user) -> QuerySet[Document]:
    return _documents_permitted(user).filter(destroyed_at__isnull=True)


def case_files_visible_to(user) -> QuerySet[CaseFile]:
    return _case_files_permitted(user).filter(destroyed_at__isnull=True)


def _get_or_404(queryset, object_id):
    """Whoever may see an object learns that it was destroyed (410, residual record);
    everybody else gets the same 404 as for an id that never existed."""
    try:
        found = queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if found.destroyed_at is not None:
        raise Gone(residual=found.residual)
    return found


def document_visible_or_404(user, document_id) -> Document:
    """Unknown and forbidden look the same, so nobody learns that a document exists."""
    return _get_or_404(_documents_permitted(user), document_id)


def case_file_visible_or_404(user, case_file_id) -> CaseFile:
    return _get_or_404(_case_files_permitted(user), case_file_id)


def inbox_documents(user) -> QuerySet[Document]:
    return documents_visible_to(user).filter(case_file__isnull=True)


def case_file_documents(case_file: CaseFile) -> QuerySet[Document]:
    """The documents of a case file that the caller has already read through the access
    function (whoever may read a case file may read its documents), without destroyed ones,
    each with its process and the name of its type (`type_name`, sortable; the key where the
    type is unknown, empty without a type), unordered."""
    type_name = DocumentType.objects.filter(key=OuterRef("document_type")).values("name")[:1]
    return (Document.objects.filter(case_file=case_file, destroyed_at__isnull=True)
            .select_related("process")
            .annotate(type_name=Coalesce(Subquery(type_name), F("document_type"))))


def case_file_processes(case_file: CaseFile) -> QuerySet[Process]:
    """The processes of a case file in the order they were created, each with the number of
    its documents that were not destroyed (`document_count`)."""
    return (case_file.processes.annotate(document_count=Count(
        "documents", filter=Q(documents__destroyed_at__isnull=True)))
        .order_by("created_at", "pk"))


def version_latest(document: Document) -> Version:
    return document.versions.order_by("-number").first()


def documents_with_thumbnail(user, document_ids) -> set[int]:
    """Of these documents, the ones the user may see whose latest version has a thumbnail:
    lists show a picture only where there is one to fetch."""
    visible = documents_visible_to(user).filter(pk__in=list(document_ids)).values("pk")
    latest: dict[int, str] = {}
    for document_id, thumbnail in (Version.objects.filter(document_id__in=visible)
                                   .order_by("document_id", "-number")
                                   .values_list("document_id", "thumbnail_sha256")):
        latest.setdefault(document_id, thumbnail)
    return {document_id for document_id, thumbnail in latest.items() if thumbnail}


def version_by_original_sha256(sha256: str) -> Version | None:
    return Version.objects.filter(original_sha256=sha256).select_related("document").first()


def access_events_for_document(document_id) -> QuerySet[Event]:
    return Event.objects.filter(object_type="document", object_id=str(document_id),
                                action__in=READ_ACTIONS)


def events_for_object(object_type: str, object_id) -> QuerySet[Event]:
    return Event.objects.filter(object_type=object_type, object_id=str(object_id))


def break_glass_open_for_review() -> QuerySet[BreakGlass]:
    return BreakGlass.objects.filter(reviewed_at__isnull=True).select_related(
        "user", "case_file")
