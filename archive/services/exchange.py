"""Export and import of a case file as a self-describing package: content, metadata, history
and checksums. An import into a clean instance keeps ids, hashes and per-object event counts."""
import hashlib
import json
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from ..actors import Actor
from ..blobstore import blob_open, blob_put_stream
from ..errors import Conflict, InvalidInput, NotFound
from ..guards import may_work_on, require_admin_or_operator, require_person
from ..models import CaseFile, Document, Event, FilePlanUnit, Process, Unit, Version
from .access import case_file_read, read_refused
from .events import event_append

FORMAT = "registratur-case-file/1"
COPY_CHUNK = 1024 * 1024
EVENT_FIELDS = ("seq", "at", "actor", "action", "object_type", "object_id", "purpose", "data",
                "hash")


def _history(case_file: CaseFile) -> list[Event]:
    keys = [("case_file", case_file.pk)]
    keys += [("process", pk) for pk in case_file.processes.values_list("pk", flat=True)]
    keys += [("document", pk) for pk in case_file.documents.values_list("pk", flat=True)]
    events = []
    for object_type, object_id in keys:
        events += Event.objects.filter(object_type=object_type, object_id=str(object_id))
    return sorted(events, key=lambda e: e.seq)


def case_file_export(*, actor: Actor, case_file_id, target: Path, purpose: str = "") -> Path:
    """Export is a read: it passes the choke point and is logged as one `exported` event.
    A whole file leaves the system, so only those who work on it may export it."""
    user = require_person(actor)
    owned = CaseFile.objects.filter(pk=case_file_id).first()
    if owned is None or not may_work_on(user, owned):
        read_refused(user=user, object_type="case_file", object_id=case_file_id,
                     requested="exported")
        raise NotFound()
    case_file = case_file_read(user=user, case_file_id=case_file_id, action="exported",
                               purpose=purpose)
    documents = list(case_file.documents.all())
    versions = list(Version.objects.filter(document__in=documents))
    blobs = sorted({v.original_sha256 for v in versions}
                   | {v.rendition_sha256 for v in versions if v.rendition_sha256})
    manifest = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "exported_by": user.username,
        "plan_unit": {"code": case_file.plan_unit.code, "title": case_file.plan_unit.title,
                      "retention_schedule": case_file.plan_unit.retention_schedule},
        "unit": {"code": case_file.unit.code, "name": case_file.unit.name},
        "records": _without_thumbnails(json.loads(serializers.serialize(
            "json", [case_file, *case_file.processes.all(), *documents, *versions],
            use_natural_foreign_keys=False))),
        "history": [{field: (getattr(e, field).isoformat() if field == "at"
                             else getattr(e, field)) for field in EVENT_FIELDS}
                    for e in _history(case_file)],
        "checksums": {},
    }
    target = Path(target)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for sha256 in blobs:
            # In chunks: a stored file is as large as a scan gets, and the web process that
            # exports it should not hold it in memory.
            with (blob_open(sha256) as handle,
                  package.open(f"blobs/{sha256}", "w", force_zip64=True) as member):
                shutil.copyfileobj(handle, member, COPY_CHUNK)
            manifest["checksums"][f"blobs/{sha256}"] = sha256
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        package.writestr("manifest.json", body)
        package.writestr("manifest.sha256", hashlib.sha256(body).hexdigest() + "  manifest.json\n")
    return target


def _without_thumbnails(records: list[dict]) -> list[dict]:
    """Thumbnails stay home. They are a display aid drawn from the rendition, not part of the
    record: the package carries original and rendition, from which a receiver can draw its
    own; one more copy of every page would only be one more copy of social data to account
    for. An imported version therefore has no thumbnail (the pages show none)."""
    for record in records:
        if record["model"] == "archive.version":
            record["fields"].pop("thumbnail_sha256", None)
    return records


def _read_package(path: Path) -> tuple[dict, zipfile.ZipFile]:
    package = zipfile.ZipFile(path)
    body = package.read("manifest.json")
    expected = package.read("manifest.sha256").decode().split()[0]
    if hashlib.sha256(body).hexdigest() != expected:
        raise InvalidInput("Das Paket ist beschädigt (manifest.json).", code="PACKAGE_CORRUPT")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise InvalidInput("Unbekanntes Paketformat.", code="PACKAGE_FORMAT")
    for name, sha256 in manifest["checksums"].items():
        with package.open(name) as member:
            digest = hashlib.file_digest(member, "sha256").hexdigest()
        if digest != sha256:
            raise InvalidInput(f"Das Paket ist beschädigt ({name}).", code="PACKAGE_CORRUPT")
    return manifest, package


def case_file_import(*, path: Path, actor: Actor) -> CaseFile:
    """A whole case file with its history enters: the administrator, or the operator of the
    command line."""
    require_admin_or_operator(actor, "Akten importiert die Administration.")
    manifest, package = _read_package(Path(path))
    records = list(serializers.deserialize("json", json.dumps(manifest["records"])))
    case_file = next(r.object for r in records if isinstance(r.object, CaseFile))
    if CaseFile.objects.filter(pk=case_file.pk).exists() or CaseFile.objects.filter(
            file_reference=case_file.file_reference).exists():
        raise Conflict(f"Die Akte {case_file.file_reference} ist hier schon vorhanden.",
                       code="IMPORT_CONFLICT")
    for name in manifest["checksums"]:
        with package.open(name) as member:
            blob_put_stream(member)
    with transaction.atomic():
        plan = manifest["plan_unit"]
        plan_unit, _ = FilePlanUnit.objects.get_or_create(
            code=plan["code"], defaults={"title": plan["title"],
                                         "retention_schedule": plan.get("retention_schedule", "")})
        unit, _ = Unit.objects.get_or_create(code=manifest["unit"]["code"],
                                             defaults={"name": manifest["unit"]["name"]})
        case_file.plan_unit_id, case_file.unit_id = plan_unit.pk, unit.pk
        by_type = {model: [r.object for r in records if isinstance(r.object, model)]
                   for model in (CaseFile, Process, Document, Version)}
        by_type[Version] = [_no_creator(v) for v in by_type[Version]]
        for version in by_type[Version]:
            version.thumbnail_sha256 = ""  # never in a package (see _without_thumbnails)
        for model, objects in by_type.items():
            # bulk_create keeps the exported primary keys (and skips Version's save guard).
            model.objects.bulk_create(objects)
        for entry in manifest["history"]:
            event_append(action=entry["action"], object_type=entry["object_type"],
                         object_id=entry["object_id"], actor=entry["actor"],
                         purpose=entry["purpose"], at=datetime.fromisoformat(entry["at"]),
                         data={**_without_via(entry["data"]),
                               "imported_from": {"seq": entry["seq"], "hash": entry["hash"],
                                                 "via": entry["data"].get("via")}})
        event_append(action="imported", object_type="package", object_id=case_file.pk,
                     actor=actor, data={"file_reference": case_file.file_reference,
                                        "events": len(manifest["history"])})
        _reset_sequences()
    return CaseFile.objects.get(pk=case_file.pk)


def _without_via(data: dict) -> dict:
    # The original procedure is kept under imported_from; "via" says how it came here.
    return {key: value for key, value in data.items() if key != "via"}


def _no_creator(version: Version) -> Version:
    # Users are local to an instance; provenance keeps who created it in the history.
    version.created_by_id = None
    return version


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(),
                                                   [CaseFile, Process, Document, Version])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
