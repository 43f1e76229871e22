"""Large files pass through the web process in chunks: downloads and case-file exports are
streamed from the store, and an upload over the limit is stopped while it arrives."""
import hashlib
import os
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_file
from archive.services.documents import document_file_new
from ingest.models import IngestJob
from tests.archive.helpers import content, file_document
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _client(username="sachbearbeitung-a", api=False):
    client = APIClient() if api else Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _random_file(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(os.urandom(MB))
    return path


def _spooled() -> list[Path]:
    """What is left where uploads and exports are written."""
    return [path for path in Path(settings.WORK_DIR).rglob("*") if path.is_file()]


def test_exporting_a_large_case_file_does_not_hold_its_files_in_memory(demo, tmp_path):
    big = blob_put_file(_random_file(tmp_path / "gross.bin", 60 * MB))
    document_file_new(content=replace(content("Großer Scan"), original_sha256=big.sha256,
                                      original_size=big.size),
                      case_file=demo["A"], title="Großer Scan", received_at=timezone.now(),
                      actor=system_actor("system", "test"))
    client = _client()
    before = set(_spooled())
    # The first request imports the views (tens of MB of modules): not what is measured.
    assert client.get(f"/akten/{demo['A'].pk}/").status_code == 200

    tracemalloc.start()
    try:
        response = client.get(f"/akten/{demo['A'].pk}/export.zip")
        assert response.status_code == 200 and response.streaming
        package = tmp_path / "export.zip"
        with package.open("wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20 * MB, f"export held {peak / MB:.0f} MB in memory for a 60 MB file"
    with zipfile.ZipFile(package) as archive, archive.open(f"blobs/{big.sha256}") as member:
        assert hashlib.file_digest(member, "sha256").hexdigest() == big.sha256
    assert set(_spooled()) == before  # the package was removed after sending


def test_every_download_of_a_stored_file_streams(demo):
    document = file_document(demo["A"], text="Bescheid", store=True)
    client = _client()
    for url in (f"/dokumente/{document.pk}/original", f"/dokumente/{document.pk}/pdf",
                f"/dokumente/{document.pk}/versionen/1.pdf",
                f"/dokumente/{document.pk}/vorschau.png",
                f"/akten/{demo['A'].pk}/export.zip"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.streaming, url


def _too_large_upload(name="riesig.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + os.urandom(300_000),
                              content_type="application/pdf")


def _blob_count() -> int:
    root = Path(settings.BLOB_DIR)
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


# Small files are otherwise kept in memory: 0 sends every upload through a temporary file,
# which must not outlive the refusal either.
@override_settings(INGEST_MAX_BYTES=100_000, FILE_UPLOAD_MAX_MEMORY_SIZE=0)
def test_the_api_refuses_an_oversized_upload_while_it_arrives(demo):
    blobs, spooled = _blob_count(), set(_spooled())
    small = SimpleUploadedFile("klein.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    response = _client("poststelle", api=True).post(
        "/api/ingest/", {"file": [small, _too_large_upload()]}, format="multipart")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "TOO_LARGE"
    assert "riesig.pdf" in body["message"] and "nicht angenommen" in body["message"]
    assert str(settings.DATA_DIR) not in body["message"]
    assert not IngestJob.objects.exists()
    assert _blob_count() == blobs and set(_spooled()) == spooled

    # Within the limit, the same way in works.
    ok = _client("poststelle", api=True).post(
        "/api/ingest/", {"file": [SimpleUploadedFile("klein.pdf", b"%PDF-1.7\n")]},
        format="multipart")
    assert ok.status_code == 201


@override_settings(INGEST_MAX_BYTES=100_000, FILE_UPLOAD_MAX_MEMORY_SIZE=0)
def test_the_new_version_page_refuses_an_oversized_upload_with_a_german_message(demo):
    document = file_document(demo["A"], text="Antrag", store=True)
    blobs, spooled = _blob_count(), set(_spooled())
    client = _client()
    response = client.post(f"/dokumente/{document.pk}/neue-version",
                           {"file": _too_large_upload("nachtrag.pdf")}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nachtrag.pdf" in html and "nicht angenommen" in html and "TOO_LARGE" in html
    assert not IngestJob.objects.exists()
    assert _blob_count() == blobs and set(_spooled()) == spooled
    assert blob_path(document.versions.get().original_sha256).exists()
