"""Speed (issue 12 point 12): `registratur serve --processes N` pre-forks N web processes
(gunicorn) that share the socket, so pages are rendered on every core. Each process answers
as the single one did: trimmed to the user, logged, HEAD without a body; and the server stops
with its workers when `registratur run` stops it."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.test import Client

from archive.models import Event
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, registratur, registratur_env

pytestmark = [pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _get(port: int, path: str, cookie: str = "", method: str = "GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _without_token(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _session(username: str) -> str:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def server(demo_tx, tmp_path):
    # As `registratur run` does first: the instance's static files under hashed names.
    collected = registratur("collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr[-2000:]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "config.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--processes", "2"], env=registratur_env(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        try:
            if _get(port, "/anmelden/")[0] == 200 and len(_children(process.pid)) == 2:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
        time.sleep(0.3)
    yield process, port
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_two_processes_serve_trimmed_logged_pages_and_stop_together(server, demo_tx):
    process, port = server
    workers = _children(process.pid)
    assert len(workers) == 2 and process.pid not in workers
    document = file_document(demo_tx["A"], title="Antrag auf Wohngeld")
    own, other = _session("sachbearbeitung-a"), _session("sachbearbeitung-b")
    before = Event.objects.filter(action="viewed", object_id=str(document.pk)).count()

    # Twelve page views at once, spread over both processes by the shared socket.
    answers = []

    def view():
        answers.append(_get(port, f"/dokumente/{document.pk}/", own))

    threads = [threading.Thread(target=view) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [status for status, _body in answers] == [200] * 12
    assert all("Antrag auf Wohngeld" in body.decode() for _status, body in answers)
    # each view is logged, by whichever process served it
    assert Event.objects.filter(action="viewed", object_id=str(document.pk)).count() \
        == before + 12

    # Another unit's caseworker learns nothing: the same 404 as for an unknown id.
    denied = _get(port, f"/dokumente/{document.pk}/", other)
    unknown = _get(port, "/dokumente/987654/", other)
    assert denied[0] == unknown[0] == 404
    assert _without_token(denied[1]) == _without_token(unknown[1])
    # A HEAD answer has no body.
    status, body = _get(port, "/anmelden/", method="HEAD")
    assert status in (200, 405) and body == b""

    # `registratur run` stops the web process with SIGTERM: the workers go with it.
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)
