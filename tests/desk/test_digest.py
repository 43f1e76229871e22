"""The e-mail digest through a real SMTP server (aiosmtpd on localhost): counts per section
and a link, nothing of the post itself; a server that is down blocks nothing and the digest
goes out at the next run."""
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from archive.actors import actor_for_user
from desk.models import DeskPreference
from desk.services.digest import digest_set, digests_send
from desk.tasks import send_digests
from tests.archive.helpers import file_document

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://registratur.example.org"
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield controller, inbox
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def _body(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    return message["Subject"] + "\n" + message.get_body().get_content()


def test_the_digest_names_counts_and_a_link_and_nothing_of_the_post(team, smtp):
    controller, inbox = smtp
    controller.start()
    document = file_document(team["A"], title="Widerspruch Mehrbedarf Schwangerschaft")
    file_document(team["A"], title="Kontoauszüge März")
    digest_set(actor=actor_for_user(team["a"]), enabled=True, email="a@amt.example.org")
    digest_set(actor=actor_for_user(team["b"]), enabled=True, email="b@amt.example.org")

    assert digests_send() == {"sent": 1, "failed": 0, "empty": 1}

    assert [rcpt for rcpt, _ in inbox.messages] == [["a@amt.example.org"]]
    text = _body(inbox.messages[0][1])
    assert "Neue Post in Ihren Akten: 2" in text
    assert "https://registratur.example.org/arbeitsplatz/" in text
    for secret in (document.title, "Kontoauszüge", team["A"].file_reference, team["A"].title,
                   team["A"].subject_name, "Müller", "K-104711"):
        assert secret not in text
    # Sent today: the next run within DESK_DIGEST_HOURS sends nothing more.
    assert digests_send()["sent"] == 0 and len(inbox.messages) == 1


def test_a_server_that_is_down_blocks_nothing_and_is_tried_again(team, smtp, client):
    controller, inbox = smtp
    file_document(team["A"], title="Antrag")
    digest_set(actor=actor_for_user(team["a"]), enabled=True, email="a@amt.example.org")

    # Nobody listens on the port yet: logged, counted, no exception, nothing marked sent.
    assert send_digests() == {"sent": 0, "failed": 1, "empty": 0}
    assert DeskPreference.objects.get(user=team["a"]).digest_sent_at is None
    assert client.login(username="sachbearbeitung-a", password="demo-kennwort-123")
    assert client.get("/arbeitsplatz/").status_code == 200

    controller.start()
    assert send_digests() == {"sent": 1, "failed": 0, "empty": 0}
    assert len(inbox.messages) == 1
    assert DeskPreference.objects.get(user=team["a"]).digest_sent_at is not None


def test_the_digest_needs_a_valid_address(team):
    from archive.errors import InvalidInput

    with pytest.raises(InvalidInput):
        digest_set(actor=actor_for_user(team["a"]), enabled=True, email="keine-adresse")
    digest_set(actor=actor_for_user(team["a"]), enabled=False, email="")
    assert digests_send() == {"sent": 0, "failed": 0, "empty": 0}


def test_the_scheduler_runs_the_digest_task():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["desk-send-digests"]["task"] == send_digests.name
    assert send_digests.name == "desk.send_digests"
