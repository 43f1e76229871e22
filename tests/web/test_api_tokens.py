"""Service accounts' API tokens (issue 17.3): shown once and kept as a hash, scoped to units
and actions, expiring, revocable, named in every event; HTTP Basic is off by default."""
import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import actor_for_user
from archive.models import Event
from archive.services.staff import staff_set
from identity.models import ApiToken
from search.backends import get_backend
from search.indexing import documents_index
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def documents(demo, settings, tmp_path):
    """One document in A and one in B with the same word, and a service account that works
    for both units."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    in_a = file_document(demo["A"], text="Bescheid zum Wohngeld tokenwort", title="Bescheid A")
    in_b = file_document(demo["B"], text="Bescheid zur Grundsicherung tokenwort",
                         title="Bescheid B")
    documents_index([in_a.pk, in_b.pk])
    staff_set(actor=actor_for_user(user("admin")), username="fachverfahren",
              role="caseworker", units=["A", "B"])
    yield {"A": in_a.pk, "B": in_b.pk}
    get_backend.cache_clear()


def _cli(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def _create(name, *, units="A", actions="search,read", expires="") -> str:
    args = ["create", name, "--account", "fachverfahren", "--units", units, "--actions",
            actions, "--json"]
    if expires:
        args += ["--expires", expires]
    return json.loads(_cli(*args))["token"]


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {hit["title"] for hit in response.json()["results"]}


def test_the_token_is_shown_once_and_kept_as_a_hash(documents):
    raw = _create("fachverfahren-a")
    stored = ApiToken.objects.get(name="fachverfahren-a")
    assert raw.startswith("rgt_") and len(raw) > 40
    row = json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in row and raw.split("_", 2)[2] not in row
    trail = json.dumps(list(Event.objects.values_list("data", flat=True)))
    assert raw.split("_", 2)[2] not in trail
    created = Event.objects.get(action="token_created")
    assert created.data["units"] == ["A"] and created.data["actions"] == ["read", "search"]
    assert created.data["via"]["channel"] == "cli"
    listed = json.loads(_cli("list", "--json"))
    assert [entry["name"] for entry in listed] == ["fachverfahren-a"]
    assert "token" not in listed[0] and listed[0]["prefix"] == stored.prefix


def test_a_token_scoped_to_unit_a_never_sees_unit_b(documents):
    scoped = _api(_create("nur-a"))
    assert _titles(scoped.get("/api/search/", {"q": "tokenwort"})) == {"Bescheid A"}
    assert scoped.get(f"/api/documents/{documents['A']}/").status_code == 200
    foreign = scoped.get(f"/api/documents/{documents['B']}/")
    missing = scoped.get("/api/documents/987654/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    suggestions = scoped.get("/api/search/suggestions/", {"prefix": "Grundsich"}).json()
    assert suggestions["suggestions"] == []
    # The same account with a token for both units sees both: the scope is what narrows.
    both = _api(_create("a-und-b", units="A,B"))
    assert _titles(both.get("/api/search/", {"q": "tokenwort"})) == {"Bescheid A", "Bescheid B"}


def test_actions_outside_the_scope_are_403_in_the_api_format(documents):
    reader = _api(_create("nur-suche", actions="search"))
    for response in (reader.get(f"/api/documents/{documents['A']}/"),
                     reader.patch(f"/api/documents/{documents['A']}/",
                                  {"document_type": "antrag"}, format="json"),
                     reader.post("/api/ingest/", {}),
                     reader.get("/api/jobs/00000000-0000-0000-0000-000000000000/")):
        assert response.status_code == 403
        assert response.json()["code"] == "TOKEN_SCOPE"
    assert reader.get("/api/search/", {"q": "tokenwort"}).status_code == 200


def test_every_use_names_the_client_in_the_trail(documents):
    client = _api(_create("fachverfahren-a"))
    client.get(f"/api/documents/{documents['A']}/", {"purpose": "Bearbeitung"})
    client.get("/api/search/", {"q": "tokenwort"})
    for action in ("viewed", "searched"):
        event = Event.objects.filter(action=action).last()
        assert event.actor == "fachverfahren", action
        assert event.data["via"] == {"channel": "api", "client": "fachverfahren-a"}, action
    assert ApiToken.objects.get(name="fachverfahren-a").last_used_at is not None


def test_expired_revoked_and_unknown_tokens_are_refused(documents):
    expired = _create("abgelaufen")
    ApiToken.objects.filter(name="abgelaufen").update(
        expires_at=timezone.now() - timedelta(seconds=1))
    revoked = _create("widerrufen")
    assert _api(revoked).get("/api/search/", {"q": "tokenwort"}).status_code == 200
    _cli("revoke", "widerrufen")
    assert Event.objects.get(action="token_revoked").data["name"] == "widerrufen"
    forged = revoked[:-4] + "AAAA"
    for raw, code in ((expired, "TOKEN_EXPIRED"), (revoked, "TOKEN_REVOKED"),
                      (forged, "TOKEN_INVALID"), ("rgt_00000000_x", "TOKEN_INVALID"),
                      ("nonsense", "TOKEN_INVALID")):
        response = _api(raw).get("/api/search/", {"q": "tokenwort"})
        assert response.status_code == 401, raw
        assert response.json()["code"] == code
    listed = {entry["name"]: entry for entry in json.loads(_cli("list", "--json"))}
    assert listed["widerrufen"]["revoked_at"] and listed["abgelaufen"]["expires_at"]


def test_an_expiry_date_is_valid_through_that_day(documents):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client = _api(_create("bis-morgen", expires=tomorrow))
    assert client.get("/api/search/", {"q": "tokenwort"}).status_code == 200
    with pytest.raises(Exception, match="TOKEN_EXPIRY_INVALID"):
        _create("gestern", expires=(timezone.localdate() - timedelta(days=1)).isoformat())


def test_only_the_administration_creates_tokens(documents):
    with pytest.raises(Exception, match="PERMISSION_DENIED"):
        _cli("create", "x", "--account", "fachverfahren", "--actions", "search",
             "--user", "sachbearbeitung-a")
    assert not ApiToken.objects.exists()


def test_http_basic_with_a_staff_password_is_off_by_default(documents):
    basic = base64.b64encode(f"sachbearbeitung-a:{DEMO_PASSWORD}".encode()).decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {basic}")
    response = client.get("/api/search/", {"q": "tokenwort"})
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("value, expected", [("", False), ("1", True)])
def test_registratur_api_basic_auth_switches_it_on(value, expected, tmp_path):
    env = {**os.environ, "REGISTRATUR_DATA_DIR": str(tmp_path),
           "REGISTRATUR_SECRET_KEY": "x" * 50, "REGISTRATUR_API_BASIC_AUTH": value,
           "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; "
         "print(s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'])"],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert ("BasicAuthentication" in out) is expected
    assert "ServiceTokenAuthentication" in out


def test_the_administration_page_shows_a_new_token_once_and_revokes(documents):
    admin = Client()
    admin.force_login(user("admin"))
    created = admin.post("/verwaltung/api-tokens/anlegen", {
        "name": "scanner-poststelle", "account": "poststelle", "actions": ["ingest"],
        "expires": ""})
    assert created.status_code == 200
    token = ApiToken.objects.get(name="scanner-poststelle")
    page = created.content.decode()
    raw = page.split('id="new-token" type="text" readonly size="70" value="')[1].split('"')[0]
    assert raw.startswith(f"rgt_{token.prefix}_")
    listing = admin.get("/verwaltung/api-tokens/").content.decode()
    assert "scanner-poststelle" in listing and raw not in listing
    unknown = admin.post("/verwaltung/api-tokens/anlegen", {
        "name": "x", "account": "niemand", "actions": ["ingest"]})
    assert unknown.status_code == 400 and "USER_UNKNOWN" in unknown.content.decode()
    assert admin.post(f"/verwaltung/api-tokens/{token.pk}/widerrufen").status_code == 302
    assert _api(raw).post("/api/ingest/", {}).json()["code"] == "TOKEN_REVOKED"


def test_another_unit_sees_no_token(documents):
    _create("fachverfahren-a")
    caseworker = Client()
    caseworker.force_login(user("sachbearbeitung-b"))
    response = caseworker.get("/verwaltung/api-tokens/")
    assert response.status_code == 404 and b"fachverfahren-a" not in response.content
