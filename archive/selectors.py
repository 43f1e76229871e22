"""Selectors: querysets already trimmed to what the user may see."""
from django.db.models import Q, QuerySet

from .errors import NotFound
from .models import CaseFile, Document, Event, Version
from .permissions import INBOX, user_principals


def _unit_ids(principals: frozenset[str]) -> list[int]:
    return [int(p.split(":", 1)[1]) for p in principals if p.startswith("unit:")]


def documents_visible_to(user) -> QuerySet[Document]:
    principals = user_principals(user)
    condition = Q(pk__in=[])
    if INBOX in principals:
        condition |= Q(case_file__isnull=True)
    unit_ids = _unit_ids(principals)
    if unit_ids:
        condition |= Q(case_file__unit_id__in=unit_ids)
    return Document.objects.filter(condition).select_related("case_file", "case_file__unit")


def case_files_visible_to(user) -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(unit_id__in=_unit_ids(user_principals(user)))


def document_visible_or_404(user, document_id) -> Document:
    """Unknown and forbidden look the same, so nobody learns that a document exists."""
    try:
        return documents_visible_to(user).get(pk=int(document_id))
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def inbox_documents(user) -> QuerySet[Document]:
    return documents_visible_to(user).filter(case_file__isnull=True)


def version_latest(document: Document) -> Version:
    return document.versions.order_by("-number").first()


def version_by_original_sha256(sha256: str) -> Version | None:
    return Version.objects.filter(original_sha256=sha256).select_related("document").first()


def access_events_for_document(document_id) -> QuerySet[Event]:
    return Event.objects.filter(object_type="document", object_id=str(document_id),
                                action__in=READ_ACTIONS)


READ_ACTIONS = ("viewed", "downloaded", "previewed", "exported")
