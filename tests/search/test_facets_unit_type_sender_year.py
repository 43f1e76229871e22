"""Facets by unit, type, sender and year of receipt, the title sort and highlighted snippets,
the same on every backend. A second user of another unit sees no count, no value and no hit
from the first unit's documents, whichever facet or filter they use."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from search.backend import Filters
from tests.conftest import DEMO_PASSWORD

from .helpers import file_document, ids, search_as

A, B = "sachbearbeitung-a", "sachbearbeitung-b"
BERLIN = ZoneInfo("Europe/Berlin")


def _at(year, month, day, hour, minute):
    """A moment as the office's wall clock in Berlin shows it."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def _corpus(demo):
    return {
        # 23:30 on New Year's Eve in Berlin: still 2024, there and in UTC.
        "a_late": file_document(demo["A"], "Heizkosten Nachzahlung", title="Bescheid",
                                document_type="bescheid", sender="Stadtwerke Nord",
                                received_at=_at(2024, 12, 31, 23, 30)),
        # 00:30 on New Year's Day in Berlin is 23:30 UTC of the old year: Berlin says 2025.
        "a_new": file_document(demo["A"], "Heizkosten Antrag", title="Ärger mit der Heizung",
                               document_type="antrag", sender="Stadtwerke Nord",
                               received_at=_at(2025, 1, 1, 0, 30)),
        "a_old": file_document(demo["A"], "Heizkosten Vertrag", title="antrag Heizung",
                               document_type="antrag", sender="Vermieter Krause",
                               received_at=_at(2023, 6, 1, 12, 0)),
        "b_one": file_document(demo["B"], "Heizkosten Mietvertrag", title="Mietvertrag",
                               document_type="mietvertrag", sender="Hausverwaltung Süd",
                               received_at=_at(2022, 3, 1, 9, 0)),
    }


def _facet(page, name) -> dict[str, int]:
    return {bucket.value: bucket.count for bucket in page.facets.get(name, [])}


def test_every_facet_counts_only_what_the_user_may_see(demo, backend):
    _corpus(demo)
    a = search_as(A, "Heizkosten", facets=True)
    assert _facet(a, "unit") == {str(demo["A"].unit_id): 3}
    assert _facet(a, "document_type") == {"bescheid": 1, "antrag": 2}
    assert _facet(a, "sender") == {"Stadtwerke Nord": 2, "Vermieter Krause": 1}
    assert _facet(a, "year") == {"2023": 1, "2024": 1, "2025": 1}
    # Years read latest first.
    assert [bucket.value for bucket in a.facets["year"]] == ["2025", "2024", "2023"]
    assert [bucket.label for bucket in a.facets["unit"]] == [demo["A"].unit.name]

    b = search_as(B, "Heizkosten", facets=True)
    assert _facet(b, "unit") == {str(demo["B"].unit_id): 1}
    assert _facet(b, "document_type") == {"mietvertrag": 1}
    assert _facet(b, "sender") == {"Hausverwaltung Süd": 1}
    assert _facet(b, "year") == {"2022": 1}
    # Without a unit, nothing to count at all.
    assert search_as("poststelle", "Heizkosten", facets=True).facets == {}


@pytest.mark.parametrize("filters_of,expected", [
    (lambda demo: Filters(unit_ids=(demo["A"].unit_id,)), {"a_late", "a_new", "a_old"}),
    (lambda demo: Filters(document_types=("bescheid",)), {"a_late"}),
    (lambda demo: Filters(senders=("Stadtwerke Nord",)), {"a_late", "a_new"}),
    (lambda demo: Filters(years=(2024,)), {"a_late"}),
], ids=["unit", "type", "sender", "year"])
def test_each_facet_filters_and_keeps_the_trimming(demo, backend, filters_of, expected):
    docs = _corpus(demo)
    filters = filters_of(demo)
    found = search_as(A, "Heizkosten", filters=filters, facets=True)
    assert sorted(ids(found)) == sorted(docs[name].pk for name in expected)
    assert found.count == len(expected)
    # B asking for A's unit, type, sender or year learns nothing: no hit, no count, no facet.
    foreign = search_as(B, "Heizkosten", filters=filters, facets=True)
    assert (foreign.count, foreign.hits, foreign.facets) == (0, [], {})
    # A filter alone (no words) searches, too.
    assert search_as(B, filters=filters).count == 0
    assert search_as(A, filters=filters).count == found.count


def test_the_year_is_the_local_year_of_receipt(demo, backend):
    docs = _corpus(demo)
    assert ids(search_as(A, filters=Filters(years=(2025,)))) == [docs["a_new"].pk]
    assert ids(search_as(A, filters=Filters(years=(2024,)))) == [docs["a_late"].pk]
    assert sorted(ids(search_as(A, filters=Filters(years=(2023, 2025))))) == sorted(
        [docs["a_old"].pk, docs["a_new"].pk])


def test_sorting_by_title_date_and_relevance(demo, backend):
    docs = _corpus(demo)
    # Case and umlauts folded: "antrag", "Ärger", "Bescheid".
    by_title = ids(search_as(A, "Heizkosten", sort="title"))
    assert by_title == [docs["a_old"].pk, docs["a_new"].pk, docs["a_late"].pk]
    assert ids(search_as(A, "Heizkosten", sort="newest")) == [
        docs["a_new"].pk, docs["a_late"].pk, docs["a_old"].pk]
    assert ids(search_as(A, "Heizkosten", sort="oldest")) == [
        docs["a_old"].pk, docs["a_late"].pk, docs["a_new"].pk]
    # Relevance (the default): a word in the title outweighs the same word in the text.
    relevant = ids(search_as(A, "Heizung"))
    assert set(relevant) == {docs["a_new"].pk, docs["a_old"].pk}
    assert ids(search_as(A, "Nachzahlung OR Bescheid"))[0] == docs["a_late"].pk


def test_snippets_mark_the_matches_on_every_backend(demo, backend):
    file_document(demo["A"], "Vorab <script>alert(1)</script> zur Heizkostenabrechnung: "
                  "die Heizkosten steigen.", title="Schreiben")
    hit = search_as(A, "Heizkosten").hits[0]
    assert "[[Heizkosten]]" in hit.snippet
    client = Client()
    assert client.login(username=A, password=DEMO_PASSWORD)
    html = client.get("/suche/", {"q": "Heizkosten"}).content.decode()
    assert "<mark>Heizkosten</mark>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_page_offers_year_facet_and_title_sort(demo, backend):
    import lxml.html

    docs = _corpus(demo)
    client = Client()
    assert client.login(username=A, password=DEMO_PASSWORD)
    tree = lxml.html.fromstring(client.get("/suche/", {"q": "Heizkosten"}).content)
    links = {a.text_content(): a.get("href") for a in tree.xpath('//aside[@id="facets"]//a')}
    assert "jahr=2025" in links["2025"] and "einheit=" in links[demo["A"].unit.name]
    assert "Hausverwaltung Süd" not in links and "2022" not in links
    assert tree.xpath('//select[@name="sortierung"]/option[@value="title"]')
    filtered = lxml.html.fromstring(client.get("/suche/", {"q": "Heizkosten",
                                                           "jahr": "2025"}).content)
    hits = filtered.xpath('//div[@class="hit"]//a/@href')
    assert f"/dokumente/{docs['a_new'].pk}/" in hits
    assert f"/dokumente/{docs['a_late'].pk}/" not in hits
    # The chosen year travels with the form when the words change.
    assert filtered.xpath('//form[@id="search-form"]//input[@name="jahr"]/@value') == ["2025"]
    # B's page for A's year: nothing.
    other = Client()
    assert other.login(username=B, password=DEMO_PASSWORD)
    page = lxml.html.fromstring(other.get("/suche/", {"q": "Heizkosten", "jahr": "2025"}).content)
    assert page.xpath('//p[@id="count"]')[0].text_content().split()[0] == "0"
    assert not page.xpath('//aside[@id="facets"]')


def test_the_command_line_filters_by_year_and_sorts_by_title(demo, backend):
    import json
    from io import StringIO

    from django.core.management import call_command

    docs = _corpus(demo)
    out = StringIO()
    call_command("search", "Heizkosten", "--user", B, "--year", "2025", "--json",
                 "--facets", stdout=out)
    assert json.loads(out.getvalue())["count"] == 0
    out = StringIO()
    call_command("search", "Heizkosten", "--user", A, "--sort", "title", "--json", stdout=out)
    assert [r["document"] for r in json.loads(out.getvalue())["results"]] == [
        docs["a_old"].pk, docs["a_new"].pk, docs["a_late"].pk]
