"""Speed (issue 12 point 12): the search page and the document page make as many database
queries for a long list (hits; versions with their history) as for a short one. The page is
still exactly one logged read of the document."""
import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.actors import actor_for_user, system_actor
from archive.models import Event
from archive.services.documents import VersionContent, document_file_new, version_add
from search.backends import get_backend
from search.indexing import documents_index
from tests.archive.helpers import content, grant
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _letter(case_file, number: int, **fields):
    text = f"Antrag auf Übernahme der Heizkosten Nummer {number}, Kennung kesselgrau."
    digest = hashlib.sha256(text.encode()).hexdigest()
    version = VersionContent(
        original_sha256=digest, original_size=len(text), original_name="a.pdf",
        original_mime="application/pdf", rendition_sha256="", rendition_is_pdfa=False,
        text=text, text_sha256=digest, page_count=1)
    return document_file_new(content=version, case_file=case_file, title=f"Antrag {number}",
                             received_at=timezone.now(), actor=system_actor(name="test"),
                             document_type="antrag", sender=f"Absender {number}", **fields)


@pytest.fixture
def index(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


def _hits(client, url) -> int:
    return client.get(url).content.decode().count('href="/dokumente/')


def test_the_search_page_makes_as_many_queries_for_15_hits_as_for_3(demo, index):
    client = _client("sachbearbeitung-a")
    url = "/suche/?q=kesselgrau"
    documents_index([_letter(demo["A"], n).pk for n in range(3)])
    _queries(client, url)  # warm caches (content types, permissions)
    few = _queries(client, url)
    few_hits = _hits(client, url)
    documents_index([_letter(demo["A"], n).pk for n in range(3, 15)])
    many = _queries(client, url)
    # The page really lists more hits, else the test proves nothing.
    assert _hits(client, url) >= few_hits + 12
    assert "Absender 14" in client.get(url).content.decode()
    assert many == few


def _with_history(document, versions: int):
    """Add versions to the document, each with its own events (the version, a view)."""
    caseworker = user("sachbearbeitung-a")
    rendition = document.versions.order_by("-number").first().rendition_sha256
    start = document.versions.count() + 1
    for number in range(start, start + versions):
        version_add(actor=actor_for_user(caseworker), document_id=document.pk,
                    content=content(f"Fassung {number} des Antrags"))
        document.versions.filter(number=number).update(rendition_sha256=rendition)
        _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/")  # a viewed event


def test_the_document_page_makes_as_many_queries_for_6_versions_as_for_1(demo):
    grant("sachbearbeitung-a", "view_unredacted")  # every version is linked
    document = _letter(demo["A"], 1)
    client = _client("sachbearbeitung-a")
    url = f"/dokumente/{document.pk}/"
    _queries(client, url)
    few = _queries(client, url)
    _with_history(document, 5)
    assert document.versions.count() == 6
    assert Event.objects.filter(object_type="document", object_id=str(document.pk)).count() > 10
    many = _queries(client, url)
    assert many == few


def test_opening_the_document_page_is_exactly_one_logged_read(demo):
    document = _letter(demo["A"], 1)
    _with_history(document, 2)
    before = Event.objects.order_by("-seq").first().seq
    assert _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/").status_code == 200
    new = list(Event.objects.filter(seq__gt=before).exclude(action="login"))
    assert [(event.action, event.object_type, event.object_id) for event in new] == [
        ("viewed", "document", str(document.pk))]
