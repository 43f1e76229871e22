"""A caseworker uploads a new version of a filed document; the pipeline files it as the next
version, never touching the old one; nobody else can."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.errors import Conflict, NotFound
from archive.services.casefiles import case_file_close
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from ingest.uploads import version_upload_receive
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db


def _upload(tmp_path, text):
    path = born_digital_pdf(tmp_path / "fassung.pdf", [text])
    return SimpleUploadedFile("fassung-2.pdf", path.read_bytes(), "application/pdf")


def test_new_version_from_the_document_page(demo, tmp_path):
    document = file_document(demo["A"], text="Erste Fassung des Antrags")
    client = Client()
    client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    response = client.post(f"/dokumente/{document.pk}/neue-version",
                           {"file": _upload(tmp_path, "Zweite Fassung mit Unterschrift")})
    assert response.status_code == 302
    job = IngestJob.objects.get(provenance__new_version_of=document.pk)
    job = job_run(job.pk, worker="test")
    assert job.state == JobState.FILED and job.document_id == document.pk
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].text == "Erste Fassung des Antrags"
    assert "Zweite Fassung mit Unterschrift" in versions[1].text


def test_others_cannot_add_versions_and_closed_files_refuse(demo, tmp_path):
    document = file_document(demo["A"])
    with pytest.raises(NotFound):
        version_upload_receive(user=user("sachbearbeitung-b"), document_id=document.pk,
                               upload=_upload(tmp_path, "x"))
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    with pytest.raises(Conflict):
        version_upload_receive(user=user("sachbearbeitung-a"), document_id=document.pk,
                               upload=_upload(tmp_path, "x"))
    assert not IngestJob.objects.exists()
