"""The HTTPS deployment as README "HTTPS" describes it: Debian's nginx with the shipped
deploy/nginx/registratur.conf (only its marked lines changed: ports, certificate, upstream,
body limit) in front of a real `registratur serve` process with REGISTRATUR_HTTPS=1, on
127.0.0.1 with a certificate made by the test. Requests come from different loopback
addresses (127.0.0.2, 127.0.0.3, ...), so the proxy sees different clients."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings

from archive.actors import actor_for_user
from archive.models import Event
from identity.tokens import token_create
from tests.conftest import DEMO_PASSWORD, registratur_env, user

pytestmark = [
    pytest.mark.skipif(
        shutil.which("nginx") is None, reason="nginx missing: scripts/ensure-system-packages --test"
    ),
    pytest.mark.django_db(transaction=True),
]
SHIPPED = Path(settings.BASE_DIR) / "deploy" / "nginx" / "registratur.conf"
APP_LIMIT = 100_000  # REGISTRATUR_INGEST_MAX_BYTES of the served instance
LOGIN_LIMIT = 3  # REGISTRATUR_LOGIN_FAILURE_LIMIT of the served instance
WRONG = "falsches-kennwort-8812"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"port {port} not open after {timeout}s: {log.read_text()[-3000:]}")


def site_config(
    shipped: str,
    *,
    http_port: int,
    https_port: int,
    upstream_port: int,
    cert: Path,
    key: Path,
    limit: str,
) -> str:
    """The shipped site file with its marked lines set for this test; nothing else changes
    (and each marked line must exist, so a changed recipe fails here, not silently)."""
    replacements = {
        r"listen 80;  # CHANGE-PORT http": f"listen 127.0.0.1:{http_port};",
        r"listen 443 ssl http2;  # CHANGE-PORT https": f"listen 127.0.0.1:{https_port} ssl http2;",
        r"ssl_certificate     \S+;  # CHANGE": f"ssl_certificate {cert};",
        r"ssl_certificate_key \S+;    # CHANGE": f"ssl_certificate_key {key};",
        r"proxy_pass http://127.0.0.1:8000;  # CHANGE-UPSTREAM": f"proxy_pass http://127.0.0.1:{upstream_port};",
        r"client_max_body_size \S+;  # CHANGE-LIMIT": f"client_max_body_size {limit};",
    }
    text = shipped
    for pattern, line in replacements.items():
        text, count = re.subn(pattern, line, text)
        assert count == 1, f"the shipped configuration has no line {pattern!r}"
    # IPv6 may be missing in a test container.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


class Stack:
    def __init__(self, root: Path):
        self.root = root
        self.cert, self.key = root / "cert.pem", root / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(self.key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )
        self.tls = ssl.create_default_context(cafile=str(self.cert))
        self.app_port, self.http_port, self.https_port = (_free_port() for _ in range(3))
        self.processes: list[subprocess.Popen] = []

    def env(self, **extra) -> dict:
        env = registratur_env()
        env.update(
            {
                "REGISTRATUR_HTTPS": "1",
                "REGISTRATUR_INGEST_MAX_BYTES": str(APP_LIMIT),
                "REGISTRATUR_LOGIN_FAILURE_LIMIT": str(LOGIN_LIMIT),
                "REGISTRATUR_STATIC_ROOT": str(self.root / "static"),
                **extra,
            }
        )
        return env

    def start(self):
        # As `registratur run` does before it serves: the pages name hashed static files.
        subprocess.run(
            [sys.executable, "-m", "config.cli", "collectstatic", "--noinput"],
            env=self.env(),
            check=True,
            capture_output=True,
            timeout=300,
        )
        log = self.root / "serve.log"
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "config.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.app_port),
            ],
            env=self.env(),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(serve)
        _wait_for_port(self.app_port, serve, log)

        nginx_dir = self.root / "nginx"
        nginx_dir.mkdir()
        site = nginx_dir / "registratur.conf"
        site.write_text(
            site_config(
                SHIPPED.read_text(),
                http_port=self.http_port,
                https_port=self.https_port,
                upstream_port=self.app_port,
                cert=self.cert,
                key=self.key,
                limit="200k",
            )
        )
        temp = "\n".join(
            f"    {kind}_temp_path {nginx_dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = nginx_dir / "nginx.conf"
        main.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {nginx_dir / 'nginx.pid'};\n"
            f"error_log {nginx_dir / 'error.log'};\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    access_log {nginx_dir / 'access.log'};\n{temp}\n"
            f"    include {site};\n}}\n"
        )
        log = nginx_dir / "error.log"
        nginx = subprocess.Popen(
            ["nginx", "-p", str(nginx_dir), "-c", str(main), "-e", str(log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(nginx)
        _wait_for_port(self.https_port, nginx, log)
        return self

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("https")).start()
    yield running
    running.stop()


class Browser:
    """One client at one address: keeps its cookies, sends what a browser sends."""

    def __init__(self, stack: Stack, source: str = "127.0.0.1"):
        self.stack, self.source = stack, source
        self.cookies: dict[str, str] = {}
        self.origin = f"https://127.0.0.1:{stack.https_port}"

    def request(self, method, path, *, body=b"", headers=None, https=True, port=None):
        if https:
            connection = http.client.HTTPSConnection(
                "127.0.0.1",
                port or self.stack.https_port,
                context=self.stack.tls,
                source_address=(self.source, 0),
                timeout=60,
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1",
                port or self.stack.http_port,
                source_address=(self.source, 0),
                timeout=60,
            )
        sent = {"Origin": self.origin, "Referer": self.origin + path, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def login(self, username, password, *, forged_for=None):
        page, html = self.request("GET", "/anmelden/")
        assert page.status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = (
            f"csrfmiddlewaretoken={token.decode()}&username={username}&password={password}"
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forged_for:
            headers["X-Forwarded-For"] = forged_for
        response, _ = self.request("POST", "/anmelden/", body=form, headers=headers)
        return response.status


@pytest.fixture
def people(demo_tx, settings):
    """The demo accounts with passwords the served instance can check: the test settings
    hash with MD5 for speed, which the instance's own settings do not accept."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for username in ("sachbearbeitung-a",):
        account = user(username)
        account.set_password(DEMO_PASSWORD)
        account.save(update_fields=["password"])
    return demo_tx


def _cookie_flags(response, name: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.lower()
    raise AssertionError(f"no cookie {name}: {response.headers.get_all('Set-Cookie')}")


def test_the_headers_through_the_proxy(stack, people):
    browser = Browser(stack)
    response, html = browser.request("GET", "/anmelden/")
    assert response.status == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    policy = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == "nginx"  # server_tokens off: no version
    csrf = _cookie_flags(response, "csrftoken")
    assert "secure" in csrf and "httponly" in csrf
    # The page loads its scripts from the site only.
    assert b"<script>" not in html and b"<script src=" in html

    # The login form works over HTTPS (CSRF checks the origin against the forwarded scheme)
    # and the session cookie is secure and out of reach of scripts.
    page, html = browser.request("GET", "/anmelden/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    response, _ = browser.request(
        "POST",
        "/anmelden/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=f"csrfmiddlewaretoken={token}&username=sachbearbeitung-a&password={DEMO_PASSWORD}".encode(),
    )
    assert response.status == 302
    session = _cookie_flags(response, "sessionid")
    assert "secure" in session and "httponly" in session and "samesite=lax" in session
    home, _ = browser.request("GET", "/")
    assert home.status == 200

    # Plain HTTP at the proxy only redirects.
    plain, _ = browser.request("GET", "/anmelden/", https=False)
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")


def test_the_application_server_believes_forwarding_headers_from_the_proxy_only(stack, demo_tx):
    """Straight to waitress from another address: a forged X-Forwarded-Proto does not make
    the request secure (it is redirected), and monitoring on the server still reads HTTP."""
    outsider = Browser(stack, source="127.0.0.5")
    response, _ = outsider.request(
        "GET",
        "/anmelden/",
        https=False,
        port=stack.app_port,
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"},
    )
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")
    health, _ = outsider.request("GET", "/healthz", https=False, port=stack.app_port)
    assert health.status in (200, 503) and "Location" not in health.headers


def test_login_throttling_counts_each_real_client_and_ignores_forged_addresses(stack, people):
    attacker = Browser(stack, source="127.0.0.2")
    # Every try claims another address and another account: the proxy replaces the claim, so
    # all of them count against 127.0.0.2.
    answers = [
        attacker.login(f"gibt-es-nicht-{n}", WRONG, forged_for=f"203.0.113.{n}")
        for n in range(1, LOGIN_LIMIT + 1)
    ]
    assert answers[:-1] == [200] * (LOGIN_LIMIT - 1) and answers[-1] == 429
    assert attacker.login("sachbearbeitung-a", DEMO_PASSWORD, forged_for="192.0.2.77") == 429

    # Another client, through the same proxy, is counted on its own.
    colleague = Browser(stack, source="127.0.0.3")
    assert colleague.login("sachbearbeitung-a", DEMO_PASSWORD) == 302

    locked = Event.objects.filter(action="login_locked")
    assert {event.data["remote_addr"] for event in locked} == {"127.0.0.2"}

    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}


def _multipart(name: str, size: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body += b"%PDF-1.7\n" + os.urandom(size) + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_uploads_over_the_limit_are_refused_by_the_application_and_by_the_proxy(stack, demo_tx):
    _, raw = token_create(
        actor=actor_for_user(user("admin")),
        name="scanner-https",
        username="poststelle",
        actions=["ingest"],
    )
    client = Browser(stack)

    def upload(name, size):
        body, content_type = _multipart(name, size)
        response, content = client.request(
            "POST",
            "/api/ingest/",
            body=body,
            headers={"Content-Type": content_type, "Authorization": f"Bearer {raw}"},
        )
        return response, content

    response, content = upload("klein.pdf", 1000)
    assert response.status == 201, content

    # Over the application's limit (100 kB), within the proxy's (200k): the application
    # refuses it with its code and a German message naming the file.
    response, content = upload("mittel.pdf", 150_000)
    assert response.status == 413
    answer = json.loads(content)
    assert answer["code"] == "TOO_LARGE"
    assert "mittel.pdf" in answer["message"] and "nicht angenommen" in answer["message"]

    # Over the proxy's limit: refused by nginx before the application sees a byte, with the
    # same code and a German message.
    response, content = upload("riesig.pdf", 400_000)
    assert response.status == 413
    assert response.headers["Content-Type"].startswith("application/json")
    answer = json.loads(content.decode("utf-8"))
    assert answer["code"] == "TOO_LARGE"
    assert answer["message"].startswith("Die Sendung ist größer als zulässig")
    assert "riesig.pdf" not in answer["message"]  # nginx's answer, not the application's


def test_check_deploy_is_clean_in_https_mode(tmp_path):
    """A new instance's data directory (the test database's is made by the test runner with
    looser permissions than `registratur` gives its own)."""

    def check(**extra):
        env = {
            key: value for key, value in os.environ.items() if not key.startswith("REGISTRATUR_")
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "REGISTRATUR_DATA_DIR": str(tmp_path / "data"),
                "REGISTRATUR_AUDIT_KEY_FILE": str(tmp_path / "keys" / "audit.pem"),
                "REGISTRATUR_HTTPS": "1",
                **extra,
            }
        )
        return subprocess.run(
            [sys.executable, "-m", "config.cli", "check", "--deploy"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    clean = check()
    assert clean.returncode == 0, clean.stderr
    assert "System check identified no issues" in clean.stdout, clean.stdout + clean.stderr
    # Without the mode the same command names what is missing (the check can fail).
    plain = check(REGISTRATUR_HTTPS="0")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in plain.stdout + plain.stderr
