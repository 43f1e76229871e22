"""An inspection package end to end: the page's form queues the build by task name, a real
worker process builds it (the worker's own lease thread, its own connection), the status
page follows it to the end, and the download is the recorded package."""
import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client

from archive.models import Event
from retention.models import Disclosure, DisclosureJob
from tests.conftest import DEMO_PASSWORD, wait_for
from tests.retention.disclosure_helpers import pdf_document

pytestmark = [pytest.mark.e2e]


def test_a_worker_builds_the_package_asked_for_on_the_page(demo_tx, instance):
    a = demo_tx["A"]
    documents = [pdf_document(a, f"Schreiben {n}", f"Inhalt {n}", lines=40) for n in range(3)]
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    response = client.post(f"/akten/{a.pk}/einsicht/paket", {
        "dokument": [d.pk for d in documents], "empfaenger": "Sozialgericht Musterstadt",
        "rechtsgrundlage": "sgg_65d", "zweck": "Klageverfahren S 1 AS 2/26"})
    assert response.status_code == 302
    page_url = response["Location"]
    job = DisclosureJob.objects.get()

    status = wait_for(lambda: (lambda s: s if s["finished"] else None)(
        client.get(f"{page_url}stand").json()), timeout=240, what="the package")
    assert (status["state"], status["available"]) == ("done", True), status
    entry = Disclosure.objects.get()
    assert status["disclosure"] == entry.pk
    job.refresh_from_db()
    assert job.disclosure_id == entry.pk and job.worker.startswith("celery@")  # not eager
    body = b"".join(client.get(f"{page_url}paket.zip").streaming_content)
    assert hashlib.sha256(body).hexdigest() == entry.package_sha256
    index = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("index.json"))
    assert [d["dokument"] for d in index["dokumente"]] == [d.pk for d in documents]
    reads = Event.objects.filter(action="exported", object_type="document")
    assert sorted(int(e.object_id) for e in reads) == sorted(d.pk for d in documents)
    assert Event.objects.filter(action="disclosure_downloaded").count() == 1
