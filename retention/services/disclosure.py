"""File inspection (§ 25 SGB X) and court submission (§ 65d SGG) packages, and the disclosure
register (Art. 15(1)(c) GDPR).

Who: the caseworker who works on the case file (`may_work_on`: its unit, enough clearance),
or the data-protection officer for a file they may read (a restricted one). Anyone else gets
the 404 of an unknown id and a `read_refused` entry, and nothing enters the register.

Assembly is guided (`disclosure_candidates`): every document of the file with its latest
version (as the pages show it: earlier versions may hold what a redaction removed), preselected
unless it is

- an internal note: a file note of the sign-off app (`Document.medium == "file_note"`);
- an unsigned draft: a document whose latest signing-route event (the sign-off app writes them
  on the document, see design "File notes and signing routes") is not `signed_off`;

both are left out by default (§ 25 Abs. 1 S. 2 SGB X) but may be chosen. A document that
appears to name other people (household members, informants, witnesses: `THIRD_PARTY_TERMS`
in its text, a simple documented heuristic, never a decision) is flagged for redaction,
which is the existing redaction as a new version on the document page.

`disclosure_build` writes the zip, then reads every chosen document through the access function
(one `exported` event each, with the register number in the purpose), records the register
entry with each version's id and hashes and writes one `disclosed` event on the case file, in
one transaction. The pages ask for it through a background job with progress
(`disclosure_jobs.py`); the build is the same."""

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from archive.actors import Actor
from archive.errors import IntegrityFailure, InvalidInput, NotFound
from archive.guards import is_data_protection_officer, may_work_on, require_person
from archive.models import CaseFile, Document, Event, Version
from archive.selectors import case_file_documents, case_file_visible_or_404
from archive.services.access import case_file_read, document_read, read_refused
from archive.services.events import event_append

from ..inspection import PackageHead, PackedVersion, no_progress, package_zip
from ..models import Disclosure, DisclosureBasis, DisclosureNumber
from ..protocol import german_time

log = logging.getLogger(__name__)
FILE_NOTE_MEDIUM = "file_note"
# The sign-off app's events on a document; a route whose last event is not `signed_off` is a
# draft still (open, refused or withdrawn).
SIGNING_ACTIONS = (
    "signoff_route_started",
    "cosigned",
    "signoff_refused",
    "signoff_route_withdrawn",
    "signed_off",
)
# Words that name people other than the data subject. Matched as whole words (with German
# endings) in the version's text; a hint for the caseworker, not a decision.
THIRD_PARTY_TERMS = (
    "Haushaltsangehörige",
    "Haushaltsmitglied",
    "Bedarfsgemeinschaft",
    "Mitbewohner",
    "Ehefrau",
    "Ehemann",
    "Ehegatte",
    "Lebenspartner",
    "Lebensgefährte",
    "Partnerin",
    "Tochter",
    "Sohn",
    "Kinder",
    "Mutter",
    "Vater",
    "Nachbar",
    "Nachbarin",
    "Hinweisgeber",
    "Hinweisgeberin",
    "Informant",
    "Informantin",
    "Zeuge",
    "Zeugin",
    "Vermieter",
    "Vermieterin",
    "Arbeitgeber",
    "anonyme Anzeige",
    "Anzeigeerstatter",
)
THIRD_PARTY_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(term) for term in THIRD_PARTY_TERMS) + r")\w{0,2}(?!\w)",
    re.IGNORECASE,
)
PREPARE_PURPOSE = "Akteneinsicht oder Aktenübersendung vorbereiten"


@dataclass
class Candidate:
    document: Document
    version: Version | None
    internal_note: bool
    draft: bool
    third_party: tuple[str, ...]

    @property
    def selected_by_default(self) -> bool:
        return not (self.internal_note or self.draft) and self.version is not None


def _case_file_for(user, case_file_id, requested: str) -> CaseFile:
    """The file, if the user may disclose it; else the refused read and the unknown id's 404."""
    case_file = (
        CaseFile.objects.filter(pk=case_file_id, destroyed_at__isnull=True).first()
        if str(case_file_id).isdigit()
        else None
    )
    allowed = case_file is not None and (
        may_work_on(user, case_file)
        or (is_data_protection_officer(user) and _visible(user, case_file.pk))
    )
    if not allowed:
        read_refused(
            user=user, object_type="case_file", object_id=case_file_id, requested=requested
        )
        raise NotFound()
    return case_file


def _visible(user, case_file_id) -> bool:
    try:
        case_file_visible_or_404(user, case_file_id)
    except NotFound:
        return False
    return True


def _drafts(document_ids: list[int]) -> set[int]:
    last = {}
    for object_id, action in (
        Event.objects.filter(
            object_type="document",
            object_id__in=[str(pk) for pk in document_ids],
            action__in=SIGNING_ACTIONS,
        )
        .order_by("seq")
        .values_list("object_id", "action")
    ):
        last[int(object_id)] = action
    return {pk for pk, action in last.items() if action != "signed_off"}


def _third_party(text: str) -> tuple[str, ...]:
    found = []
    for match in THIRD_PARTY_PATTERN.finditer(text or ""):
        word = match.group(0)
        if word.lower() not in (w.lower() for w in found):
            found.append(word)
    return tuple(found[:5])


def _candidates(case_file: CaseFile) -> list[Candidate]:
    documents = list(case_file_documents(case_file).order_by("received_at", "pk"))
    latest = {}
    for version in Version.objects.filter(document__in=documents).order_by("number"):
        latest[version.document_id] = version
    drafts = _drafts([document.pk for document in documents])
    return [
        Candidate(
            document,
            latest.get(document.pk),
            internal_note=document.medium == FILE_NOTE_MEDIUM,
            draft=document.pk in drafts,
            third_party=_third_party(getattr(latest.get(document.pk), "text", "")),
        )
        for document in documents
    ]


def disclosure_candidates(*, actor: Actor, case_file_id) -> tuple[CaseFile, list[Candidate]]:
    """The guided selection: a read of the file's document list, logged like the file page."""
    user = require_person(actor)
    _case_file_for(user, case_file_id, "viewed")
    case_file = case_file_read(user=user, case_file_id=case_file_id, purpose=PREPARE_PURPOSE)
    return case_file, _candidates(case_file)


def disclosures_for(case_file: CaseFile):
    """The register's entries for a case file the caller has already read, newest first."""
    return Disclosure.objects.filter(case_file=case_file)


def _checked(
    recipient: str, basis: str, basis_text: str, purpose: str, document_ids
) -> tuple[str, str, str, str, list[int]]:
    recipient, basis_text, purpose = recipient.strip(), basis_text.strip(), purpose.strip()
    if basis not in DisclosureBasis.values:
        raise InvalidInput("Bitte eine Rechtsgrundlage wählen.", code="DISCLOSURE_INCOMPLETE")
    if not recipient or not purpose or (basis == DisclosureBasis.OTHER and not basis_text):
        raise InvalidInput(
            "Empfänger, Zweck und (bei „andere“) die Rechtsgrundlage sind anzugeben.",
            code="DISCLOSURE_INCOMPLETE",
        )
    ids = []
    for value in document_ids:
        if not str(value).isdigit():
            raise InvalidInput("Ungültige Dokumentauswahl.", code="DISCLOSURE_EMPTY")
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise InvalidInput("Bitte mindestens ein Dokument auswählen.", code="DISCLOSURE_EMPTY")
    return recipient[:300], basis, basis_text[:300], purpose[:500], ids


def _chosen(case_file: CaseFile, ids: list[int]) -> tuple[dict[int, Candidate], list[int]]:
    """The file's candidates and the chosen ids in the file's order (not the form's). A
    document that is not (or no longer) in the file, or has no version, refuses the whole
    selection."""
    candidates = {candidate.document.pk: candidate for candidate in _candidates(case_file)}
    if any(pk not in candidates or candidates[pk].version is None for pk in ids):
        raise InvalidInput(
            "Ein gewähltes Dokument gehört nicht (mehr) zu dieser Akte.", code="DISCLOSURE_EMPTY"
        )
    return candidates, [pk for pk in candidates if pk in ids]


def disclosure_check(
    *, actor: Actor, case_file_id, document_ids, recipient: str, basis: str, purpose: str,
    basis_text: str = "",
) -> tuple[CaseFile, dict]:
    """Who may and what the form says, checked when a package is asked for (and again when it
    is built): the file and the cleaned fields of the request."""
    case_file, asked, *_ = _request_checked(
        require_person(actor), case_file_id, document_ids, recipient, basis, purpose, basis_text
    )
    return case_file, asked


def _request_checked(user, case_file_id, document_ids, recipient, basis, purpose, basis_text):
    """`disclosure_check`'s work, with the file's candidates and the chosen order it read."""
    case_file = _case_file_for(user, case_file_id, "exported")
    recipient, basis, basis_text, purpose, ids = _checked(
        recipient, basis, basis_text, purpose, document_ids
    )
    candidates, order = _chosen(case_file, ids)
    asked = {
        "recipient": recipient,
        "basis": basis,
        "basis_text": basis_text if basis == DisclosureBasis.OTHER else "",
        "purpose": purpose,
        "document_ids": ids,
    }
    return case_file, asked, candidates, order


def disclosure_build(
    *,
    actor: Actor,
    case_file_id,
    document_ids,
    recipient: str,
    basis: str,
    purpose: str,
    target: Path,
    basis_text: str = "",
    progress=no_progress,
    fence=None,
) -> Disclosure:
    """Build the package for the chosen documents of the file as a zip at `target` and
    record it in the register. A document that is not (or no longer) in the file is refused
    as a whole: nothing is read and nothing recorded.

    The zip is assembled first, outside any transaction (a large file takes minutes, and a
    transaction held that long would stall every other writer); `progress(step, done,
    total)` is told how far it is. Then one short transaction checks that the selection is
    still what was packed, reads every document through the access function (one `exported`
    event each, purpose "Offenlegung Nr. N: basis"), creates the register entry and the
    `disclosed` event, and calls `fence()` (the worker's check that its job is still its
    own). So reads, entry and event exist together, only for a package that was completed,
    or not at all. The register number is reserved before the build (it is printed in the
    package); a build that fails leaves it unused."""
    user = require_person(actor)
    case_file, asked, candidates, order = _request_checked(
        user, case_file_id, document_ids, recipient, basis, purpose, basis_text
    )
    recipient, basis, purpose = asked["recipient"], asked["basis"], asked["purpose"]
    number = DisclosureNumber.objects.create().pk
    pending = Disclosure(
        pk=number, case_file=case_file, recipient=recipient, basis=basis,
        basis_text=asked["basis_text"], purpose=purpose, built_by=user.username,
    )
    built_at = timezone.localtime()
    versions = []
    for pk in order:
        document, version = candidates[pk].document, candidates[pk].version
        versions.append(
            PackedVersion(
                document_id=document.pk,
                title=document.title,
                type_name=document.type_name or "",
                sender=document.sender,
                letter_date=document.letter_date.isoformat() if document.letter_date else "",
                received=timezone.localdate(document.received_at).isoformat(),
                process=document.process.title if document.process_id else "",
                number=version.number,
                original_sha256=version.original_sha256,
                original_name=version.original_name,
                original_mime=version.original_mime,
                original_size=version.original_size,
                rendition_sha256=version.rendition_sha256,
            )
        )
    head = PackageHead(
        register_number=number,
        file_reference=case_file.file_reference,
        case_file_title=case_file.title,
        unit=case_file.unit.name,
        plan_unit=case_file.plan_unit.code,
        recipient=recipient,
        basis=basis,
        basis_label=pending.basis_label,
        purpose=purpose,
        built_by=user.username,
        built_at=built_at.isoformat(),
        built_at_text=german_time(built_at),
        authority=settings.AUTHORITY_NAME,
        versions=versions,
    )
    try:
        package_sha256 = package_zip(head, Path(target), progress)
    except NotFound as error:  # the blob store lacks a file it should hold
        log.error("disclosure %s of case file %s: %s", number, case_file.pk, error.message)
        raise IntegrityFailure(
            "Eine gespeicherte Datei eines gewählten Dokuments fehlt; das Paket wurde nicht "
            "erstellt und nichts eingetragen. Bitte die Administration verständigen.",
            code="DISCLOSURE_BLOB_MISSING",
        ) from None
    progress("register", 0, 1)
    with transaction.atomic():
        # Asked for a while ago: still the file's documents, still the versions packed (a
        # redaction that finished meanwhile must not be left out of the package).
        case_file = _case_file_for(user, case_file.pk, "exported")
        current, _order = _chosen(case_file, order)
        if any(current[v.document_id].version.number != v.number for v in versions):
            raise InvalidInput(
                "Ein Dokument hat während der Erstellung eine neue Fassung erhalten; bitte das "
                "Paket neu erstellen.",
                code="DISCLOSURE_CHANGED",
            )
        if fence is not None:
            fence()
        pending.package_sha256 = package_sha256
        pending.documents = [
            {
                "document": v.document_id,
                "title": v.title,
                "version": v.number,
                "original_sha256": v.original_sha256,
                "rendition_sha256": v.rendition_sha256,
                "pages": [v.first_page, v.last_page],
            }
            for v in versions
        ]
        pending.save(force_insert=True)
        # auto_now_add stamped the insert; the package states when it was put together.
        Disclosure.objects.filter(pk=number).update(built_at=built_at)
        pending.built_at = built_at
        read_purpose = f"Offenlegung Nr. {number}: {pending.basis_label}"
        for pk in order:
            document_read(user=user, document_id=pk, action="exported", purpose=read_purpose)
        event_append(
            action="disclosed",
            object_type="case_file",
            object_id=case_file.pk,
            actor=actor,
            purpose=purpose,
            data={
                "file_reference": case_file.file_reference,
                "disclosure": number,
                "basis": basis,
                "documents": [
                    {
                        "document": v.document_id,
                        "version": v.number,
                        "original_sha256": v.original_sha256,
                    }
                    for v in versions
                ],
                "package_sha256": package_sha256,
            },
        )
    return pending
