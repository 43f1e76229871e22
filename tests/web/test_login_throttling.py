"""Repeated failed logins are throttled per account and per address (django-axes, switched on
here: the test settings keep it off for the test client's login()), and each lockout is an
event of the trail. 30 wrong passwords through the real login page."""
import pytest
from django.test import Client

from archive.models import Event
from archive.services.events import events_verify
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "falsches-kennwort-5521"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10


def _try(client, username, password):
    return client.post("/anmelden/", {"username": username, "password": password})


def test_thirty_wrong_passwords_lock_the_account_and_the_trail_says_so(demo, axes_on):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    answers = [_try(attacker, "sachbearbeitung-a", WRONG).status_code for _ in range(30)]
    # The form again until the limit, then the lockout page for every further try.
    assert answers[:9] == [200] * 9
    assert set(answers[9:]) == {429}
    locked = _try(attacker, "sachbearbeitung-a", DEMO_PASSWORD)
    assert locked.status_code == 429  # the right password is refused during the cool-off
    assert "_auth_user_id" not in attacker.session
    page = locked.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in page and "Minuten" in page
    events = Event.objects.filter(action="login_locked")
    assert events.exists()
    first = events.first()
    assert first.object_id == "sachbearbeitung-a" and first.actor == "anonymous"
    assert first.data["remote_addr"] == "203.0.113.7"
    assert first.data["cooloff_minutes"] == 15
    assert WRONG not in str(list(Event.objects.values_list("data", flat=True)))
    assert events_verify().ok


def test_another_account_from_another_address_is_unaffected(demo, axes_on):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(30):
        _try(attacker, "sachbearbeitung-a", WRONG)
    colleague = Client(REMOTE_ADDR="198.51.100.20")
    assert _try(colleague, "sachbearbeitung-b", DEMO_PASSWORD).status_code == 302
    assert colleague.session["_auth_user_id"]


def test_the_account_is_locked_from_every_address_and_the_address_for_every_account(
        demo, axes_on):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        _try(attacker, "sachbearbeitung-a", WRONG)
    # Per account: the owner at another desk is refused until the cool-off ends.
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert _try(owner, "sachbearbeitung-a", DEMO_PASSWORD).status_code == 429
    # Per address: other accounts tried from the attacker's address are refused too.
    assert _try(attacker, "sachbearbeitung-b", DEMO_PASSWORD).status_code == 429


def test_an_unknown_account_is_locked_exactly_like_a_known_one(demo, axes_on):
    known, unknown = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(12):
        known_answer = _try(known, "sachbearbeitung-a", WRONG)
        unknown_answer = _try(unknown, "gibt-es-nicht", WRONG)
    assert known_answer.status_code == unknown_answer.status_code == 429
    assert known_answer.content == unknown_answer.content  # no hint which account exists


def test_the_cool_off_ends(demo, axes_on):
    from datetime import timedelta

    from axes.models import AccessAttempt

    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        _try(attacker, "sachbearbeitung-a", WRONG)
    assert _try(attacker, "sachbearbeitung-a", DEMO_PASSWORD).status_code == 429
    # The attempts age past the cool-off period.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert _try(attacker, "sachbearbeitung-a", DEMO_PASSWORD).status_code == 302

