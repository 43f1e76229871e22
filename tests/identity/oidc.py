"""A real OpenID provider for the OIDC login tests: the certified npm package oidc-provider
(package.json devDependencies, installed by `npm ci`), run by the machine's Node.js from
tests/identity/oidc_provider.mjs on a free port of 127.0.0.1. The Registratur speaks to it as
to a city's Keycloak: the browser's part of the authorization-code flow (redirects, the
provider's login form) is driven with requests, the Registratur's part with Django's test
client, and the back channel (token, userinfo, JWKS) goes over HTTP from the library to the
provider. Skipped only when Node.js is not installed; a missing npm package fails."""

import json
import re
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "registratur"
CLIENT_SECRET = "client-geheimnis-der-registratur-0123456789"
REDIRECT_URI = "http://testserver/anmelden/oidc/rueckruf/"
PROVIDER_NAME = "Musterstadt-Konto"

ROLE_ADMIN = "registratur-administration"
ROLE_CASEWORKER = "registratur-sachbearbeitung"
UNIT_A = "sachgebiet-a"
UNIT_B = "sachgebiet-b"
UNMAPPED = "kantine"
ROLE_MAP = {ROLE_ADMIN: "administrator", ROLE_CASEWORKER: "caseworker"}
UNIT_MAP = {UNIT_A: "A", UNIT_B: ["B"]}


def _person(login, given, family, groups, *, username=None):
    return {
        "login": login,
        "password": f"{login}-kennwort-1",
        "claims": {
            "preferred_username": username or login,
            "given_name": given,
            "family_name": family,
            "email": f"{login}@musterstadt.example",
            "groups": groups,
        },
    }


# The provider's subjects are opaque ids, as real providers make them; the user name comes
# from preferred_username.
ACCOUNTS = {
    "5f1c-anna": _person("anna", "Anna", "Berg", [ROLE_CASEWORKER, UNIT_A, UNMAPPED]),
    "5f1c-bernd": _person("bernd", "Bernd", "Claus", [ROLE_CASEWORKER, UNIT_B]),
    "5f1c-carla": _person("carla", "Carla", "Dorn", [UNMAPPED]),
    "5f1c-dora": _person("dora", "Dora", "Ebert", [ROLE_ADMIN, ROLE_CASEWORKER]),
    # The name of a local demo account: the provider must not take it over.
    "5f1c-sara": _person(
        "sara", "Sara", "Fuchs", [ROLE_CASEWORKER, UNIT_A], username="sachbearbeitung-a"
    ),
    # Another subject that claims Anna's user name.
    "5f1c-anna-2": _person("anna2", "Anna", "Zweite", [ROLE_CASEWORKER, UNIT_B], username="anna"),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    config_path: Path
    metadata: dict

    def _config(self) -> dict:
        return json.loads(self.config_path.read_text())

    def change(self, sub: str, **changes) -> None:
        """Changes an account as the provider's administration would (groups, disabled)."""
        config = self._config()
        account = config["accounts"][sub]
        for key, value in changes.items():
            if key in ("disabled", "password"):
                account[key] = value
            else:
                account["claims"][key] = value
        self.config_path.write_text(json.dumps(config))

    def settings(self, **overrides) -> dict:
        """The Django settings of a Registratur that offers this provider's login."""
        from config.oidc import oidc_settings

        return {
            **oidc_settings(
                issuer=self.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                authorization_endpoint=self.metadata["authorization_endpoint"],
                token_endpoint=self.metadata["token_endpoint"],
                userinfo_endpoint=self.metadata["userinfo_endpoint"],
                jwks_endpoint=self.metadata["jwks_uri"],
                provider_name=PROVIDER_NAME,
                scopes="openid profile email groups",
                timeout=10,
            ),
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "web.directory.LocalPasswordBackend",
                "web.oidc.OIDCBackend",
            ],
            "OIDC_ROLE_MAP": ROLE_MAP,
            "OIDC_UNIT_MAP": UNIT_MAP,
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_USERNAME_CLAIM": "preferred_username",
            "OIDC_MFA_AMR": [],
            **overrides,
        }


def start_provider(tmp_path: Path, redirect_uri: str = REDIRECT_URI):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (Debian: apt-get install nodejs npm)")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the npm package oidc-provider is missing: run `npm ci` (make test does)")
    port = _free_port()
    config_path = tmp_path / "oidc-provider.json"
    config_path.write_text(
        json.dumps(
            {
                "port": port,
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [redirect_uri],
                },
                "accounts": ACCOUNTS,
            }
        )
    )
    log = tmp_path / "oidc-provider.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [node, str(SCRIPT), str(config_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=err
        )
    try:
        line = process.stdout.readline().decode()
        if not line.startswith("ready "):
            process.kill()
            raise RuntimeError(f"oidc-provider did not start: {log.read_text()[-2000:]}")
        issuer = line.split()[1]
        metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        yield Provider(issuer=issuer, config_path=config_path, metadata=metadata)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@dataclass
class Attempt:
    """What happened at the provider: the authorization request the Registratur sent and
    the callback URL the provider sent the browser back to (None: it never did)."""

    authorization_url: str
    callback: str | None
    provider_page: str = ""


def at_provider(
    client,
    login: str,
    password: str | None = None,
    *,
    amr: str = "",
    start: str = "/anmelden/oidc/",
) -> Attempt:
    """The browser's part: start at the Registratur, follow the redirects to the provider,
    fill in its login form, and follow it back until it points at the Registratur."""
    response = client.get(start)
    assert response.status_code == 302, response
    url = authorization_url = response["Location"]
    browser = requests.Session()
    method, data = "get", None
    for _ in range(12):
        answer = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if answer.is_redirect:
            url, method, data = urljoin(url, answer.headers["Location"]), "get", None
            if url.startswith("http://testserver/"):
                return Attempt(authorization_url, url)
            continue
        form = re.search(r'action="(/interaction/[^"]+/login)"', answer.text)
        if answer.status_code == 200 and form and method == "get":
            account = next(a for a in ACCOUNTS.values() if a["login"] == login)
            url, method = urljoin(url, form[1]), "post"
            data = {"login": login, "password": password or account["password"], "amr": amr}
            continue
        return Attempt(authorization_url, None, answer.text)
    raise AssertionError("the provider kept redirecting")


def back_at_registratur(client, attempt: Attempt):
    """The Registratur's callback, as the browser opens it."""
    assert attempt.callback is not None, attempt.provider_page
    parts = urlsplit(attempt.callback)
    return client.get(f"{parts.path}?{parts.query}")
