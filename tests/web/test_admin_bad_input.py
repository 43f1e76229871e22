"""Bad input on the administration's forms and list parameters gets the form back (or the
list), never a server error: the values of tests/web/test_bad_input.py on every field."""
import pytest
from django.test import Client

from archive.models import DocumentType, FilePlanUnit, Unit
from archive.services.staff import password_link_parts
from tests.conftest import DEMO_PASSWORD, user
from tests.web.test_bad_input import NASTY

pytestmark = pytest.mark.django_db

USER_FIELDS = ["username", "first_name", "last_name", "email", "role", "units", "clearance",
               "personnel_administration", "permissions", "password", "password_repeat"]
VALID_USER = {"username": "probe", "role": "caseworker", "clearance": "0",
              "password": "ein-langes-kennwort", "password_repeat": "ein-langes-kennwort"}
DOCTYPE_FIELDS = ["name", "process_name", "rule", "rule_is_regex", "priority", "active"]
VALID_DOCTYPE = {"name": "Probe", "priority": "0", "rule": "Probe"}


def _targets(demo):
    staff = user("sachbearbeitung-b").pk
    unit = demo["A"].unit_id
    doctype = DocumentType.objects.get(key="antrag").pk
    plan = FilePlanUnit.objects.get(code="50.30.1").pk
    return [
        ("post", "/verwaltung/benutzer/anlegen", VALID_USER, USER_FIELDS),
        ("post", f"/verwaltung/benutzer/{staff}/speichern",
         {"role": "caseworker", "clearance": "0", "units": "B"}, USER_FIELDS[1:]),
        ("post", "/verwaltung/organisationseinheiten/anlegen", {"code": "P", "name": "P"},
         ["code", "name"]),
        ("post", f"/verwaltung/organisationseinheiten/{unit}/speichern",
         {"code": "A", "name": "Sachgebiet A"}, ["code", "name"]),
        ("post", "/verwaltung/dokumenttypen/anlegen", {**VALID_DOCTYPE, "key": "probe"},
         ["key", *DOCTYPE_FIELDS]),
        ("post", f"/verwaltung/dokumenttypen/{doctype}/speichern", VALID_DOCTYPE,
         DOCTYPE_FIELDS),
        ("post", f"/aktenplan/{plan}/speichern", {"title": "Einzelfälle"}, ["title"]),
        ("get", "/verwaltung/benutzer/", {}, ["sortierung", "seite"]),
        ("get", "/verwaltung/organisationseinheiten/", {}, ["sortierung", "seite"]),
        ("get", "/verwaltung/dokumenttypen/", {}, ["sortierung", "seite"]),
        ("get", "/aktenplan/", {}, ["sortierung", "seite"]),
    ]


def test_no_administration_field_or_parameter_gives_a_server_error(demo):
    client = Client(raise_request_exception=False)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    failures = []
    for method, url, valid, fields in _targets(demo):
        for field in fields:
            for value in NASTY:
                response = getattr(client, method)(url, {**valid, field: value})
                if response.status_code >= 500:
                    failures.append(f"{url} {field}={value[:30]!r}: {response.status_code}")
    assert failures == []
    # Plain words are acceptable codes; nothing too long or with a control character is kept.
    codes = list(Unit.objects.values_list("code", flat=True))
    assert codes and all(len(code) <= 32 and "\x00" not in code and "ä" * 40 not in code
                         for code in codes)
    keys = list(DocumentType.objects.values_list("key", flat=True))
    assert all(key.isascii() and len(key) <= 64 for key in keys)


def test_the_password_page_takes_no_bad_input_as_a_crash(demo):
    from archive.actors import actor_for_user
    from archive.services.staff import user_create

    newcomer = user_create(actor=actor_for_user(user("admin")), username="neu", role="mailroom")
    uidb64, token = password_link_parts(newcomer)
    client = Client(raise_request_exception=False)
    failures = []
    for field in ("password", "password_repeat"):
        for value in NASTY:
            response = client.post(f"/kennwort-setzen/{uidb64}/{token}/speichern",
                                   {"password": "x", "password_repeat": "x", field: value})
            if response.status_code >= 500:
                failures.append(f"{field}={value[:30]!r}: {response.status_code}")
    for value in NASTY[1:]:
        response = client.get(f"/kennwort-setzen/{value[:50] or 'x'}/{token}/")
        if response.status_code >= 500:
            failures.append(f"uid={value[:30]!r}: {response.status_code}")
    assert failures == []
