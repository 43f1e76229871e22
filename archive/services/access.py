"""The one choke point for reading content: check access, then write exactly one access event
with its purpose. Follow-up requests of the same user action (the embedded PDF of a document
page) carry a signed grant instead of writing a second event."""
from django.core import signing
from django.db import transaction

from ..errors import InvalidInput, NotFound
from ..guards import may_work_on, require_dpo_or_system
from ..models import CaseFile, Document, Version
from ..selectors import (
    READ_ACTIONS,
    case_file_visible_or_404,
    case_files_visible_to,
    document_visible_or_404,
    documents_visible_to,
    inbox_documents,
)
from ..signals import document_opened
from .events import event_append

GRANT_SALT = "archive.access.grant"
GRANT_MAX_AGE_SECONDS = 15 * 60


def document_default_purpose(document: Document) -> str:
    if document.case_file_id is None:
        return "Posteingang"
    return f"Akte {document.case_file.file_reference}"


def document_read(*, user, document_id, action: str = "viewed", purpose: str = "") -> Document:
    if action not in READ_ACTIONS:
        raise InvalidInput(f"Unknown read action {action!r}.")
    document = document_visible_or_404(user, document_id)
    with transaction.atomic():
        event = event_append(
            action=action, object_type="document", object_id=document.pk, actor=user.username,
            purpose=purpose or document_default_purpose(document),
            data={"case_file": document.case_file.file_reference if document.case_file else None},
        )
        document_opened.send(sender=Document, document_id=document.pk, user_id=user.pk,
                             action=action)
    document.access_grant = signing.TimestampSigner(salt=GRANT_SALT).sign(
        f"{user.pk}:{document.pk}:{event.seq}"
    )
    return document


def case_file_read(*, user, case_file_id, action: str = "viewed", purpose: str = "") -> CaseFile:
    """Reading a case file's metadata and document list is a read like any other."""
    if action not in READ_ACTIONS:
        raise InvalidInput(f"Unknown read action {action!r}.")
    case_file = case_file_visible_or_404(user, case_file_id)
    event_append(action=action, object_type="case_file", object_id=case_file.pk,
                 actor=user.username, purpose=purpose or f"Akte {case_file.file_reference}",
                 data={"file_reference": case_file.file_reference})
    return case_file


def _version_permitted(user, document: Document, number: int | None) -> Version:
    """An earlier version may hold what a redaction removed: only with the permission to see
    unredacted versions, and for those who work on the case file. None is the latest."""
    latest = document.versions.order_by("-number").first()
    version = latest if number is None else document.versions.filter(number=number).first()
    if version is None or (version != latest and not (
            user.has_perm("archive.view_unredacted") and document.case_file_id
            and may_work_on(user, document.case_file))):
        raise NotFound()
    return version


def version_read(*, user, document_id, number: int, purpose: str = ""):
    document = document_visible_or_404(user, document_id)
    version = _version_permitted(user, document, number)
    event_append(action="viewed", object_type="document", object_id=document.pk,
                 actor=user.username, purpose=purpose or document_default_purpose(document),
                 data={"version": number})
    return version


def thumbnail_read(*, user, document_id, number: int | None = None, grant: str = "",
                   purpose: str = "") -> Version:
    """The thumbnail of a version (default: the latest) under the same rules as the document
    and the version itself. Unknown, forbidden and "has no thumbnail" all look alike.

    A thumbnail is a picture of the first page, so showing one is a read of content and is
    logged, as `previewed` rather than `viewed`: the access report then says that the user
    saw a small picture (in a list of hits), not that the document was opened. One event per
    picture served; lazy loading means only pictures actually shown are fetched. The
    thumbnail on a document page is part of that page's logged view and rides on its grant,
    like the embedded PDF."""
    if grant:
        document = document_read_with_grant(user=user, document_id=document_id, grant=grant)
    else:
        document = document_visible_or_404(user, document_id)
    version = _version_permitted(user, document, number)
    if not version.thumbnail_sha256:
        raise NotFound()
    if not grant:
        event_append(action="previewed", object_type="document", object_id=document.pk,
                     actor=user.username, purpose=purpose or document_default_purpose(document),
                     data={"case_file": document.case_file.file_reference
                           if document.case_file else None,  # found by reports after a move
                           "version": version.number, "thumbnail": True})
    return version


def case_files_list(*, user, purpose: str = "Aktenübersicht"):
    """A list of case files shows names of people: one listing is one logged read."""
    case_files = list(case_files_visible_to(user).order_by("-created_at")[:500])
    event_append(action="listed", object_type="case_file_list", object_id="own",
                 actor=user.username, purpose=purpose,
                 data={"case_files": [case_file.pk for case_file in case_files]})
    return case_files


def _trimmed(documents, permitted) -> list:
    """Of a page the caller picked (sorted, filtered, paged), what `permitted` allows, in the
    caller's order: one query however long the page, and nothing slips past the check."""
    documents = list(documents)
    allowed = set(permitted.filter(pk__in=[document.pk for document in documents])
                  .values_list("pk", flat=True))
    return [document for document in documents if document.pk in allowed]


def inbox_list(*, user, limit: int = 200, purpose: str = "Posteingang sichten",
               page=None) -> list:
    """The mailroom's list of unfiled post shows senders and subjects: one logged read.
    `page` is one page of a sorted, filtered listing of inbox_documents(user); it is checked
    again here, so that only what the user may see is shown and logged."""
    documents = (_trimmed(page, inbox_documents(user)) if page is not None
                 else list(inbox_documents(user)[:limit]))
    event_append(action="listed", object_type="inbox", object_id="unfiled",
                 actor=user.username, purpose=purpose,
                 data={"documents": [document.pk for document in documents]})
    return documents


def documents_list(*, user, page, purpose: str, list_name: str) -> list:
    """A list of documents (titles, senders) is a read like any other: one logged event
    naming every document shown. `page` is what the caller picked; it is checked again."""
    documents = _trimmed(page, documents_visible_to(user))
    event_append(action="listed", object_type="document_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"documents": [document.pk for document in documents]})
    return documents


def document_read_with_grant(*, user, document_id, grant: str) -> Document:
    """Serve part of an action already logged. The grant is bound to user and document, and
    access is checked again, so a revoked permission takes effect at once."""
    try:
        signer = signing.TimestampSigner(salt=GRANT_SALT)
        value = signer.unsign(grant, max_age=GRANT_MAX_AGE_SECONDS)
        user_pk, document_pk, _seq = value.split(":")
    except (signing.BadSignature, ValueError):
        raise NotFound() from None
    if int(user_pk) != user.pk or document_pk != str(document_id):
        raise NotFound()
    return document_visible_or_404(user, document_id)


def page_read(*, user, document_id, page: int, number: int | None = None, grant: str = "",
              purpose: str = "") -> Version:
    """One page of a version (default: the latest) as a picture: the page thumbnails of the
    document page, the page a redaction is drawn on and its preview. The rules of
    `thumbnail_read`: on the document page the picture is part of that page's logged view
    and rides on its grant; without a grant every picture is a logged `previewed` read.
    Unknown, forbidden and "no such page" all look alike."""
    if grant:
        document = document_read_with_grant(user=user, document_id=document_id, grant=grant)
    else:
        document = document_visible_or_404(user, document_id)
    version = _version_permitted(user, document, number)
    if not version.rendition_sha256 or not 1 <= page <= version.page_count:
        raise NotFound()
    if not grant:
        event_append(action="previewed", object_type="document", object_id=document.pk,
                     actor=user.username, purpose=purpose or document_default_purpose(document),
                     data={"case_file": document.case_file.file_reference
                           if document.case_file else None,
                           "version": version.number, "page": page})
    return version


def versions_compare_read(*, user, document_id, old: int, new: int,
                          purpose: str = "") -> tuple[Version, Version]:
    """The texts of two versions side by side (what changed between them): a read of both,
    under the rule for earlier versions, written as one `viewed` event naming both."""
    document = document_visible_or_404(user, document_id)
    versions = (_version_permitted(user, document, old), _version_permitted(user, document, new))
    event_append(action="viewed", object_type="document", object_id=document.pk,
                 actor=user.username, purpose=purpose or document_default_purpose(document),
                 data={"case_file": document.case_file.file_reference
                       if document.case_file else None,
                       "versions": [old, new], "compared": True})
    return versions


def case_files_handover_read(*, actor, case_file_ids, purpose: str, data: dict) -> None:
    """The officer downloads a message of the hand-over to the public archive (xdomea 0501,
    0503): it carries the case files' metadata (0503: their documents too), which the
    officer's principals do not open on the pages. The hand-over is the officer's own task;
    the retention service decides which message may be built, and here the actor must be the
    officer (or the system). One `downloaded` event per case file, so that each file's access
    report shows who took its data out and for which process."""
    require_dpo_or_system(actor, "Die Aussonderung an das Archiv betreibt nur der Datenschutz.")
    for pk, reference in (CaseFile.objects.filter(pk__in=list(case_file_ids))
                          .values_list("pk", "file_reference")):
        event_append(action="downloaded", object_type="case_file", object_id=pk, actor=actor,
                     purpose=purpose, data={"file_reference": reference, **data})
