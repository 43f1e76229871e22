"""The REST API applies the same permissions as the pages: the second user sees nothing."""
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import system_actor
from archive.selectors import access_events_for_document
from archive.services.documents import VersionContent, document_file_new
from search.backends import get_backend
from search.indexing import documents_index
from tests.conftest import DEMO_PASSWORD
from web.search_params import API_NAMES


@pytest.fixture
def document(demo, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    content = VersionContent(
        original_sha256="d" * 64, original_size=1, original_name="a.pdf",
        original_mime="application/pdf", rendition_sha256="e" * 64, rendition_is_pdfa=True,
        text="Widerspruch gegen den Bescheid, Kennung zyxwortapi99", text_sha256="f" * 64,
        page_count=1)
    doc = document_file_new(content=content, case_file=demo["A"], title="Widerspruch",
                            received_at=timezone.now(), actor=system_actor(name="test"))
    documents_index([doc.pk])
    yield doc
    get_backend.cache_clear()


def _client(username):
    client = APIClient()
    client.credentials()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_schema_is_served(demo):
    response = _client("sachbearbeitung-a").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/search/" in response.content


def test_schema_lists_every_search_parameter_the_endpoint_reads(demo):
    response = _client("sachbearbeitung-a").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = json.loads(response.content)["paths"]["/api/search/"]["get"]
    documented = {parameter["name"]: parameter for parameter in operation["parameters"]}
    read = {"q", "document_type", "sender", "unit", "case_file", "letter_date_from",
            "letter_date_to", "received_from", "received_to", "state", "sort", "more_like",
            "year", "facets", "limit", "offset"}
    assert read <= set(documented)
    assert set(API_NAMES) <= set(documented)  # a filter added later is documented too
    assert documented["year"]["in"] == "query"
    assert documented["year"]["schema"] == {"type": "array", "items": {"type": "integer"}}


def test_anonymous_gets_nothing(document):
    assert APIClient().get("/api/search/", {"q": "zyxwortapi99"}).status_code in (401, 403)
    assert APIClient().get(f"/api/documents/{document.pk}/").status_code in (401, 403)


def test_search_is_trimmed_to_the_caller(document):
    found = _client("sachbearbeitung-a").get("/api/search/", {"q": "zyxwortapi99"}).json()
    assert found["count"] == 1 and found["results"][0]["document"] == document.pk
    hidden = _client("sachbearbeitung-b").get("/api/search/", {"q": "zyxwortapi99"}).json()
    assert hidden == {"count": 0, "count_exact": True, "count_text": "0", "results": []}


def test_document_read_logs_once_and_hides_from_others(document):
    response = _client("sachbearbeitung-a").get(f"/api/documents/{document.pk}/")
    assert response.status_code == 200 and "zyxwortapi99" in response.json()["version"]["text"]
    assert access_events_for_document(document.pk).count() == 1
    other = _client("sachbearbeitung-b").get(f"/api/documents/{document.pk}/")
    unknown = _client("sachbearbeitung-b").get("/api/documents/999999/")
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()  # nothing tells existing from non-existing
    assert access_events_for_document(document.pk).count() == 1


def test_query_syntax_error_is_a_400_with_code(document):
    response = _client("sachbearbeitung-a").get("/api/search/", {"q": "feld:wert"})
    assert response.status_code == 400 and response.json()["code"] == "QUERY_SYNTAX"
