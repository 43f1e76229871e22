"""The password policy (AUTH_PASSWORD_VALIDATORS: at least 12 characters, not a common
password, not like the person's name, not only digits) holds wherever a password is set: the
administration's form, the one-time link, and `registratur staff`; refusals are German."""
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from archive.actors import actor_for_user
from archive.services.staff import password_link_parts, user_create
from tests.conftest import user

pytestmark = pytest.mark.django_db
GOOD = "ein-langes-kennwort-42"
# password -> what the German refusal says
WEAK = {
    "kurz-1234": "zu kurz",
    "qwerty123456": "zu üblich",
    "784512963074": "komplett numerisch",
    "leitung-a-2026": "zu ähnlich",
}


def _admin() -> Client:
    client = Client()
    client.force_login(user("admin"))
    return client


def _new_user(password: str) -> dict:
    return {"username": "leitung-a", "first_name": "Lea", "last_name": "Leitner",
            "email": "lea.leitner@example.org", "role": "caseworker", "units": ["A"],
            "clearance": "0", "password": password, "password_repeat": password}


@pytest.mark.parametrize("password, reason", WEAK.items())
def test_the_administration_form_refuses_a_weak_first_password(demo, password, reason):
    response = _admin().post("/verwaltung/benutzer/anlegen", _new_user(password))
    body = response.content.decode()
    assert response.status_code == 400
    assert "PASSWORD_INVALID" in body and reason in body
    assert not type(user("admin")).objects.filter(username="leitung-a").exists()


def test_the_administration_form_takes_a_good_one(demo):
    response = _admin().post("/verwaltung/benutzer/anlegen", _new_user(GOOD))
    assert response.status_code == 302
    assert user("leitung-a").check_password(GOOD)


@pytest.mark.parametrize("password, reason", WEAK.items())
def test_the_one_time_link_refuses_a_weak_password(demo, password, reason):
    newcomer = user_create(actor=actor_for_user(user("admin")), username="leitung-a",
                           role="caseworker", units=["A"], first_name="Lea",
                           last_name="Leitner", email="lea.leitner@example.org")
    uidb64, token = password_link_parts(newcomer)
    response = Client().post(f"/kennwort-setzen/{uidb64}/{token}/speichern",
                             {"password": password, "password_repeat": password})
    body = response.content.decode()
    assert response.status_code == 400 and reason in body
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


@pytest.mark.parametrize("password, reason", [("kurz-1234", "zu kurz"),
                                              ("784512963074", "komplett numerisch")])
def test_the_command_line_refuses_a_weak_password(demo, password, reason, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", password)
    with pytest.raises(CommandError, match=reason) as refused:
        call_command("staff", "set", "sachbearbeitung-a", "--password-env", "NEW_PASSWORD",
                     stdout=StringIO(), stderr=StringIO())
    assert "PASSWORD_INVALID" in str(refused.value)
    assert os.environ["NEW_PASSWORD"] == password
    assert not user("sachbearbeitung-a").check_password(password)
