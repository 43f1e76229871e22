"""Logins, failed logins and logouts are written to the trail (channel web), a failed one
with the user name it tried and never the password."""
import json

import pytest
from django.test import Client

from archive.models import Event
from archive.services.events import events_verify
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "falsches-kennwort-5521"


def test_login_failed_login_and_logout_are_events(demo):
    client = Client()
    refused = client.post("/anmelden/", {"username": "sachbearbeitung-a", "password": WRONG})
    assert refused.status_code == 200  # the form again
    client.post("/anmelden/", {"username": "sachbearbeitung-a", "password": DEMO_PASSWORD})
    client.post("/abmelden/")
    events = list(Event.objects.filter(object_type="session").order_by("seq"))
    assert [e.action for e in events] == ["login_failed", "login", "logout"]
    failed, login, logout = events
    assert failed.actor == "anonymous"
    assert failed.data["attempted_username"] == "sachbearbeitung-a"
    assert failed.data["via"] == {"channel": "web"}
    assert login.actor == logout.actor == "sachbearbeitung-a"
    assert login.data["via"] == logout.data["via"] == {"channel": "web"}
    # Not the password, nor its mask, anywhere in the trail.
    trail = json.dumps(list(Event.objects.values("actor", "purpose", "data", "object_id")))
    assert WRONG not in trail and "*****" not in trail and DEMO_PASSWORD not in trail
    assert events_verify().ok


def test_an_unknown_user_name_is_recorded_as_tried(demo):
    Client().post("/anmelden/", {"username": "mallory", "password": WRONG})
    event = Event.objects.get(action="login_failed")
    assert event.data["attempted_username"] == "mallory" and event.object_id == "mallory"
