"""HTTP rules of every response (issue #16): social data is never cached, a page answers only
the methods it serves, HEAD sends no body."""
import pytest
from django.test import Client

from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def document(demo):
    return file_document(demo["A"], store=True)


def test_every_kind_of_response_says_no_store(demo, document):
    a, dpo = _client("sachbearbeitung-a"), _client("datenschutz")
    responses = {
        "document page": a.get(f"/dokumente/{document.pk}/"),
        "pdf": a.get(f"/dokumente/{document.pk}/pdf"),
        "original": a.get(f"/dokumente/{document.pk}/original"),
        "thumbnail": a.get(f"/dokumente/{document.pk}/vorschau.png"),
        "export": a.get(f"/akten/{demo['A'].pk}/export.zip"),
        "case file": a.get(f"/akten/{demo['A'].pk}/"),
        "search": a.get("/suche/", {"q": "Antrag"}),
        "api json": a.get(f"/api/documents/{document.pk}/"),
        "api search": a.get("/api/search/", {"q": "Antrag"}),
        "csv report": dpo.get("/datenschutz/bericht/", {
            "kind": "user", "subject": "sachbearbeitung-a", "start": "2026-01-01",
            "end": "2999-12-31", "format": "csv"}),
        "not found": a.get("/dokumente/987654/"),
    }
    for kind, response in responses.items():
        assert response.status_code in (200, 404), kind
        assert "no-store" in response.get("Cache-Control", ""), kind
        assert response.get("Pragma") == "no-cache", kind
