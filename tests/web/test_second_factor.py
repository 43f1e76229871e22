"""The second factor (TOTP, django-otp): required for the administrator and the officer,
optional for everyone else; asked after the password; set up with a QR code and confirmed
with a code; reset by the administration. Codes are computed from the device's key with
django-otp's TOTP, as an authenticator app computes them."""
import base64
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.models import Event
from tests.conftest import DEMO_PASSWORD, user
from tests.second_factor import current_code

pytestmark = pytest.mark.django_db


def _password_login(username: str) -> Client:
    client = Client()
    response = client.post("/anmelden/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_an_administrator_without_a_device_can_do_nothing_but_set_one_up(demo):
    TOTPDevice.objects.filter(user=user("admin")).delete()
    client = _password_login("admin")
    for path in ("/verwaltung/", "/verwaltung/benutzer/", "/suche/?q=x", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/konto/zweiter-faktor/?next="), path
    assert client.get("/api/search/?q=x").json()["code"] == "SECOND_FACTOR_REQUIRED"
    page = client.get("/konto/zweiter-faktor/")
    html = page.content.decode()
    assert page.status_code == 200 and "data:image/svg+xml" in html
    assert "vorgeschrieben" in html
    device = TOTPDevice.objects.get(user=user("admin"), confirmed=False)
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    refused = client.post("/konto/zweiter-faktor/bestaetigen", {"code": "000000"})
    assert refused.status_code == 400 and "OTP_CODE_INVALID" in refused.content.decode()
    assert client.get("/verwaltung/").status_code == 302
    confirmed = client.post("/konto/zweiter-faktor/bestaetigen",
                            {"code": current_code(device), "next": "/verwaltung/"})
    assert confirmed.status_code == 302 and confirmed.url == "/verwaltung/"
    assert client.get("/verwaltung/").status_code == 200
    event = Event.objects.get(action="second_factor_set_up")
    assert event.actor == "admin" and event.object_id == str(user("admin").pk)


def test_the_code_is_asked_after_the_password(demo):
    client = _password_login("datenschutz")
    response = client.get("/datenschutz/")
    assert response.status_code == 302
    assert response.url == "/anmelden/zweiter-faktor/?next=%2Fdatenschutz%2F"
    wrong = client.post("/anmelden/zweiter-faktor/pruefen",
                        {"code": "123456", "next": "/datenschutz/"})
    assert wrong.status_code == 400
    assert client.get("/datenschutz/").status_code == 302
    device = TOTPDevice.objects.get(user=user("datenschutz"))
    device.throttle_reset()  # django-otp slows down after the wrong code
    right = client.post("/anmelden/zweiter-faktor/pruefen",
                        {"code": current_code(device), "next": "/datenschutz/"})
    assert right.status_code == 302 and right.url == "/datenschutz/"
    assert client.get("/datenschutz/").status_code == 200
    actions = list(Event.objects.filter(object_type="session").values_list("action", flat=True))
    assert actions == ["login", "second_factor_failed", "second_factor_verified"]


def test_a_replayed_code_is_refused(demo):
    device = TOTPDevice.objects.get(user=user("datenschutz"))
    code = current_code(device)
    first = _password_login("datenschutz")
    assert first.post("/anmelden/zweiter-faktor/pruefen", {"code": code}).status_code == 302
    second = _password_login("datenschutz")
    assert second.post("/anmelden/zweiter-faktor/pruefen", {"code": code}).status_code == 400


def test_an_offsite_next_is_not_followed(demo):
    client = _password_login("datenschutz")
    device = TOTPDevice.objects.get(user=user("datenschutz"))
    response = client.post("/anmelden/zweiter-faktor/pruefen",
                           {"code": current_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_a_caseworker_needs_no_second_factor_but_may_set_one_up(demo):
    client = _password_login("sachbearbeitung-a")
    assert client.get("/akten/").status_code == 200
    client.get("/konto/zweiter-faktor/")
    device = TOTPDevice.objects.get(user=user("sachbearbeitung-a"))
    assert client.post("/konto/zweiter-faktor/bestaetigen",
                       {"code": current_code(device)}).status_code == 302
    # From now on the code is asked at every sign-in.
    again = _password_login("sachbearbeitung-a")
    assert again.get("/akten/").url.startswith("/anmelden/zweiter-faktor/")


def test_the_password_alone_cannot_replace_the_device(demo):
    before = TOTPDevice.objects.get(user=user("datenschutz"))
    client = _password_login("datenschutz")
    assert client.get("/konto/zweiter-faktor/").url == "/anmelden/zweiter-faktor/"
    assert client.post("/konto/zweiter-faktor/bestaetigen",
                       {"code": "000000"}).url == "/anmelden/zweiter-faktor/"
    assert list(TOTPDevice.objects.filter(user=user("datenschutz"))) == [before]


def test_the_administration_resets_a_lost_device(demo):
    officer = user("datenschutz")
    admin = Client()
    admin.force_login(user("admin"))  # verified: tests/second_factor.py
    response = admin.post(f"/verwaltung/benutzer/{officer.pk}/zweiter-faktor-zuruecksetzen")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = Event.objects.get(action="second_factor_reset")
    assert event.actor == "admin" and event.data["username"] == "datenschutz"
    assert event.data["devices_removed"] == 1
    # The officer must set up a new one at the next sign-in.
    client = _password_login("datenschutz")
    assert client.get("/datenschutz/").url.startswith("/konto/zweiter-faktor/")


def test_only_the_administration_resets(demo):
    caseworker = Client()
    caseworker.force_login(user("sachbearbeitung-b"))
    officer = user("datenschutz")
    response = caseworker.post(
        f"/verwaltung/benutzer/{officer.pk}/zweiter-faktor-zuruecksetzen")
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not Event.objects.filter(action="second_factor_reset").exists()
