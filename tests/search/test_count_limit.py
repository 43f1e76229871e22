"""Counts are exact up to a limit (10,000 by default) and "more than" beyond, on every backend,
in the service, the search page, the API, the command line and the log; a user of another unit
still counts nothing. A small limit stands in for 10,000. On PostgreSQL relevance ranks only
the first candidates of a large result, and the permission filter is part of the tsquery."""
import json

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from archive.models import Event
from search import postgres_backend
from tests.conftest import user

from .helpers import file_document, ids, search_as

A, B = "sachbearbeitung-a", "sachbearbeitung-b"
WORD = "zaehlwort4711"


@pytest.fixture
def limit(settings):
    settings.SEARCH_COUNT_LIMIT = 3
    return 3


def _file(demo, n, unit="A", **fields):
    return [file_document(demo[unit], f"Schreiben {n} mit dem Wort {WORD}.", **fields)
            for n in range(n)]


def test_exact_up_to_the_limit(demo, backend, limit):
    _file(demo, 3)
    page = search_as(A, WORD)
    assert (page.count, page.count_exact, page.count_text) == (3, True, "3")
    assert len(page.hits) == 3


def test_more_than_the_limit_says_so_and_still_shows_hits(demo, backend, limit):
    documents = _file(demo, 5)
    page = search_as(A, WORD)
    assert (page.count, page.count_exact, page.count_text) == (3, False, "mehr als 3")
    assert sorted(ids(page)) == sorted(d.pk for d in documents)  # all 5 hits on the page
    event = Event.objects.filter(action="searched").latest("seq")
    assert event.data["count"] == 3 and event.data["count_exact"] is False
    # Another unit's caseworker counts nothing, exactly.
    other = search_as(B, WORD)
    assert (other.count, other.count_exact, other.hits) == (0, True, [])


def test_the_limit_counts_only_what_the_user_may_see(demo, backend, limit):
    _file(demo, 2)
    _file(demo, 6, unit="B")
    page = search_as(A, WORD)
    assert (page.count, page.count_exact) == (2, True)
    assert (search_as(B, WORD).count_text) == "mehr als 3"


def test_the_default_limit_is_ten_thousand(settings):
    from config import settings as configured

    assert configured.SEARCH_COUNT_LIMIT == 10_000


def test_page_api_and_command_show_more_than(demo, backend, limit, settings):
    settings.SEARCH_COUNT_LIMIT = 10_000
    _file(demo, 2)
    settings.SEARCH_COUNT_LIMIT = 1
    client = Client()
    client.force_login(user(A))
    html = client.get("/suche/", {"q": WORD}).content.decode()
    assert "mehr als 1 Treffer" in html
    api = APIClient()
    api.force_authenticate(user(A))
    data = api.get("/api/search/", {"q": WORD}).json()
    assert (data["count"], data["count_exact"], data["count_text"]) == (1, False, "mehr als 1")
    assert len(data["results"]) == 2
    other = APIClient()
    other.force_authenticate(user(B))
    data = other.get("/api/search/", {"q": WORD}).json()
    assert (data["count"], data["count_exact"], data["results"]) == (0, True, [])
    client.force_login(user(B))
    assert "mehr als" not in client.get("/suche/", {"q": WORD}).content.decode()


def test_thousands_are_grouped(demo, backend, settings):
    settings.SEARCH_COUNT_LIMIT = 0  # any match is "more than 0"
    _file(demo, 1)
    page = search_as(A, WORD)
    assert page.count_text == "mehr als 0"
    from search.services import SearchPage

    assert SearchPage(query="x", count=10_000, count_exact=False).count_text == \
        "mehr als 10.000"
    assert SearchPage(query="x", count=1234).count_text == "1.234"


def test_the_command_line_says_more_than(demo, backend, limit, capsys):
    _file(demo, 4)
    call_command("search", WORD, "--user", A, "--json")
    payload = json.loads(capsys.readouterr().out)
    assert (payload["count"], payload["count_exact"], payload["count_text"]) == \
        (3, False, "mehr als 3")


def test_postgres_ranks_only_the_first_candidates_of_a_large_result(demo, backend, limit,
                                                                    monkeypatch):
    if backend != "postgres":
        pytest.skip("the candidate bound is the PostgreSQL backend's")
    first = [file_document(demo["A"], f"Schreiben mit dem Wort {WORD} und vielen anderen "
                           f"Worten {n}.") for n in range(3)]
    # The document filed last is the most relevant (the word in its title too) ...
    best = file_document(demo["A"], f"{WORD} {WORD} {WORD}", title=WORD)
    assert ids(search_as(A, WORD, limit=1)) == [best.pk]  # all ranked: it wins
    # The table in filing order (rolled-back rows of earlier tests leave room that later
    # rows fill first): emptied, then the entries written again one after the other.
    from django.db import connection

    from search.indexing import documents_index

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry")
    for document in [*first, best]:
        documents_index([document.pk])
    monkeypatch.setattr(postgres_backend, "RANK_CANDIDATES", 2)
    # ... but with more matches than candidates only the first two found are ranked.
    page = search_as(A, WORD, limit=1)
    assert ids(page)[0] in {first[0].pk, first[1].pk}
    assert page.count == 3 and not page.count_exact
    # Paging past the candidates still pages through the matches.
    assert ids(search_as(A, WORD, limit=1, offset=3)) != []
    # Another unit's caseworker: nothing, however large the result.
    assert (search_as(B, WORD).count, search_as(B, WORD).hits) == (0, [])


def test_postgres_keeps_principals_in_the_vector(demo, backend):
    """The permission filter is part of the one tsquery; the principals are lexemes that no
    word of a letter can produce, so a letter naming them opens nothing."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's vector")
    from django.db import connection

    from archive.permissions import unit_principal

    principal = unit_principal(demo["A"].unit_id)
    document = file_document(demo["B"], f"Ein Brief über {principal} und acl:{principal}. "
                             f"{WORD}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM search_searchentry WHERE document_id = %s",
                       [document.pk])
        vector = cursor.fetchone()[0]
    assert f"'ACL:{unit_principal(demo['B'].unit_id)}'" in vector
    assert f"'ACL:{principal}'" not in vector
    assert search_as(A, WORD).count == 0 and search_as(B, WORD).count == 1
    # A prefix query never reaches the principals' lexemes (every entry has some).
    plain = file_document(demo["A"], f"Nur ein Wort: {WORD}.")
    for prefix in ("ac*", "acl*", "un*"):
        assert plain.pk not in ids(search_as(A, prefix, limit=100)), prefix
