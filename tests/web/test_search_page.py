"""The search page and the search API: filters, facets, paging and refusals as a user meets
them, with the same permission trimming as everywhere."""
import hashlib
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import system_actor
from archive.services.documents import VersionContent, document_file_new
from search.backends import get_backend
from search.indexing import documents_index
from tests.conftest import DEMO_PASSWORD


def _file(case_file, text, title, **fields):
    content = VersionContent(
        original_sha256=hashlib.sha256(text.encode()).hexdigest(), original_size=len(text),
        original_name="a.pdf", original_mime="application/pdf", rendition_sha256="",
        rendition_is_pdfa=False, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        page_count=1)
    document = document_file_new(content=content, case_file=case_file, title=title,
                                 received_at=timezone.now(), actor=system_actor(name="test"),
                                 **fields)
    documents_index([document.pk])
    return document


@pytest.fixture
def letters(demo, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    docs = [
        _file(demo["A"], "Antrag auf Übernahme der Heizkosten, Kennung wabenkohl42.",
              "Antrag Heizkosten", document_type="Antrag", sender="Jobcenter Nord",
              letter_date=date(2026, 1, 5)),
        _file(demo["A"], "Bescheid über die Heizkosten.", "Bescheid Heizkosten",
              document_type="Bescheid", sender="Sozialamt", letter_date=date(2026, 2, 1)),
        _file(demo["B"], "Heizkosten in Sachgebiet B, Kennung wabenkohl77.", "Fremd",
              document_type="Fremdtyp", sender="Fremdabsender"),
    ]
    yield docs
    get_backend.cache_clear()


def _page(username, **params):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client.get("/suche/", params)


def _api(username, path, **params):
    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client.get(path, params)


def test_search_page_shows_hits_facets_and_narrows_by_a_facet(letters):
    response = _page("sachbearbeitung-a", q="Heizkosten")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 Treffer" in html and "<mark>Heizkosten</mark>" in html
    assert "Jobcenter Nord" in html and "Fremdabsender" not in html and "Fremdtyp" not in html
    narrowed = _page("sachbearbeitung-a", q="Heizkosten", typ="Bescheid").content.decode()
    assert "1 Treffer" in narrowed and "Bescheid Heizkosten" in narrowed
    assert "Antrag Heizkosten" not in narrowed


def test_search_page_searches_within_a_case_file_and_by_date(letters, demo):
    html = _page("sachbearbeitung-a", akte=demo["A"].pk, brief_von="2026-01-20").content.decode()
    assert "1 Treffer" in html and "Bescheid Heizkosten" in html


@pytest.mark.parametrize("params", [{"q": '"offen'}, {"q": "x", "brief_von": "gestern"},
                                    {"q": "x", "sortierung": "zufall"}])
def test_search_page_explains_bad_input_instead_of_failing(letters, params):
    response = _page("sachbearbeitung-a", **params)
    assert response.status_code == 200
    assert 'id="search-error"' in response.content.decode()


def test_api_search_with_filters_facets_and_sorting(letters, demo):
    response = _api("sachbearbeitung-a", "/api/search/", q="Heizkosten", facets="true",
                    sort="letter_date", sender="Jobcenter Nord", limit=5)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["document"] == letters[0].pk
    assert body["facets"]["sender"] == [{"value": "Jobcenter Nord", "label": "Jobcenter Nord",
                                         "count": 1}]
    other = _api("sachbearbeitung-b", "/api/search/", q="wabenkohl42", facets="true").json()
    assert (other["count"], other["results"], other["facets"]) == (0, [], {})


def test_api_refuses_bad_queries_with_a_stable_code(letters):
    response = _api("sachbearbeitung-a", "/api/search/", q="(Heizkosten")
    assert response.status_code == 400 and response.json()["code"] == "QUERY_SYNTAX"
    assert _api("sachbearbeitung-a", "/api/search/", q="x",
                received_from="bald").json()["code"] == "SEARCH_DATE"


def test_api_suggestions_come_only_from_visible_documents(letters):
    mine = _api("sachbearbeitung-a", "/api/search/suggestions/", prefix="wabenk").json()
    assert mine == {"suggestions": ["wabenkohl42"]}
    theirs = _api("sachbearbeitung-b", "/api/search/suggestions/", prefix="wabenk").json()
    assert theirs == {"suggestions": ["wabenkohl77"]}
