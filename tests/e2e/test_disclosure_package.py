"""An inspection package end to end: the page's form queues the build by task name, a real
worker process builds it (the worker's own lease thread, its own connection), the status
page follows it to the end, and the download is the recorded package."""
import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from playwright.sync_api import expect

from archive.models import Event
from retention.models import Disclosure, DisclosureJob
from retention.services.disclosure_jobs import disclosure_job_run
from tests.browser import CHROMIUM
from tests.conftest import DEMO_PASSWORD, sqlite_only, wait_for
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


@sqlite_only
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian package "
                    "chromium; scripts/ensure-system-packages --test installs it)")
def test_the_status_page_follows_the_build_in_the_browser(demo_tx, live_server, browser):
    """In Chromium: the page asks for the package, the status page polls the job while it
    waits and, once a worker has built it, offers the download without anyone reloading it.
    No worker runs until the page has shown the waiting job: the build is then run here, so
    the change can only have reached the page through its own polling."""
    a = demo_tx["A"]
    documents = [pdf_document(a, f"Schreiben {n}", f"Inhalt {n}", lines=5) for n in range(2)]
    page = browser.new_context(base_url=live_server.url, locale="de-DE").new_page()
    page.goto(f"/akten/{a.pk}/einsicht/")
    page.fill("input[name=username]", "sachbearbeitung-a")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/akten/{a.pk}/einsicht/")
    for document in documents:
        page.check(f"#dokument-{document.pk}")
    page.fill("#empfaenger", "Sozialgericht Musterstadt")
    page.fill("#zweck", "Klageverfahren S 1 AS 2/26")
    page.click("form[action$='/einsicht/paket'] button")
    page.wait_for_url("**/einsicht/pakete/*/")
    status_url = page.url
    expect(page.locator("#paket")).to_have_attribute("data-finished", "0")
    expect(page.locator("#herunterladen")).to_have_count(0)

    job = DisclosureJob.objects.get()
    assert disclosure_job_run(job.pk, worker="test").state == "done"
    expect(page.locator("#herunterladen")).to_be_visible(timeout=30_000)
    assert page.url == status_url  # the page's own script reloaded it
    expect(page.locator("#paket")).to_have_attribute("data-finished", "1")
    # The polling read the job's state only: nothing of the file was logged as read by it.
    assert not Event.objects.filter(action="disclosure_downloaded").exists()
