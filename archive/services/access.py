"""The one choke point for reading content: check access, then write exactly one access event
with its purpose. Follow-up requests of the same user action (the embedded PDF of a document
page) carry a signed grant instead of writing a second event.

Every event records the reader's role and, in `via`, the channel. A read that is refused
(an id the user may not read, or that does not exist: both alike) is logged as `read_refused`
with what was asked for, and the caller still answers the 404 of an unknown id. A read of a
case file shared with the reader's unit (outside their own unit and assigned files) needs a
stated purpose (`PurposeRequired`); the event records the basis of the read."""
from django.core import signing
from django.db import transaction

from ..errors import InvalidInput, NotFound, PurposeRequired
from ..guards import may_work_on, require_dpo_or_system
from ..models import CaseFile, Document, Event, Version
from ..permissions import PURPOSE_BASES, read_basis, user_role
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
LIST_GRANT_SALT = "archive.access.list-grant"
GRANT_MAX_AGE_SECONDS = 15 * 60
MIN_PURPOSE_CHARS = 10
REFUSED_ID_CHARS = 64


def _reader(user) -> dict:
    """Who read, beyond the user name and the channel (`via`): the role they read in."""
    return {"role": user_role(user) or ""}


def read_refused(*, user, object_type: str, object_id, requested: str) -> None:
    """Log a refused read: who tried to open what, asking for which kind of read (the channel
    goes into `via`). Unknown and forbidden ids are logged alike; for an object that exists
    the case file it is in is noted, so that the officer's report for that file or person
    shows the attempt. The user learns nothing: the caller raises the usual 404."""
    key = str(object_id)[:REFUSED_ID_CHARS]
    data = {"requested": requested, **_reader(user)}
    if key.isdigit():
        if object_type == "document":
            reference = (Document.objects.filter(pk=int(key))
                         .values_list("case_file__file_reference", flat=True).first())
        else:
            reference = (CaseFile.objects.filter(pk=int(key))
                         .values_list("file_reference", flat=True).first())
        if reference:
            data["case_file" if object_type == "document" else "file_reference"] = reference
    event_append(action="read_refused", object_type=object_type, object_id=key,
                 actor=getattr(user, "username", "") or "", data=data)


def _document_or_refused(user, document_id, requested: str) -> Document:
    try:
        return document_visible_or_404(user, document_id)
    except NotFound:
        read_refused(user=user, object_type="document", object_id=document_id,
                     requested=requested)
        raise


def _case_file_or_refused(user, case_file_id, requested: str) -> CaseFile:
    try:
        return case_file_visible_or_404(user, case_file_id)
    except NotFound:
        read_refused(user=user, object_type="case_file", object_id=case_file_id,
                     requested=requested)
        raise


def _purposed(user, case_file, purpose: str, default: str) -> tuple[str, dict]:
    """The purpose to record and the basis of the read. A read of a shared file states its
    purpose; elsewhere the default (the file reference, the inbox) serves."""
    basis = read_basis(user, case_file)
    purpose = purpose[:500]  # the length of the event's purpose; kept as typed otherwise
    if basis in PURPOSE_BASES and len(purpose.strip()) < MIN_PURPOSE_CHARS:
        raise PurposeRequired()
    return purpose or default, {"basis": basis, **_reader(user)}


def document_default_purpose(document: Document) -> str:
    if document.case_file_id is None:
        return "Posteingang"
    return f"Akte {document.case_file.file_reference}"


def document_read(*, user, document_id, action: str = "viewed", purpose: str = "") -> Document:
    if action not in READ_ACTIONS:
        raise InvalidInput(f"Unknown read action {action!r}.")
    document = _document_or_refused(user, document_id, action)
    purpose, reader = _purposed(user, document.case_file, purpose,
                                document_default_purpose(document))
    with transaction.atomic():
        event = event_append(
            action=action, object_type="document", object_id=document.pk, actor=user.username,
            purpose=purpose,
            data={"case_file": document.case_file.file_reference if document.case_file else None,
                  **reader},
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
    case_file = _case_file_or_refused(user, case_file_id, action)
    purpose, reader = _purposed(user, case_file, purpose, f"Akte {case_file.file_reference}")
    event_append(action=action, object_type="case_file", object_id=case_file.pk,
                 actor=user.username, purpose=purpose,
                 data={"file_reference": case_file.file_reference, **reader})
    return case_file


def _version_permitted(user, document: Document, number: int | None,
                       requested: str = "viewed") -> Version:
    """An earlier version may hold what a redaction removed: only with the permission to see
    unredacted versions, and for those who work on the case file. None is the latest. An
    earlier version withheld is a refused read (a version that does not exist is not)."""
    latest = document.versions.order_by("-number").first()
    version = latest if number is None else document.versions.filter(number=number).first()
    if version is None:
        raise NotFound()
    if version != latest and not (
            user.has_perm("archive.view_unredacted") and document.case_file_id
            and may_work_on(user, document.case_file)):
        read_refused(user=user, object_type="document", object_id=document.pk,
                     requested=requested)
        raise NotFound()
    return version


def version_read(*, user, document_id, number: int | None, purpose: str = "",
                 action: str = "viewed"):
    """One version (None: the latest) read or downloaded (`action`): one event naming it."""
    if action not in READ_ACTIONS:
        raise InvalidInput(f"Unknown read action {action!r}.")
    document = _document_or_refused(user, document_id, action)
    version = _version_permitted(user, document, number, action)
    number = version.number
    purpose, reader = _purposed(user, document.case_file, purpose,
                                document_default_purpose(document))
    event_append(action=action, object_type="document", object_id=document.pk,
                 actor=user.username, purpose=purpose,
                 data={"version": number, **reader})
    return version


def thumbnail_read(*, user, document_id, number: int | None = None, grant: str = "",
                   purpose: str = "") -> Version:
    """The thumbnail of a version (default: the latest) under the same rules as the document
    and the version itself. Unknown, forbidden and "has no thumbnail" all look alike.

    A thumbnail is a picture of the first page, so showing one is a read of content and is
    logged, as `previewed` rather than `viewed`: the access report then says that the user
    saw a small picture, not that the document was opened. The thumbnail on a document page
    is part of that page's logged view and rides on its grant, like the embedded PDF; the
    pictures of a page of search hits ride on the grant of that search's one event, which
    names them (`list_grant`). Only a picture fetched without either is an event of its
    own."""
    if grant:
        document = _document_with_any_grant(user, document_id, grant)
    else:
        document = _document_or_refused(user, document_id, "previewed")
    version = _version_permitted(user, document, number, "previewed")
    if not version.thumbnail_sha256:
        raise NotFound()
    if not grant:
        purpose, reader = _purposed(user, document.case_file, purpose,
                                    document_default_purpose(document))
        event_append(action="previewed", object_type="document", object_id=document.pk,
                     actor=user.username, purpose=purpose,
                     data={"case_file": document.case_file.file_reference
                           if document.case_file else None,  # found by reports after a move
                           "version": version.number, "thumbnail": True, **reader})
    return version


def list_grant(*, user, event: Event) -> str:
    """A grant for the thumbnails one logged list event (a page of search hits) names in
    `data["thumbnails"]`: the page of pictures is that one event, not one per picture."""
    return signing.TimestampSigner(salt=LIST_GRANT_SALT).sign(f"{user.pk}:{event.seq}")


def _document_with_any_grant(user, document_id, grant: str) -> Document:
    """A document page's grant, or a list's grant naming this document's thumbnail. Either
    is bound to the user and checked against today's access."""
    try:
        value = signing.TimestampSigner(salt=LIST_GRANT_SALT).unsign(
            grant, max_age=GRANT_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return document_read_with_grant(user=user, document_id=document_id, grant=grant)
    user_pk, _, seq = value.partition(":")
    event = Event.objects.filter(seq=int(seq), actor=user.username).first() \
        if seq.isdigit() and user_pk == str(user.pk) else None
    shown = {str(pk) for pk in (event.data.get("thumbnails") or ())} if event else set()
    if str(document_id) not in shown:
        read_refused(user=user, object_type="document", object_id=document_id,
                     requested="previewed")
        raise NotFound()
    return _document_or_refused(user, document_id, "previewed")


def case_files_list(*, user, purpose: str = "Aktenübersicht"):
    """A list of case files shows names of people: one listing is one logged read."""
    case_files = list(case_files_visible_to(user).order_by("-created_at")[:500])
    event_append(action="listed", object_type="case_file_list", object_id="own",
                 actor=user.username, purpose=purpose,
                 data={"case_files": [case_file.pk for case_file in case_files],
                       **_reader(user)})
    return case_files


def case_files_listed(*, user, page, purpose: str, list_name: str) -> list:
    """A page of case files the caller picked (filtered, sorted, paged: the API's list and
    search by file reference, client number or person) is one logged read naming every file
    shown. `page` is checked again, so nothing slips past the check."""
    case_files = _trimmed(page, case_files_visible_to(user))
    event_append(action="listed", object_type="case_file_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"case_files": [case_file.pk for case_file in case_files],
                       **_reader(user)})
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
                 data={"documents": [document.pk for document in documents],
                       **_reader(user)})
    return documents


def documents_list(*, user, page, purpose: str, list_name: str) -> list:
    """A list of documents (titles, senders) is a read like any other: one logged event
    naming every document shown. `page` is what the caller picked; it is checked again."""
    documents = _trimmed(page, documents_visible_to(user))
    event_append(action="listed", object_type="document_list", object_id=list_name,
                 actor=user.username, purpose=purpose,
                 data={"documents": [document.pk for document in documents],
                       **_reader(user)})
    return documents


def document_read_with_grant(*, user, document_id, grant: str) -> Document:
    """Serve part of an action already logged. The grant is bound to user and document, and
    access is checked again, so a revoked permission takes effect at once."""
    try:
        signer = signing.TimestampSigner(salt=GRANT_SALT)
        value = signer.unsign(grant, max_age=GRANT_MAX_AGE_SECONDS)
        user_pk, document_pk, _seq = value.split(":")
    except (signing.BadSignature, ValueError):
        user_pk = document_pk = ""
    if user_pk != str(user.pk) or document_pk != str(document_id):
        read_refused(user=user, object_type="document", object_id=document_id,
                     requested="viewed")
        raise NotFound()
    return _document_or_refused(user, document_id, "viewed")


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
        document = _document_or_refused(user, document_id, "previewed")
    version = _version_permitted(user, document, number, "previewed")
    if not version.rendition_sha256 or not 1 <= page <= version.page_count:
        raise NotFound()
    if not grant:
        purpose, reader = _purposed(user, document.case_file, purpose,
                                    document_default_purpose(document))
        event_append(action="previewed", object_type="document", object_id=document.pk,
                     actor=user.username, purpose=purpose,
                     data={"case_file": document.case_file.file_reference
                           if document.case_file else None,
                           "version": version.number, "page": page, **reader})
    return version


def versions_compare_read(*, user, document_id, old: int, new: int,
                          purpose: str = "") -> tuple[Version, Version]:
    """The texts of two versions side by side (what changed between them): a read of both,
    under the rule for earlier versions, written as one `viewed` event naming both."""
    document = _document_or_refused(user, document_id, "viewed")
    versions = (_version_permitted(user, document, old), _version_permitted(user, document, new))
    purpose, reader = _purposed(user, document.case_file, purpose,
                                document_default_purpose(document))
    event_append(action="viewed", object_type="document", object_id=document.pk,
                 actor=user.username, purpose=purpose,
                 data={"case_file": document.case_file.file_reference
                       if document.case_file else None,
                       "versions": [old, new], "compared": True, **reader})
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
