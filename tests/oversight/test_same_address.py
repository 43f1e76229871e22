"""Misuse alerts, the address half of issue #14.7: reading the file of a person who lives at
the reader's private address. The subject's address is kept on the case file (its changes
sealed in the trail like the other subject fields), the reader's on the staff profile (HR
data: set by the administration, read by the rule, never written to the trail in clear and
never shown elsewhere)."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import InvalidInput
from archive.models import Event
from archive.models.sealed import SEALED_VALUE
from archive.services.access import case_file_read, document_read
from archive.services.casefiles import case_file_update
from archive.services.staff import NOT_RECORDED, staff_set, user_update
from identity.tokens import token_create
from oversight.models import RuleKey
from oversight.rules import address_similarity
from oversight.services import alert_rule_set, alerts_scan
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
SUBJECT = {"subject_street": "Hauptstraße 5", "subject_postcode": "80331",
           "subject_city": "München"}


def _scan():
    return alerts_scan(actor=system_actor("scheduler", "test"))


def _subject_lives(case_file, street="Hauptstraße 5", postcode="80331", city="München"):
    return case_file_update(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                            subject_street=street, subject_postcode=postcode,
                            subject_city=city)


def _reader_lives(username, street, postcode, city="Muenchen"):
    reader = user(username)
    reader.last_name = "Schmidt"  # no namesake of the subject (Jürgen Müller)
    reader.save()
    user_update(actor=acting(user("admin")), user=reader, private_street=street,
                private_postcode=postcode, private_city=city)
    return user(username)


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


# --- the pattern it must catch ----------------------------------------------------------
def test_reading_the_file_of_a_housemate_written_differently_is_flagged(demo):
    _subject_lives(demo["A"])
    reader = _reader_lives("sachbearbeitung-a", "Hauptstr. 5", "80331")
    document_read(user=reader, document_id=file_document(demo["A"]).pk, purpose="Prüfung")
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Prüfung")
    raised = _scan()
    assert [(a.rule, a.username, a.case_file_id) for a in raised] == [
        (RuleKey.SAME_ADDRESS, "sachbearbeitung-a", demo["A"].pk)
    ]
    [alert] = raised
    assert alert.details == {"reads": 2, "similarity": 100}
    # Nothing of either address is kept with the alert or its trail entry.
    stored = json.dumps([alert.details, alert.seqs, alert.username])
    raised_entry = Event.objects.get(action="alert_raised")
    for part in ("Haupt", "80331", "nchen"):
        assert part not in stored and part not in json.dumps(raised_entry.data)


@pytest.mark.parametrize("reader_street, subject_street", [
    ("Hauptstr. 5", "Hauptstraße 5"),
    ("HAUPTSTRASSE 5", "Hauptstraße 5"),
    ("Haupt-Straße 5 a", "Hauptstraße 5a"),
    ("Mühlenweg 12", "Muehlenweg 12"),
    ("Am Marktpl. 3", "Am Marktplatz 3"),
])
def test_addresses_are_compared_after_normalising(reader_street, subject_street):
    assert address_similarity(reader_street, "80331", subject_street, "80331") == 100


# --- a normal day it must not flag --------------------------------------------------------
@pytest.mark.parametrize("street, postcode", [
    ("Hauptstraße 7", "80331"),  # the neighbouring house
    ("Hauptstraße 15", "80331"),
    ("Hauptstraße 5", "80333"),  # the same street in another part of town
    ("", ""),  # no private address set
])
def test_a_normal_day_is_not_flagged(demo, street, postcode):
    _subject_lives(demo["A"])
    reader = _reader_lives("sachbearbeitung-a", street, postcode)
    for _ in range(3):
        case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
        document_read(user=reader, document_id=file_document(demo["A"]).pk,
                      purpose="Bearbeitung")
    assert _scan() == []


def test_a_file_without_an_address_is_not_flagged(demo):
    reader = _reader_lives("sachbearbeitung-a", "Hauptstraße 5", "80331")
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
    assert _scan() == []


def test_the_officer_sets_the_threshold_and_may_switch_the_rule_off(demo):
    _subject_lives(demo["A"], street="Hauptstraße 5")
    reader = _reader_lives("sachbearbeitung-a", "Hauptstr 5", "80331")
    officer = acting(user("datenschutz"))
    alert_rule_set(actor=officer, key=RuleKey.SAME_ADDRESS, active=False)
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
    assert _scan() == []
    alert_rule_set(actor=officer, key=RuleKey.SAME_ADDRESS, active=True, threshold=2)
    assert _scan() == []  # one read, two needed
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
    assert [a.rule for a in _scan()] == [RuleKey.SAME_ADDRESS]


# --- the addresses themselves ------------------------------------------------------------
def test_a_change_of_the_subjects_address_is_logged_sealed(demo):
    _subject_lives(demo["A"])
    event = Event.objects.filter(action="changed", object_type="case_file").latest("seq")
    assert event.data["changes"] == {field: SEALED_VALUE for field in SUBJECT}
    assert "Hauptstraße" not in json.dumps(event.data, ensure_ascii=False)
    assert event.clear_data["changes"]["subject_street"] == ["", "Hauptstraße 5"]
    assert event.clear_data["changes"]["subject_postcode"] == ["", "80331"]


def test_a_postcode_has_five_digits(demo):
    with pytest.raises(InvalidInput) as refused:
        _subject_lives(demo["A"], postcode="8033")
    assert refused.value.code == "POSTCODE_INVALID"


def test_the_private_address_is_never_written_to_the_trail(demo):
    _reader_lives("sachbearbeitung-a", "Hauptstr. 5", "80331")
    event = Event.objects.filter(action="changed", object_type="staff").latest("seq")
    assert event.data["changes"]["private_address"] == [NOT_RECORDED, NOT_RECORDED]
    everything = json.dumps([e.data for e in Event.objects.all()], ensure_ascii=False)
    assert "Hauptstr. 5" not in everything and "Muenchen" not in everything


def test_the_administrator_sets_the_private_address_on_the_staff_page(demo):
    client = _client("admin")
    target = user("sachbearbeitung-b")
    response = client.post(f"/verwaltung/benutzer/{target.pk}/speichern", {
        "role": "caseworker", "units": ["B"], "clearance": "0",
        "private_street": "Hauptstr. 5", "private_postcode": "80331",
        "private_city": "Muenchen"})
    assert response.status_code == 302
    profile = user("sachbearbeitung-b").staff_profile
    assert (profile.private_street, profile.private_postcode, profile.private_city) == (
        "Hauptstr. 5", "80331", "Muenchen")
    assert "Hauptstr. 5" in client.get(f"/verwaltung/benutzer/{target.pk}/").content.decode()
    refused = client.post(f"/verwaltung/benutzer/{target.pk}/speichern", {
        "role": "caseworker", "units": ["B"], "clearance": "0", "private_postcode": "ABCDE"})
    assert refused.status_code == 400  # the form again, with the reason
    assert "fünf Ziffern" in refused.content.decode()


def test_the_private_address_is_shown_nowhere_else(demo):
    _subject_lives(demo["A"])
    reader = _reader_lives("sachbearbeitung-a", "Hauptstr. 5", "80331", city="Muenchen")
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
    [alert] = _scan()
    pages = [
        _client("datenschutz").get("/datenschutz/hinweise/").content.decode(),
        _client("datenschutz").get(f"/datenschutz/hinweise/{alert.pk}/").content.decode(),
        _client("sachbearbeitung-a").get(f"/akten/{demo['A'].pk}/").content.decode(),
        _client("sachbearbeitung-a").get("/").content.decode(),
    ]
    for page in pages:
        assert "Hauptstr. 5" not in page and "Muenchen" not in page


# --- who sees the subject's address ------------------------------------------------------
def _token(account: str, unit: str) -> APIClient:
    staff_set(actor=acting(user("admin")), username=account, role="caseworker", units=[unit])
    _, raw = token_create(actor=acting(user("admin")), name=f"Fachverfahren {unit}",
                          username=account, units=[unit], actions=["read", "manage"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_own_unit_sees_the_subjects_address_another_unit_nothing(demo):
    _subject_lives(demo["A"])
    own = _client("sachbearbeitung-a").get(f"/akten/{demo['A'].pk}/").content.decode()
    assert "Hauptstraße 5, 80331 München" in own
    other = _client("sachbearbeitung-b").get(f"/akten/{demo['A'].pk}/")
    assert other.status_code == 404 and "Hauptstraße" not in other.content.decode()
    listing = _client("sachbearbeitung-b").get("/akten/").content.decode()
    assert "Hauptstraße" not in listing
    api_a, api_b = _token("fv-a", "A"), _token("fv-b", "B")
    record = api_a.get(f"/api/v1/case-files/{demo['A'].pk}/").json()
    assert (record["subject_street"], record["subject_postcode"], record["subject_city"]) == (
        "Hauptstraße 5", "80331", "München")
    refused = api_b.get(f"/api/v1/case-files/{demo['A'].pk}/")
    assert refused.status_code == 404 and "Hauptstraße" not in refused.content.decode()
    assert "Hauptstraße" not in api_b.get("/api/v1/case-files/").content.decode()


def test_the_subjects_address_is_set_through_api_and_page_forms(demo):
    api = _token("fv-a", "A")
    created = api.post("/api/v1/case-files/", {
        "plan_unit": demo["A"].plan_unit.code, "unit": "A", "title": "Wohngeld",
        "subject_name": "Erika Musterfrau", "subject_street": "Lindenallee 2",
        "subject_postcode": "50667", "subject_city": "Köln"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["subject_postcode"] == "50667"
    bad = api.post("/api/v1/case-files/", {
        "plan_unit": demo["A"].plan_unit.code, "unit": "A", "title": "Wohngeld",
        "subject_postcode": "5066"}, format="json")
    assert bad.status_code == 400 and "POSTCODE_INVALID" in bad.content.decode()
    client = _client("sachbearbeitung-a")
    response = client.post(f"/akten/{demo['A'].pk}/aendern", {
        "title": demo["A"].title, "confidentiality": "0", "subject_name": "Jürgen Müller",
        "client_number": demo["A"].client_number, **SUBJECT})
    assert response.status_code == 302
    demo["A"].refresh_from_db()
    assert demo["A"].subject_address == "Hauptstraße 5, 80331 München"
