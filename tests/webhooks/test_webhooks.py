"""Outgoing webhooks (issue 15.5): signed POSTs to a real local receiver, ids and links only,
trimmed to the subscriber's units, retried with backoff, visible, and never in the way of
filing."""
import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.models import Document
from archive.services.casefiles import case_file_close
from followups.announce import follow_ups_announce_due
from followups.services import follow_up_create
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user
from webhooks.delivery import delivery_send
from webhooks.models import Delivery, DeliveryState
from webhooks.services import subscription_create

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self, status: int = 200):
        self.status, self.received = status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()


def _subscribe(url: str, events: list[str], units=("A",), name="fachverfahren"):
    return subscription_create(actor=acting(user("admin")), name=name, url=url,
                               events=events, unit_codes=list(units))


def _send_all():
    for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True):
        delivery_send(pk)


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def test_new_post_reaches_the_receiver_signed_with_ids_and_links_only(demo, receiver):
    subscription, secret = _subscribe(receiver.url, ["post.received", "document.filed"])
    case_file = demo["A"]
    document = file_document(case_file, text="Antrag von Erika Mustermann", title="Antrag XY")
    _send_all()
    assert len(receiver.received) == 2
    events = set()
    for headers, body in receiver.received:
        expected = hmac.new(secret.encode(), headers["X-Registratur-Timestamp"].encode()
                            + b"." + body, hashlib.sha256).hexdigest()
        assert headers["X-Registratur-Signature"] == f"sha256={expected}"
        payload = json.loads(body)
        events.add(payload["event"])
        assert payload["data"]["document"]["id"] == document.pk
        assert payload["data"]["case_file"]["id"] == case_file.pk
        assert payload["data"]["document"]["url"].endswith(f"/dokumente/{document.pk}/")
        text = body.decode()
        for personal in ("Antrag XY", "Mustermann", case_file.title, case_file.subject_name):
            assert not personal or personal not in text
    assert events == {"post.received", "document.filed"}
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}


def test_a_subscriber_of_another_unit_hears_nothing(demo, receiver):
    _subscribe(receiver.url, ["post.received", "document.filed", "case_file.closed"],
               units=("B",))
    file_document(demo["A"])
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    assert Delivery.objects.count() == 0
    _send_all()
    assert receiver.received == []


def test_a_dead_receiver_never_blocks_filing_and_is_retried_with_backoff(demo, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    _subscribe(_closed_port(), ["document.filed"])
    document = file_document(demo["A"])  # filing works although nobody listens
    assert Document.objects.filter(pk=document.pk, case_file=demo["A"]).exists()
    [delivery] = Delivery.objects.all()
    before = timezone.now()
    first = delivery_send(delivery.pk)
    assert first.state == DeliveryState.RETRYING and first.attempts == 1
    assert first.last_error  # the failure is kept for the page
    assert timedelta(seconds=25) < first.next_attempt_at - before < timedelta(seconds=40)
    second = delivery_send(delivery.pk)
    assert timedelta(seconds=55) < second.next_attempt_at - before < timedelta(seconds=75)
    third = delivery_send(delivery.pk)
    assert third.state == DeliveryState.DEAD and third.next_attempt_at is None
    assert delivery_send(delivery.pk) is None  # given up: not sent again by itself
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    page = client.get("/verwaltung/webhooks/").content.decode()
    assert "aufgegeben" in page and "Erneut senden" in page


def test_a_failing_answer_is_retried_and_then_delivered(demo, receiver):
    receiver.status = 500
    _subscribe(receiver.url, ["document.filed"])
    file_document(demo["A"])
    [delivery] = Delivery.objects.all()
    assert delivery_send(delivery.pk).state == DeliveryState.RETRYING
    receiver.status = 204
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    from webhooks.delivery import deliveries_due

    assert deliveries_due() == [delivery.pk]
    assert delivery_send(delivery.pk).state == DeliveryState.DELIVERED
    assert len(receiver.received) == 2  # the same event twice: the id lets the receiver
    ids = {json.loads(body)["id"] for _, body in receiver.received}
    assert len(ids) == 1  # ... recognise the repetition


def test_closing_and_a_due_follow_up_are_announced_once(demo, receiver):
    _subscribe(receiver.url, ["case_file.closed", "follow_up.due"])
    follow_up_create(actor=acting(user("sachbearbeitung-a")), due=timezone.localdate(),
                     reason="Unterlagen nachfordern", case_file_id=demo["A"].pk,
                     assignee=user("sachbearbeitung-a"))
    assert follow_ups_announce_due() == 1
    assert follow_ups_announce_due() == 0  # once per follow-up and date
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    _send_all()
    events = [json.loads(body) for _, body in receiver.received]
    assert sorted(e["event"] for e in events) == ["case_file.closed", "follow_up.due"]
    due = next(e for e in events if e["event"] == "follow_up.due")
    assert "Unterlagen" not in json.dumps(due)


def test_post_filed_from_the_inbox_is_announced_as_filed_once(demo, receiver):
    from archive.services.documents import document_file_new
    from tests.archive.helpers import content

    _subscribe(receiver.url, ["post.received", "document.filed"])
    document = document_file_new(content=content("Posteingang"), case_file=None,
                                 title="Brief", received_at=timezone.now(),
                                 actor=system_actor(name="test"))
    assert Delivery.objects.count() == 0  # in the inbox: no unit, nobody hears of it
    from archive.models import Document as DocumentModel
    from archive.services.documents import document_move
    from archive.signals import document_changed

    document_move(actor=acting(user("poststelle")), document_id=document.pk,
                  case_file=demo["A"])
    document_changed.send(sender=DocumentModel, document_id=document.pk)  # a later edit
    assert list(Delivery.objects.values_list("event", flat=True)) == ["document.filed"]


def test_only_the_administration_subscribes_and_the_command_line_lists(demo, capsys):
    from archive.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        subscription_create(actor=acting(user("sachbearbeitung-a")), name="x",
                            url="https://example.invalid/h", events=["document.filed"],
                            unit_codes=["A"])
    call_command("webhooks", "add", "fv", "https://example.invalid/h", "--event",
                 "case_file.closed", "--unit", "A", "--json")
    created = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert created["secret"]
    call_command("webhooks", "list", "--json")
    [row] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["name"] == "fv" and row["events"] == ["case_file.closed"]
    assert "secret" not in row
