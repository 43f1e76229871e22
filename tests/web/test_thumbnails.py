"""Thumbnails as users meet them: on the document page and next to search hits, served only
to whoever may see the document, privately, each logged: a picture on its own is one read,
the pictures of a page of hits ride on that search's one event. Everybody else gets the same
404 as for a document that does not exist, and not one byte of image; the officer sees the
refused attempt."""
import re
from dataclasses import replace

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.blobstore import blob_path, blob_put_bytes
from archive.models import Event
from archive.services.documents import version_add
from archive.services.reports import Period, report_case_file
from search.backends import get_backend
from search.indexing import documents_index
from tests.archive.helpers import content, file_document, grant, thumbnail_png
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n"
ALT = 'alt="Vorschaubild der ersten Seite"'


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _previews(document_id):
    return Event.objects.filter(action="previewed", object_type="document",
                                object_id=str(document_id))


def _unmasked(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def filed(demo):
    document = file_document(demo["A"], text="Bescheid über Leistungen für Frau Adler",
                             title="Bescheid Adler", store=True)
    return document, document.versions.get()


def test_the_caseworker_of_the_unit_gets_the_picture_privately_and_logged(filed):
    document, version = filed
    response = _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/vorschau.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.streaming  # read from the store in chunks, not into memory
    assert _body(response) == blob_path(version.thumbnail_sha256).read_bytes()
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache
    assert "Content-Disposition" not in response  # no blob name leaves with the picture
    event = _previews(document.pk).get()
    assert event.actor == "sachbearbeitung-a"
    assert event.clear_data == {"case_file": document.case_file.file_reference, "version": 1,
                          "thumbnail": True, "via": {"channel": "web"},
                          "role": "caseworker", "basis": "unit"}
    assert event.clear_purpose == f"Akte {document.case_file.file_reference}"
    # The data-protection officer's access report on the case file lists the glimpse.
    today = timezone.localdate()
    report = report_case_file(actor=acting(user("datenschutz")),
                              file_reference=document.case_file.file_reference,
                              period=Period(today, today))
    assert ("sachbearbeitung-a", "previewed") in {(e.actor, e.action) for e in report}


@pytest.mark.parametrize("username", ["sachbearbeitung-b", "poststelle", "datenschutz", "admin"])
def test_whoever_may_not_see_the_document_gets_the_document_pages_refusal(filed, username):
    document, _ = filed
    client = _client(username)
    page = client.get(f"/dokumente/{document.pk}/")
    picture = client.get(f"/dokumente/{document.pk}/vorschau.png")
    missing = client.get("/dokumente/987654/vorschau.png")
    assert page.status_code == picture.status_code == missing.status_code == 404
    assert _unmasked(picture.content) == _unmasked(missing.content)
    assert PNG not in picture.content and picture["Content-Type"].startswith("text/html")
    assert client.get(f"/dokumente/{document.pk}/versionen/1/vorschau.png").status_code == 404
    assert not _previews(document.pk).exists()
    refused = Event.objects.filter(action="read_refused", object_type="document",
                                   object_id=str(document.pk), actor=username)
    assert [e.data["requested"] for e in refused] == ["viewed", "previewed", "previewed"]
    assert all(e.clear_data["via"] == {"channel": "web"} for e in refused)


def test_unfiled_post_shows_its_picture_to_the_mailroom_only(demo):
    document = file_document(None, text="Unzugeordneter Brief von Herrn Ost", store=True)
    assert _body(_client("poststelle").get(f"/dokumente/{document.pk}/vorschau.png")) \
        .startswith(PNG)
    for username in ("sachbearbeitung-a", "datenschutz"):
        response = _client(username).get(f"/dokumente/{document.pk}/vorschau.png")
        assert response.status_code == 404 and PNG not in response.content


def test_the_document_page_shows_the_picture_on_its_own_logged_view(filed):
    document, _ = filed
    client = _client("sachbearbeitung-a")
    html = client.get(f"/dokumente/{document.pk}/").content.decode()
    image = re.search(r'<img class="thumbnail"[^>]*>', html).group(0)
    assert ALT in image and 'loading="lazy"' in image
    src = re.search(r'src="([^"]+)"', image).group(1).replace("&amp;", "&")
    assert src.startswith(f"/dokumente/{document.pk}/vorschau.png?g=")
    assert _body(client.get(src)).startswith(PNG)
    # The page view is the one logged read; the picture on it rides on the page's grant.
    assert not _previews(document.pk).exists()
    assert Event.objects.filter(action="viewed", object_id=str(document.pk)).count() == 1
    # The grant is bound to its user: another unit's caseworker cannot reuse it.
    assert _client("sachbearbeitung-b").get(src).status_code == 404


def test_a_document_without_thumbnail_shows_none_and_answers_404(demo):
    document = file_document(demo["A"], text="Altbestand ohne Vorschaubild")  # no blobs
    client = _client("sachbearbeitung-a")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert '<img class="thumbnail"' not in page
    assert client.get(f"/dokumente/{document.pk}/vorschau.png").status_code == 404
    assert not _previews(document.pk).exists()


def test_an_earlier_versions_picture_needs_the_permission_for_unredacted_versions(filed):
    document, first = filed
    later = replace(content("Geschwärzte Fassung"),
                    thumbnail_sha256=blob_put_bytes(thumbnail_png("Geschwaerzt")).sha256)
    second = version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                         content=later)
    client = _client("sachbearbeitung-a")
    latest = client.get(f"/dokumente/{document.pk}/vorschau.png")
    latest = _body(latest)
    assert latest == blob_path(second.thumbnail_sha256).read_bytes()
    assert _body(client.get(f"/dokumente/{document.pk}/versionen/2/vorschau.png")) == latest
    earlier = client.get(f"/dokumente/{document.pk}/versionen/1/vorschau.png")
    assert earlier.status_code == 404 and PNG not in earlier.content
    grant("sachbearbeitung-a", "view_unredacted")
    privileged = _client("sachbearbeitung-a")
    response = privileged.get(f"/dokumente/{document.pk}/versionen/1/vorschau.png")
    assert _body(response) == blob_path(first.thumbnail_sha256).read_bytes()
    assert _client("sachbearbeitung-b").get(
        f"/dokumente/{document.pk}/versionen/2/vorschau.png").status_code == 404


@pytest.fixture
def indexed(filed, demo, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    foreign = file_document(demo["B"], text="Bescheid über Leistungen für Herrn Berg",
                            title="Bescheid Berg", store=True)
    bare = file_document(demo["A"], text="Bescheid über Leistungen ohne Bild",
                         title="Bescheid ohne Bild")
    documents_index([filed[0].pk, foreign.pk, bare.pk])
    yield filed[0], foreign, bare
    get_backend.cache_clear()


def test_search_hits_show_the_picture_of_what_the_user_may_see(indexed):
    own, foreign, bare = indexed
    html = _client("sachbearbeitung-a").get("/suche/", {"q": "Leistungen"}).content.decode()
    assert "2 Treffer" in html
    images = re.findall(r'<img class="thumbnail"[^>]*>', html)
    assert len(images) == 1  # the hit without a thumbnail shows none
    assert f'src="/dokumente/{own.pk}/vorschau.png?g=' in images[0]
    assert ALT in images[0] and 'loading="lazy"' in images[0]
    assert f"/dokumente/{foreign.pk}/vorschau.png" not in html
    other = _client("sachbearbeitung-b").get("/suche/", {"q": "Leistungen"}).content.decode()
    assert f"/dokumente/{own.pk}/vorschau.png" not in other
    assert f"/dokumente/{foreign.pk}/vorschau.png" in other


def _search_events(username):
    return Event.objects.filter(action="searched", actor=username).order_by("seq")


def test_a_page_of_hits_with_pictures_is_one_event(indexed):
    own, foreign, bare = indexed
    client = _client("sachbearbeitung-a")
    html = client.get("/suche/", {"q": "Leistungen"}).content.decode()
    sources = [src.replace("&amp;", "&") for src in re.findall(
        r'<img class="thumbnail"[^>]*src="([^"]+)"', html)]
    assert len(sources) == 1
    for _round in range(3):  # the browser may fetch a picture again
        assert _body(client.get(sources[0])).startswith(PNG)
    event = _search_events("sachbearbeitung-a").get()
    assert sorted(event.clear_data["documents"]) == sorted([own.pk, bare.pk])
    assert event.clear_data["thumbnails"] == [own.pk]
    assert not _previews(own.pk).exists()
    # The grant names only the pictures of that page, and only for its user.
    grant_value = sources[0].split("?g=", 1)[1]
    assert client.get(f"/dokumente/{bare.pk}/vorschau.png?g={grant_value}").status_code == 404
    assert client.get(f"/dokumente/{foreign.pk}/vorschau.png?g={grant_value}").status_code \
        == 404
    other = _client("sachbearbeitung-b")
    assert other.get(sources[0]).status_code == 404
    assert not _previews(own.pk).exists()
    assert Event.objects.filter(action="read_refused", object_id=str(own.pk),
                                actor="sachbearbeitung-b").count() == 1
