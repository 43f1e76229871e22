"""Export and import round trip: a case file package imports into a clean instance with
identical ids, hashes and per-object event counts."""
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.blobstore import blob_put_bytes
from archive.errors import NotFound
from archive.models import Event
from archive.services.access import document_read
from archive.services.documents import VersionContent, document_file_new, document_move
from archive.services.exchange import case_file_export
from archive.services.processes import process_create
from tests.archive.helpers import thumbnail_png
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _document(case_file, text):
    original = blob_put_bytes(f"%PDF-1.7 original {text}".encode())
    rendition = blob_put_bytes(f"%PDF-1.7 rendition {text}".encode())
    content = VersionContent(
        original_sha256=original.sha256, original_size=original.size, original_name="scan.pdf",
        original_mime="application/pdf", rendition_sha256=rendition.sha256,
        rendition_is_pdfa=True, text=text, text_sha256="0" * 64, page_count=1,
        thumbnail_sha256=blob_put_bytes(thumbnail_png(text)).sha256)
    return document_file_new(content=content, case_file=case_file, title=text[:40],
                             received_at=timezone.now(), actor=system_actor(name="test"))


def _clean_instance(tmp_path):
    data = tmp_path / "clean"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "REGISTRATUR_DATA_DIR": str(data),
           "REGISTRATUR_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}"}
    env.pop("REGISTRATUR_TEST_DATABASE_URL", None)

    def run(*args):
        result = subprocess.run([sys.executable, "-m", "config.cli", *args], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result

    run("migrate", "-v", "0")
    return data, run


def test_export_import_round_trip_keeps_ids_hashes_and_event_counts(demo, tmp_path):
    case_file, worker = demo["A"], user("sachbearbeitung-a")
    process = process_create(actor=acting(worker), case_file=case_file, title="Widerspruch")
    first = _document(case_file, "Antrag auf Hilfe zum Lebensunterhalt")
    second = _document(case_file, "Widerspruch gegen den Bescheid")
    document_move(actor=acting(worker), document_id=second.pk, case_file=case_file, process=process)
    document_read(user=worker, document_id=first.pk)
    package = case_file_export(actor=acting(worker), case_file_id=case_file.pk,
                               target=tmp_path / "akte.zip", purpose="Abgabe an Nachfolger")
    keys = {("case_file", str(case_file.pk)), ("process", str(process.pk)),
            ("document", str(first.pk)), ("document", str(second.pk))}
    source_counts = Counter((e.object_type, e.object_id) for e in Event.objects.all()
                            if (e.object_type, e.object_id) in keys)
    assert source_counts[("case_file", str(case_file.pk))] >= 2  # created, exported

    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
    assert {"manifest.json", "manifest.sha256"} <= names
    # Thumbnails stay home: drawn from the rendition, not part of the record.
    thumbnails = {v.thumbnail_sha256 for d in (first, second) for v in d.versions.all()}
    assert "" not in thumbnails
    assert not {f"blobs/{sha256}" for sha256 in thumbnails} & names
    with zipfile.ZipFile(package) as archive:
        assert "thumbnail_sha256" not in archive.read("manifest.json").decode()

    data, run = _clean_instance(tmp_path)
    imported = json.loads(run("casefile", "import", str(package)).stdout)
    assert imported == {"id": case_file.pk, "file_reference": case_file.file_reference}
    db = sqlite3.connect(data / "db.sqlite3")
    assert db.execute("SELECT id, file_reference FROM archive_casefile").fetchall() == [
        (case_file.pk, case_file.file_reference)]
    assert sorted(db.execute("SELECT id, process_id FROM archive_document").fetchall()) == \
        sorted([(first.pk, None), (second.pk, process.pk)])
    source_versions = sorted((v.id, v.original_sha256, v.rendition_sha256)
                             for d in (first, second) for v in d.versions.all())
    assert sorted(db.execute("SELECT id, original_sha256, rendition_sha256 "
                             "FROM archive_version").fetchall()) == source_versions
    assert db.execute("SELECT DISTINCT thumbnail_sha256 FROM archive_version").fetchall() == [
        ("",)]
    target_counts = Counter(db.execute(
        "SELECT object_type, object_id FROM archive_event WHERE object_type != 'package'"
    ).fetchall())
    assert dict(target_counts) == dict(source_counts)
    for _, original, rendition in source_versions:
        for sha256 in (original, rendition):
            assert (data / "blobs" / sha256[:2] / sha256[2:4] / sha256).exists()
    run("audit", "verify")  # the clean instance's chain is intact after the import
    # Importing the same package twice is refused, not duplicated.
    again = subprocess.run([sys.executable, "-m", "config.cli", "casefile", "import",
                            str(package)], env={**os.environ,
                                                "DJANGO_SETTINGS_MODULE": "config.settings",
                                                "REGISTRATUR_DATA_DIR": str(data),
                                                "REGISTRATUR_DATABASE_URL":
                                                    f"sqlite:///{data / 'db.sqlite3'}"},
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "IMPORT_CONFLICT" in again.stderr


def test_a_tampered_package_is_refused(demo, tmp_path):
    worker = user("sachbearbeitung-a")
    _document(demo["A"], "Antrag")
    package = case_file_export(actor=acting(worker), case_file_id=demo["A"].pk,
                               target=tmp_path / "a.zip")
    tampered = tmp_path / "b.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("blobs/"):
                data = data + b" manipuliert"
            target.writestr(item, data)
    _, run = _clean_instance(tmp_path)
    data_dir = tmp_path / "clean"
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "casefile", "import", str(tampered)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
             "REGISTRATUR_DATA_DIR": str(data_dir),
             "REGISTRATUR_DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}"},
        capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "PACKAGE_CORRUPT" in result.stderr


def test_only_those_who_work_on_a_case_file_export_it(demo, tmp_path):
    for username in ("sachbearbeitung-b", "datenschutz", "poststelle", "admin"):
        with pytest.raises(NotFound):
            case_file_export(actor=acting(user(username)), case_file_id=demo["A"].pk,
                             target=tmp_path / "x.zip")
    assert not Event.objects.filter(action="exported").exists()
