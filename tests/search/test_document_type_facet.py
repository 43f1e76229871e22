"""The document type in search, the same on every backend: a facet "Dokumenttyp" with the
types' German names and counts, trimmed to what the user may see; a filter by type; and a
corrected type reaching the index."""
import pytest
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.services.documents import document_type_set
from search.backend import Filters
from tests.conftest import DEMO_PASSWORD, user

from .helpers import file_document, ids, search_as

A, B = "sachbearbeitung-a", "sachbearbeitung-b"


def _types(page) -> dict[str, int]:
    return {bucket.label: bucket.count for bucket in page.facets.get("document_type", [])}


def _corpus(demo):
    return {
        "a_bescheid": file_document(demo["A"], "Heizkosten Nachzahlung", title="Bescheid",
                                    document_type="widerspruchsbescheid"),
        "a_antrag": file_document(demo["A"], "Heizkosten Antrag", title="Antrag",
                                  document_type="antrag"),
        "b_antrag": file_document(demo["B"], "Heizkosten Antrag B", title="Antrag",
                                  document_type="antrag"),
        "b_miete": file_document(demo["B"], "Heizkosten Mietvertrag", title="Miete",
                                 document_type="mietvertrag"),
    }


def test_the_type_facet_counts_with_german_names_only_what_the_user_may_see(demo, backend):
    _corpus(demo)
    seen_by_a = search_as(A, "Heizkosten", facets=True)
    assert _types(seen_by_a) == {"Widerspruchsbescheid": 1, "Antrag": 1}
    assert {b.value for b in seen_by_a.facets["document_type"]} == {"widerspruchsbescheid",
                                                                    "antrag"}
    # B's user sees no count for a type that only A's files hold, and A's antrag is not in
    # B's count for the type both have.
    assert _types(search_as(B, "Heizkosten", facets=True)) == {
        "Antrag": 1, "Mietvertrag / Mietbescheinigung": 1}
    assert search_as("poststelle", "Heizkosten", facets=True).facets == {}


def test_filtering_by_type_keeps_the_trimming(demo, backend):
    docs = _corpus(demo)
    only = Filters(document_types=("antrag",))
    assert ids(search_as(A, "Heizkosten", filters=only)) == [docs["a_antrag"].pk]
    assert ids(search_as(B, "Heizkosten", filters=only)) == [docs["b_antrag"].pk]
    foreign = search_as(B, "Heizkosten", filters=Filters(document_types=("widerspruchsbescheid",)),
                        facets=True)
    assert (foreign.count, foreign.facets) == (0, {})
    # Without a query, the filter alone searches.
    assert search_as(A, filters=Filters(document_types=("widerspruchsbescheid",))).count == 1


def test_a_corrected_type_reaches_the_index(demo, backend, eager,
                                            django_capture_on_commit_callbacks):
    document = file_document(demo["A"], "Heizkosten Schreiben", document_type="antrag")
    with django_capture_on_commit_callbacks(execute=True):
        document_type_set(actor=acting(user(A)), document_id=document.pk, key="bescheid")
    assert search_as(A, filters=Filters(document_types=("antrag",))).count == 0
    assert ids(search_as(A, filters=Filters(document_types=("bescheid",)))) == [document.pk]
    assert _types(search_as(A, "Heizkosten", facets=True)) == {"Bescheid": 1}
    hit = search_as(A, "Heizkosten").hits[0]
    assert (hit.document_type, hit.document_type_name) == ("bescheid", "Bescheid")


def _page(username, **params):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client.get("/suche/", params).content.decode()


def test_the_search_page_offers_the_type_facet_and_filter_by_name(demo, backend):
    import lxml.html

    docs = _corpus(demo)
    tree = lxml.html.fromstring(_page(A, q="Heizkosten"))
    facets = tree.xpath('//aside[@id="facets"]')[0]
    links = {a.text_content(): a.get("href") for a in facets.xpath(".//a")}
    assert "typ=widerspruchsbescheid" in links["Widerspruchsbescheid"]
    assert "Mietvertrag / Mietbescheinigung" not in links
    options = {o.get("value"): o.text_content().strip()
               for o in tree.xpath('//select[@name="typ"]/option')}
    assert options["widerspruchsbescheid"] == "Widerspruchsbescheid" and options[""] == "alle"
    filtered = lxml.html.fromstring(_page(A, q="Heizkosten", typ="widerspruchsbescheid"))
    hits = filtered.xpath('//div[@class="hit"]')
    assert len(hits) == 1 and f"/dokumente/{docs['a_bescheid'].pk}/" in lxml.html.tostring(
        hits[0]).decode()
    assert "Widerspruchsbescheid" in hits[0].text_content()
    assert filtered.xpath('//select[@name="typ"]/option[@selected]')[0].get(
        "value") == "widerspruchsbescheid"


@pytest.mark.parametrize("username,expected", [
    (A, {"widerspruchsbescheid": "Widerspruchsbescheid", "antrag": "Antrag"}),
    (B, {"antrag": "Antrag", "mietvertrag": "Mietvertrag / Mietbescheinigung"})])
def test_the_search_api_names_the_types_and_trims_their_facet(demo, backend, username,
                                                              expected):
    from rest_framework.test import APIClient

    _corpus(demo)
    client = APIClient()
    assert client.login(username=username, password=DEMO_PASSWORD)
    body = client.get("/api/search/", {"q": "Heizkosten", "facets": "true"}).json()
    assert {b["value"]: b["label"] for b in body["facets"]["document_type"]} == expected
    assert {hit["document_type"]: hit["document_type_name"] for hit in body["results"]} == \
        expected
