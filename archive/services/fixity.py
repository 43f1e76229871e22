"""Fixity: re-hash every stored object and raise an alert for each that is missing or no
longer matches its name."""
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from ..actors import Actor
from ..blobstore import blob_path, blob_sha256_of_file
from ..errors import PermissionDenied
from ..guards import is_administrator, is_data_protection_officer
from ..models import Event, Version
from .events import event_append


@dataclass(frozen=True)
class FixityFinding:
    sha256: str
    problem: str  # "missing" or "mismatch"


def _referenced() -> set[str]:
    hashes = set()
    for stored in Version.objects.values_list(*Version.BLOB_FIELDS):
        hashes.update(h for h in stored if h)
    return hashes


def _stored() -> set[str]:
    root = settings.BLOB_DIR
    if not root.exists():
        return set()
    return {path.name for path in root.glob("??/??/*") if len(path.name) == 64}


def fixity_check(*, actor: Actor) -> list[FixityFinding]:
    """The scheduled run, the command line, or an administrator or the data-protection
    officer asking for it: it reads no content, but its alerts go into the trail."""
    if not (actor.is_system or actor.is_operator or (
            actor.user is not None and (is_administrator(actor.user)
                                        or is_data_protection_officer(actor.user)))):
        raise PermissionDenied("Die Bestandsprüfung starten Administration und Datenschutz.")
    findings = []
    for sha256 in sorted(_referenced() | _stored()):
        path = blob_path(sha256)
        if not path.exists():
            findings.append(FixityFinding(sha256, "missing"))
        elif blob_sha256_of_file(path) != sha256:
            findings.append(FixityFinding(sha256, "mismatch"))
    for finding in findings:
        event_append(action="fixity_alert", object_type="blob", object_id=finding.sha256,
                     actor=actor, data={"problem": finding.problem})
    event_append(action="fixity_checked", object_type="blob_store", object_id="all",
                 actor=actor, data={"findings": len(findings)})
    return findings


def fixity_alerts() -> QuerySet[Event]:
    return Event.objects.filter(action="fixity_alert").order_by("-seq")
