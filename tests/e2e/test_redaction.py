"""Redaction end to end: the page's form queues the job by task name, a real worker process
picks it up, rasterises, OCRs and adds the redacted version, and the page shows the outcome."""
from dataclasses import replace

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import system_actor
from archive.blobstore import blob_put_file
from archive.services.documents import document_file_new
from ingest.models import RedactionJob
from tests.archive.helpers import content
from tests.conftest import DEMO_PASSWORD, wait_for
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = [pytest.mark.e2e]
IBAN = "DE89370400440532013000"


def test_the_worker_carries_out_a_redaction_asked_for_on_the_page(demo_tx, instance,
                                                                  tmp_path):
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", ["Bescheid über Leistungen",
                                                       f"Konto {IBAN}"])
    document = document_file_new(
        content=replace(content("Bescheid über Leistungen"),
                        rendition_sha256=blob_put_file(pdf).sha256),
        case_file=demo_tx["A"], title="Bescheid", received_at=timezone.now(),
        actor=system_actor("system", "test"))
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    response = client.post(f"/dokumente/{document.pk}/schwaerzen", {
        "page": "1", "x": "10", "y": "26.6", "width": "150", "height": "6",
        "reason": "Bankdaten nicht erforderlich", "version": "1"})
    assert response.status_code == 302
    job = RedactionJob.objects.get(document=document)
    url = f"/dokumente/{document.pk}/schwaerzungen/{job.pk}"

    status = wait_for(lambda: (lambda s: s if s["finished"] else None)(client.get(url).json()),
                      timeout=240, what="the redaction")
    assert (status["state"], status["result_version"]) == ("done", 2), status
    latest = document.versions.get(number=2)
    assert "Leistungen" in latest.text and IBAN not in latest.text.replace(" ", "")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "die geschwärzte Fassung ist Version 2" in page
