"""Saved searches: a user keeps the current search under a name, runs it from the search page
and deletes it. Only the owner sees theirs; for anyone else it does not exist (404, as for an
unknown id). Saving and deleting are entries in the trail; only parameters are stored."""
import hashlib
import re
from urllib.parse import parse_qs, urlparse

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user, system_actor
from archive.errors import InvalidInput, NotFound
from archive.models import Event
from archive.services.documents import VersionContent, document_file_new
from archive.services.events import events_verify
from search.backends import get_backend
from search.indexing import documents_index
from search.models import SavedSearch
from search.saved import saved_search_create, saved_search_delete, saved_searches_of
from tests.conftest import DEMO_PASSWORD, user

A, B = "sachbearbeitung-a", "sachbearbeitung-b"


@pytest.fixture
def indexed(demo, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    text = "Antrag auf Übernahme der Heizkosten."
    content = VersionContent(
        original_sha256=hashlib.sha256(text.encode()).hexdigest(), original_size=len(text),
        original_name="a.pdf", original_mime="application/pdf", rendition_sha256="",
        rendition_is_pdfa=False, text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(), page_count=1)
    document = document_file_new(content=content, case_file=demo["A"], title="Antrag",
                                 received_at=timezone.now(), actor=system_actor(name="test"),
                                 document_type="antrag")
    documents_index([document.pk])
    yield document
    get_backend.cache_clear()


def _unmasked(body: bytes) -> bytes:
    # The CSRF token of the logout form differs on every response, by design.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _save(client, name, **params):
    return client.post("/suche/gespeichert/", {"name": name, **params})


def test_saving_keeps_only_the_parameters_and_is_logged(indexed):
    client = _client(A)
    response = _save(client, "Heizkosten-Anträge", q="Heizkosten", typ="antrag",
                     sortierung="newest", seite="3", csrfmiddlewaretoken="x")
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query) == {
        "q": ["Heizkosten"], "typ": ["antrag"], "sortierung": ["newest"]}
    saved = SavedSearch.objects.get()
    assert (saved.owner.username, saved.name) == (A, "Heizkosten-Anträge")
    # Parameters only: no paging, no token, no results.
    assert saved.parameters == {"q": ["Heizkosten"], "typ": ["antrag"],
                                "sortierung": ["newest"]}
    event = Event.objects.get(action="created", object_type="saved_search")
    assert (event.actor, event.object_id) == (A, str(saved.pk))
    assert event.clear_data["name"] == "Heizkosten-Anträge"
    assert event.clear_data["parameters"] == saved.parameters
    assert events_verify().ok


def test_the_page_lists_runs_and_deletes_only_ones_own(indexed):
    owner, other = _client(A), _client(B)
    _save(owner, "Meine Anträge", q="Heizkosten", typ="antrag")
    saved = SavedSearch.objects.get()
    page = lxml.html.fromstring(owner.get("/suche/").content)
    links = page.xpath('//section[@id="saved-searches"]//a')
    assert [(a.text_content(), a.get("href")) for a in links] == [
        ("Meine Anträge", f"/suche/gespeichert/{saved.pk}/")]
    # Running it searches anew: the hit is there.
    run = owner.get(f"/suche/gespeichert/{saved.pk}/")
    assert run.status_code == 302
    result = lxml.html.fromstring(owner.get(run["Location"]).content)
    assert f"/dokumente/{indexed.pk}/" in result.xpath('//div[@class="hit"]//a/@href')

    # Another user sees no trace of it and gets exactly an unknown id's 404.
    other_page = other.get("/suche/").content.decode()
    assert "Meine Anträge" not in other_page
    assert f"/suche/gespeichert/{saved.pk}/" not in other_page
    unknown = saved.pk + 1000
    for path in (f"/suche/gespeichert/{saved.pk}/", f"/suche/gespeichert/{saved.pk}/loeschen/"):
        method = other.get if not path.endswith("loeschen/") else other.post
        response = method(path)
        assert response.status_code == 404
        same = method(path.replace(str(saved.pk), str(unknown)))
        assert _unmasked(response.content) == _unmasked(same.content)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    assert not Event.objects.filter(action="deleted", object_type="saved_search").exists()

    deleted = owner.post(f"/suche/gespeichert/{saved.pk}/loeschen/")
    assert deleted.status_code == 302
    assert not SavedSearch.objects.exists()
    event = Event.objects.get(action="deleted", object_type="saved_search")
    assert (event.actor, event.object_id, event.clear_data["name"]) == (A, str(saved.pk),
                                                                  "Meine Anträge")
    assert owner.get(f"/suche/gespeichert/{saved.pk}/").status_code == 404


def test_the_save_form_carries_the_current_search_and_has_labels(indexed):
    page = lxml.html.fromstring(_client(A).get(
        "/suche/", {"q": "Heizkosten", "jahr": "2026", "seite": "1"}).content)
    form = page.xpath('//form[@id="save-search"]')[0]
    hidden = {(i.get("name"), i.get("value")) for i in form.xpath('.//input[@type="hidden"]')
              if i.get("name") != "csrfmiddlewaretoken"}
    assert hidden == {("q", "Heizkosten"), ("jahr", "2026")}
    name = form.xpath('.//input[@name="name"]')[0]
    assert name.getparent().tag == "label"
    # Without a search, nothing to save.
    assert not lxml.html.fromstring(_client(A).get("/suche/").content).xpath(
        '//form[@id="save-search"]')


def test_refusals_are_messages_and_save_nothing(indexed):
    client = _client(A)
    _save(client, "Doppelt", q="Heizkosten")
    for params in ({"name": "", "q": "Heizkosten"},           # no name
                   {"name": "Doppelt", "q": "Miete"},         # name taken
                   {"name": "Leer"},                          # nothing to keep
                   {"name": "Kaputt", "q": "x", "sortierung": "zufall"},  # would not run
                   {"name": "Jahr", "q": "x", "jahr": "zwanzig"}):
        response = client.post("/suche/gespeichert/", params, follow=True)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Doppelt"]
    assert Event.objects.filter(action="created", object_type="saved_search").count() == 1


def test_services_are_owner_only(indexed):
    a, b = user(A), user(B)
    saved = saved_search_create(name="  Meine   Suche ", parameters={"q": ["Heizkosten"]},
                                actor=actor_for_user(a))
    assert saved.name == "Meine Suche"
    assert list(saved_searches_of(b)) == [] and list(saved_searches_of(a)) == [saved]
    with pytest.raises(NotFound):
        saved_search_delete(saved_search_id=saved.pk, actor=actor_for_user(b))
    with pytest.raises(InvalidInput) as refused:
        saved_search_create(name="x" * 101, parameters={"q": ["a"]}, actor=actor_for_user(a))
    assert refused.value.code == "SAVED_SEARCH_NAME"
    saved_search_delete(saved_search_id=saved.pk, actor=actor_for_user(a))
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("method,path", [("put", "/suche/gespeichert/"),
                                         ("get", "/suche/gespeichert/"),
                                         ("post", "/suche/gespeichert/1/"),
                                         ("get", "/suche/gespeichert/1/loeschen/")])
def test_other_methods_are_refused(demo, method, path):
    assert getattr(_client(A), method)(path).status_code == 405
