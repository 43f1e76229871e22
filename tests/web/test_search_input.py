"""Search input a user or a script can send (issue #16.9): every refusal is a German message
(400 on the API) and is logged like any search; nothing gives a server error."""
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from archive.models import Event
from search.backends import get_backend
from tests.archive.helpers import file_document
from tests.conftest import user
from web.search_params import API_NAMES, PAGE_NAMES

pytestmark = pytest.mark.django_db

# Each once gave a 500: Unicode digits pass isdigit() and fail in int(), ids beyond 64 bits
# crash tantivy, nesting overflows the parser's stack, a long pattern tantivy's regex limit.
CRASHERS = [
    {"seite": "²"}, {"akte": "²"}, {"einheit": "٣"}, {"wie": "²"},
    {"akte": str(2**64)}, {"einheit": str(2**64 + 1)}, {"wie": str(2**64)},
    {"q": "(" * 500}, {"q": "(" * 499 + "Antrag" + ")" * 499}, {"q": "-" * 999 + "Antrag"},
    {"q": "NOT " * 200 + "Antrag"}, {"q": "a*" * 499}, {"q": "Antrag", "eingang_von": "0001-01-01"},
    {"q": "Antrag", "eingang_bis": "9999-12-31"}, {"q": "Antrag", "brief_von": "0001-01-01"},
]
API_CRASHERS = [{"limit": "²"}, {"offset": "²"}, {"case_file": "²"}, {"unit": str(2**64)},
                {"more_like": str(2**64)}, {"q": "(" * 500}, {"q": "a*" * 499},
                {"q": "x", "received_to": "9999-12-31"}]


@pytest.fixture
def indexed(demo, settings, tmp_path):
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    from search.indexing import documents_index

    documents_index([file_document(demo["A"], text="Antrag auf Heizkosten").pk])
    yield demo
    get_backend.cache_clear()


def _page_client():
    client = Client()
    client.force_login(user("sachbearbeitung-a"))
    return client


def _api_client():
    client = APIClient()
    client.force_login(user("sachbearbeitung-a"))
    return client


def _refusals():
    return list(Event.objects.filter(action="searched", data__has_key="refused")
                .values_list("data", flat=True))


@pytest.mark.parametrize("params", CRASHERS, ids=lambda p: repr(p)[:40])
def test_search_page_refuses_in_german_and_logs_it(indexed, params):
    response = _page_client().get("/suche/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="search-error"' in html
    assert len(_refusals()) == 1


@pytest.mark.parametrize("params", API_CRASHERS, ids=lambda p: repr(p)[:40])
def test_search_api_answers_400_with_a_german_message_and_logs_it(indexed, params):
    response = _api_client().get("/api/search/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"].startswith(("SEARCH_", "QUERY_")) and body["message"]
    assert len(_refusals()) == 1


# Anything printable (surrogates cannot travel in a URL), numbers of any size, and the
# characters the query language gives meaning to, in long runs.
VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet='()*-":aA OR NOT titel', max_size=600),
    st.sampled_from(["²", "٣", "0001-01-01", "9999-12-31", "(" * 500, "a*" * 499]),
)
PAGE_PARAMS = st.dictionaries(st.sampled_from([*PAGE_NAMES.values(), "seite"]), VALUES,
                              max_size=4)
API_PARAMS = st.dictionaries(st.sampled_from([*API_NAMES.values(), "limit", "offset",
                                              "facets"]), VALUES, max_size=4)
FAST = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FAST
@given(params=PAGE_PARAMS)
def test_no_search_page_input_gives_a_server_error(indexed, params):
    # 400: a NUL character, refused before any view (tests/web/test_bad_input.py).
    assert _page_client().get("/suche/", params).status_code in (200, 400)


@FAST
@given(params=API_PARAMS)
def test_no_search_api_input_gives_a_server_error(indexed, params):
    assert _api_client().get("/api/search/", params).status_code in (200, 400)
