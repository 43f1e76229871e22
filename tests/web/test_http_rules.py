"""HTTP rules of every response (issue #16): social data is never cached, a page answers only
the methods it serves, HEAD sends no body."""
from datetime import date

import pytest
from django.test import Client

from tests.archive.helpers import file_document, trail_analysis_approved
from tests.conftest import DEMO_PASSWORD
from tests.web.test_permission_matrix import (
    _matrix,
    _named_urls,
    objects,  # noqa: F401  (the fixture)
)

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
    trail_analysis_approved("sachbearbeitung-a", date(2026, 1, 1), date(2999, 12, 31))
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


# --- HEAD (issue #16.8) -----------------------------------------------------------------

@pytest.fixture
def waitress_server(demo_tx):
    """The application under waitress, as `registratur serve` runs it."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler
    from waitress.server import create_server

    server = create_server(WSGIHandler(), host="127.0.0.1", port=0, threads=2,
                           ident="Registratur")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server
    server.close()
    thread.join(timeout=10)


def test_head_sends_no_body_on_a_kept_alive_waitress_connection(waitress_server, demo_tx):
    import http.client
    import json

    document = file_document(demo_tx["A"], store=True)
    cookie = f"sessionid={_client('sachbearbeitung-a').cookies['sessionid'].value}"
    connection = http.client.HTTPConnection("127.0.0.1", waitress_server.effective_port,
                                            timeout=20)
    for path in (f"/dokumente/{document.pk}/original", f"/dokumente/{document.pk}/pdf",
                 "/anmelden/", f"/api/documents/{document.pk}/", "/dokumente/987654/"):
        connection.request("HEAD", path, headers={"Cookie": cookie})
        head = connection.getresponse()
        assert head.read() == b""
        assert head.status in (200, 405), path
        # A body left behind would be read as the next status line.
        connection.request("GET", f"/api/documents/{document.pk}/", headers={"Cookie": cookie})
        after = connection.getresponse()
        assert after.status == 200, path
        assert json.loads(after.read())["id"] == document.pk
    connection.close()


def test_head_on_an_original_is_no_download(document):
    from archive.models import Event

    client = _client("sachbearbeitung-a")
    before = Event.objects.count()
    response = client.head(f"/dokumente/{document.pk}/original")
    assert response.status_code == 405
    assert Event.objects.count() == before
    assert not Event.objects.filter(action="downloaded").exists()


# --- methods (issue #16.10) ---------------------------------------------------------------

# Views that serve more than the method of their matrix row.
ALSO_ALLOWED = {"web:login": {"get", "post"}, "web:case_file_new": {"get", "post"},
                "web:break_glass": {"get", "post"},
                # The zdA confirmation: the question (GET) and the answer (POST).
                "web:case_file_close": {"get", "post"},
                # The upload form posts to its page when the browser runs no script.
                "web:intake_upload": {"get", "post"},
                # The review beside the pages: shown (GET), filed from its form (POST).
                "web:intake_review_document": {"get", "post"},
                "api:document": {"get", "patch"},
                # API v1 collections: listed (GET) and added to (POST).
                "api:v1-case-files": {"get", "post"},
                "api:v1-case-file-processes": {"get", "post"},
                "api:v1-case-file-follow-ups": {"get", "post"}}
METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.mark.parametrize("name", sorted(_named_urls()))
def test_a_method_a_view_does_not_serve_gets_405_and_logs_nothing(objects, name):  # noqa: F811
    from django.urls import reverse

    from archive.models import Event

    method, args, data, expected = _matrix(objects)[name][0]
    # Someone the view serves, so that a 405 is about the method and nothing else. A view
    # that is off unless configured (the OIDC login: 404 for everyone) checks the method
    # before anything else, so anyone will do.
    served = [u for u in expected if u and expected[u] in (200, 302, 400, 409)]
    username = served[0] if served else next(iter(expected))
    client = _client(username)
    url = reverse(name, args=args)
    for other in sorted(set(METHODS) - ALSO_ALLOWED.get(name, {method})):
        before = Event.objects.count()
        response = getattr(client, other)(url, data if other == "post" else None)
        assert response.status_code == 405, f"{other.upper()} {url}: {response.status_code}"
        assert Event.objects.count() == before, f"{other.upper()} {url} wrote an event"
