"""The security headers of every answer (README "HTTPS"): no page may be framed, except the
PDF rendition by the document page of the same site; the policy allows no inline script."""

import re
from dataclasses import replace

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import system_actor
from archive.blobstore import blob_put_file
from archive.services.documents import document_file_new
from tests.archive.helpers import content
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


def test_pages_may_not_be_framed_but_the_rendition_may_by_its_own_site(demo, tmp_path):
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", ["Bescheid über Leistungen"])
    stored = blob_put_file(pdf)
    document = document_file_new(
        content=replace(
            content("Bescheid über Leistungen"),
            original_sha256=stored.sha256,
            original_size=stored.size,
            rendition_sha256=stored.sha256,
        ),
        case_file=demo["A"],
        title="Bescheid",
        received_at=timezone.now(),
        actor=system_actor("system", "test"),
    )
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    page = client.get(f"/dokumente/{document.pk}/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    policy = _policy(page)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and "unsafe" not in page["Content-Security-Policy"]
    assert page["Referrer-Policy"] == "same-origin"

    # The embedded rendition (with the page's grant) may be framed by the site itself.
    frame = re.search(r'<iframe[^>]* src="([^"]+)"', page.content.decode()).group(1)
    rendition = client.get(frame.replace("&amp;", "&"))
    assert rendition.status_code == 200 and rendition["Content-Type"] == "application/pdf"
    assert rendition["X-Frame-Options"] == "SAMEORIGIN"
    assert _policy(rendition)["frame-ancestors"] == "'self'"

    # The login page too: nothing of the site is framed elsewhere.
    login = Client().get("/anmelden/")
    assert login["X-Frame-Options"] == "DENY" and _policy(login)["frame-ancestors"] == "'none'"
