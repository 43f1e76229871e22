"""Fixity: a corrupted or missing object is reported and raises an alert event."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_bytes
from archive.errors import IntegrityFailure
from archive.services.documents import document_file_new
from archive.services.fixity import fixity_alerts, fixity_check
from tests.archive.helpers import content, file_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(demo, settings, tmp_path):
    settings.BLOB_DIR = tmp_path / "blobs"
    original = blob_put_bytes(b"%PDF-1.7 Bescheid ueber Leistungen")
    rendition = blob_put_bytes(b"%PDF-1.7 PDF/A Fassung")
    version_content = content("Bescheid")
    version_content = version_content.__class__(**{
        **version_content.__dict__, "original_sha256": original.sha256,
        "rendition_sha256": rendition.sha256})
    file_document(demo["A"])  # a version whose objects were never stored: both missing
    document_file_new(content=version_content, case_file=demo["A"], title="Bescheid",
                      received_at=timezone.now(), actor=system_actor(name="test"))
    return original, rendition


def test_intact_objects_raise_no_alert(stored):
    original, rendition = stored
    findings = {f.sha256 for f in fixity_check(actor=system_actor("scheduler"))}
    assert original.sha256 not in findings and rendition.sha256 not in findings


def test_corrupted_and_missing_objects_are_reported(stored):
    original, rendition = stored
    path = blob_path(original.sha256)
    path.chmod(0o640)
    path.write_bytes(b"%PDF-1.7 Bescheid ueber Leistungen, nachtraeglich veraendert")
    blob_path(rendition.sha256).unlink()
    findings = {f.sha256: f.problem for f in fixity_check(actor=system_actor("scheduler"))}
    assert findings[original.sha256] == "mismatch"
    assert findings[rendition.sha256] == "missing"
    alerted = {e.object_id: e.data["problem"] for e in fixity_alerts()}
    assert alerted[original.sha256] == "mismatch" and alerted[rendition.sha256] == "missing"
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "fixity", stdout=StringIO(), stderr=err)
    assert exit_.value.code == IntegrityFailure.exit_code and original.sha256 in err.getvalue()
