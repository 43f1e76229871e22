"""The administration's pages (issue 12.9): users, organisation units, the file plan and
document types are kept on pages by the administrator alone; every change is exactly one event
naming the administrator; refused input comes back as the form with a German reason and its
code; the pages show no social data."""
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.models import DocumentType, Event, FilePlanUnit, Role, StaffProfile, Unit
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db

PASSWORD = "ein-langes-kennwort-42"


def _client(username="admin"):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _body(response) -> str:
    return response.content.decode()


class _Count:
    """How many events a block writes, and which."""

    def __enter__(self):
        self.start = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        return self

    def __exit__(self, *exc):
        self.events = list(Event.objects.filter(seq__gt=self.start).order_by("seq"))


def _new_user_data(**overrides):
    return {"username": "leitung-a", "first_name": "Lea", "last_name": "Leitner",
            "role": "caseworker", "units": ["A"], "clearance": "1",
            "permissions": ["reopen_casefile"], "password": PASSWORD,
            "password_repeat": PASSWORD, **overrides}


# --- who may ------------------------------------------------------------------------------

def _admin_urls(demo):
    staff, unit = user("sachbearbeitung-b").pk, demo["A"].unit_id
    doctype = DocumentType.objects.get(key="antrag").pk
    plan = FilePlanUnit.objects.get(code="50.30.1").pk
    gets = ["/verwaltung/", "/verwaltung/benutzer/", "/verwaltung/benutzer/neu/",
            f"/verwaltung/benutzer/{staff}/", "/verwaltung/organisationseinheiten/",
            "/verwaltung/organisationseinheiten/neu/",
            f"/verwaltung/organisationseinheiten/{unit}/", "/verwaltung/dokumenttypen/",
            "/verwaltung/dokumenttypen/neu/", f"/verwaltung/dokumenttypen/{doctype}/",
            "/aktenplan/", f"/aktenplan/{plan}/"]
    posts = [("/verwaltung/benutzer/anlegen", _new_user_data()),
             (f"/verwaltung/benutzer/{staff}/speichern",
              {"role": "administrator", "clearance": "2"}),
             (f"/verwaltung/benutzer/{staff}/status", {}),
             (f"/verwaltung/benutzer/{staff}/kennwort-link", {}),
             ("/verwaltung/organisationseinheiten/anlegen", {"code": "C", "name": "C"}),
             (f"/verwaltung/organisationseinheiten/{unit}/speichern",
              {"code": "A", "name": "Übernommen"}),
             ("/verwaltung/dokumenttypen/anlegen", {"key": "neu", "name": "Neu",
                                                     "priority": "0"}),
             (f"/verwaltung/dokumenttypen/{doctype}/speichern",
              {"name": "Übernommen", "priority": "0"}),
             (f"/aktenplan/{plan}/speichern", {"title": "Übernommen"})]
    return gets, posts


@pytest.mark.parametrize("username", ["poststelle", "sachbearbeitung-a", "sachbearbeitung-b",
                                      "datenschutz"])
def test_every_other_role_gets_the_404_of_an_unknown_page_and_changes_nothing(demo, username):
    client = _client(username)
    unknown = client.get("/verwaltung/gibt-es-nicht/")
    gets, posts = _admin_urls(demo)
    with _Count() as written:
        for url in gets:
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Benutzername" not in _body(response) and "Kürzel" not in _body(response)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
    assert unknown.status_code == 404
    assert written.events == []
    assert not get_user_model().objects.filter(username="leitung-a").exists()
    assert not Unit.objects.filter(code="C").exists()
    assert not Unit.objects.filter(name="Übernommen").exists()
    assert user("sachbearbeitung-b").is_active
    assert user("sachbearbeitung-b").has_usable_password()
    assert user("sachbearbeitung-b").staff_profile.role == Role.CASEWORKER
    assert not DocumentType.objects.filter(name="Übernommen").exists()
    assert not FilePlanUnit.objects.filter(title="Übernommen").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(demo):
    gets, posts = _admin_urls(demo)
    client = Client()
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/anmelden/" in response["Location"], url
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    assert not get_user_model().objects.filter(username="leitung-a").exists()


def test_a_fileplan_keeper_who_is_no_administrator_sees_no_user_or_unit_pages(demo):
    from archive.actors import actor_for_user
    from archive.services.staff import user_update

    user_update(actor=actor_for_user(user("admin")), user=user("sachbearbeitung-a"),
                permissions=["manage_fileplan"])
    client = _client("sachbearbeitung-a")
    assert client.get("/aktenplan/").status_code == 200
    for url in ("/verwaltung/", "/verwaltung/benutzer/", "/verwaltung/organisationseinheiten/",
                "/verwaltung/dokumenttypen/"):
        assert client.get(url).status_code == 404, url


# --- the pages show no social data ---------------------------------------------------------

def test_the_administration_pages_show_no_social_data(demo):
    client = _client()
    gets, _posts = _admin_urls(demo)
    social = [demo["A"].subject_name, demo["A"].client_number, demo["A"].file_reference,
              demo["B"].subject_name, demo["B"].client_number, demo["B"].file_reference]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        for value in social:
            assert value not in _body(response), (url, value)


# --- accessibility basics: every control has a label, every column header a scope ----------

class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[dict] = []
        self.headers: list[dict] = []
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in (
                "hidden", "submit"):
            self.controls.append({**attrs, "_wrapped": self.in_label > 0})
        elif tag == "th":
            self.headers.append(attrs)

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


def test_every_control_has_a_label_and_every_column_header_a_scope(demo):
    client = _client()
    gets, _posts = _admin_urls(demo)
    for url in gets:
        parsed = _Controls()
        parsed.feed(_body(client.get(url)))
        for control in parsed.controls:
            assert control["_wrapped"] or control.get("id") in parsed.labelled, (url, control)
        assert all(header.get("scope") in ("col", "row") for header in parsed.headers), url


# --- users ---------------------------------------------------------------------------------

def test_the_administrator_creates_a_user_with_one_event_and_no_password_in_it(demo):
    client = _client()
    assert client.get("/verwaltung/benutzer/neu/").status_code == 200
    with _Count() as written:
        response = client.post("/verwaltung/benutzer/anlegen", _new_user_data())
    assert response.status_code == 302 and response["Location"] == "/verwaltung/benutzer/"
    [event] = written.events
    created = user("leitung-a")
    assert (event.action, event.object_type, event.object_id, event.actor) == (
        "created", "staff", str(created.pk), "admin")
    assert event.data["via"]["channel"] == "web"
    assert event.data["password_set"] is True
    assert event.data["changes"]["role"] == [None, "caseworker"]
    assert event.data["changes"]["units"] == [None, ["A"]]
    assert event.data["changes"]["clearance"] == [None, 1]
    assert event.data["changes"]["permissions"] == [None, ["reopen_casefile"]]
    assert PASSWORD not in json.dumps(event.data) and PASSWORD not in event.hash
    profile = StaffProfile.objects.get(user=created)
    assert (profile.role, profile.clearance) == ("caseworker", 1)
    assert created.get_full_name() == "Lea Leitner"
    assert created.has_perm("archive.reopen_casefile")
    assert not created.has_perm("archive.share_casefile")
    # The new person signs in with the initial password and is listed.
    assert Client().login(username="leitung-a", password=PASSWORD)
    listing = _body(client.get("/verwaltung/benutzer/", follow=True))
    assert "leitung-a" in listing and "Lea Leitner" in listing


def test_a_duplicate_username_keeps_the_form_and_says_why(demo):
    client = _client()
    with _Count() as written:
        response = client.post("/verwaltung/benutzer/anlegen",
                               _new_user_data(username="Sachbearbeitung-A"))
    assert response.status_code == 400
    body = _body(response)
    assert "gibt es schon" in body and "USER_NAME_TAKEN" in body
    assert 'value="Sachbearbeitung-A"' in body and 'value="Lea"' in body
    assert PASSWORD not in body  # a password is never sent back
    assert written.events == []
    assert get_user_model().objects.filter(username__iexact="sachbearbeitung-a").count() == 1


@pytest.mark.parametrize("overrides, field_text", [
    ({"password": "kurz", "password_repeat": "kurz"}, "PASSWORD_INVALID"),
    ({"password_repeat": "etwas-anderes-lang"}, "stimmen nicht überein"),
    ({"username": "mit leerzeichen"}, "USER_NAME_INVALID"),
    ({"units": ["Z"]}, "Z"),
    ({"role": "chef"}, "chef"),
])
def test_bad_user_input_is_refused_in_german_without_an_event(demo, overrides, field_text):
    client = _client()
    with _Count() as written:
        response = client.post("/verwaltung/benutzer/anlegen", _new_user_data(**overrides))
    assert response.status_code == 400
    assert field_text in _body(response)
    assert 'class="errorlist' in _body(response)
    assert written.events == []
    assert not get_user_model().objects.filter(
        username__in=["leitung-a", "mit leerzeichen"]).exists()


def test_the_administrator_changes_role_units_clearance_and_permissions_in_one_event(demo):
    client = _client()
    target = user("sachbearbeitung-b")
    page = _body(client.get(f"/verwaltung/benutzer/{target.pk}/"))
    assert 'value="B" id="id_units_1" checked' in page or re.search(
        r'value="B"[^>]*checked', page)
    with _Count() as written:
        response = client.post(f"/verwaltung/benutzer/{target.pk}/speichern", {
            "role": "caseworker", "units": ["A", "B"], "clearance": "2",
            "permissions": ["share_casefile", "view_unredacted"], "last_name": "Berger"})
    assert response.status_code == 302
    [event] = written.events
    assert (event.action, event.object_type, event.actor) == ("changed", "staff", "admin")
    assert event.data["changes"] == {
        "last_name": ["", "Berger"], "units": [["B"], ["A", "B"]], "clearance": [0, 2],
        "permissions": [[], ["share_casefile", "view_unredacted"]]}
    assert event.data["password_set"] is False
    target = user("sachbearbeitung-b")
    assert sorted(target.staff_profile.units.values_list("code", flat=True)) == ["A", "B"]
    assert target.has_perm("archive.view_unredacted")
    # Taking a permission away again: one more event, the permission is gone.
    with _Count() as again:
        client.post(f"/verwaltung/benutzer/{target.pk}/speichern", {
            "role": "caseworker", "units": ["B"], "clearance": "0", "last_name": "Berger"})
    [event] = again.events
    assert event.data["changes"]["permissions"] == [["share_casefile", "view_unredacted"], []]
    assert not get_user_model().objects.get(pk=target.pk).has_perm("archive.view_unredacted")


def test_an_unchanged_user_form_writes_no_event(demo):
    client = _client()
    target = user("sachbearbeitung-a")
    with _Count() as written:
        response = client.post(f"/verwaltung/benutzer/{target.pk}/speichern",
                               {"role": "caseworker", "units": ["A"], "clearance": "0"})
    assert response.status_code == 302
    assert written.events == []


def test_a_new_password_is_set_and_recorded_without_itself(demo):
    client = _client()
    target = user("poststelle")
    with _Count() as written:
        client.post(f"/verwaltung/benutzer/{target.pk}/speichern", {
            "role": "mailroom", "clearance": "0", "password": PASSWORD,
            "password_repeat": PASSWORD})
    [event] = written.events
    assert event.data["password_set"] is True and event.data["changes"] == {}
    assert PASSWORD not in json.dumps(event.data)
    assert Client().login(username="poststelle", password=PASSWORD)
    history = _body(client.get(f"/verwaltung/benutzer/{target.pk}/"))
    assert "<td>Kennwort</td>" in history and PASSWORD not in history


def test_deactivating_a_user_ends_the_login_and_is_one_event_and_undone_by_another(demo):
    client = _client()
    target = user("sachbearbeitung-a")
    session = _client("sachbearbeitung-a")
    with _Count() as written:
        response = client.post(f"/verwaltung/benutzer/{target.pk}/status")
    assert response.status_code == 302
    [event] = written.events
    assert (event.action, event.actor, event.data["changes"]) == (
        "deactivated", "admin", {"active": [True, False]})
    assert not Client().login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    # The open session ends with its next request.
    assert session.get("/akten/").status_code == 302
    assert "deaktiviert" in _body(client.get(f"/verwaltung/benutzer/{target.pk}/"))
    with _Count() as again:
        client.post(f"/verwaltung/benutzer/{target.pk}/status")
    [event] = again.events
    assert event.action == "reactivated"
    assert Client().login(username="sachbearbeitung-a", password=DEMO_PASSWORD)


def test_the_administrator_cannot_lock_themselves_out(demo):
    client = _client()
    me = user("admin")
    with _Count() as written:
        refused = client.post(f"/verwaltung/benutzer/{me.pk}/status", follow=True)
        demoted = client.post(f"/verwaltung/benutzer/{me.pk}/speichern",
                              {"role": "caseworker", "clearance": "0"})
    assert "USER_SELF_DEACTIVATE" in _body(refused)
    assert demoted.status_code == 403 and "USER_SELF_DEMOTE" in _body(demoted)
    assert 'name="role"' in _body(demoted)  # the form is kept
    assert written.events == []
    me = user("admin")
    assert me.is_active and me.staff_profile.role == Role.ADMINISTRATOR


def test_an_unknown_user_is_a_plain_404(demo):
    client = _client()
    assert client.get("/verwaltung/benutzer/987654/").status_code == 404
    assert client.post("/verwaltung/benutzer/987654/status").status_code == 404


# --- the one-time link to set a password -------------------------------------------------

def _link_from(page: str) -> str:
    [url] = re.findall(r'id="password-link" type="text" readonly size="80" value="([^"]+)"',
                       page)
    return url.replace("http://testserver", "")


def test_a_user_created_without_password_sets_it_through_a_one_time_link(demo):
    client = _client()
    with _Count() as written:
        response = client.post("/verwaltung/benutzer/anlegen",
                               _new_user_data(password="", password_repeat=""))
    created = user("leitung-a")
    assert response.status_code == 302
    assert response["Location"] == f"/verwaltung/benutzer/{created.pk}/"
    [event] = written.events
    assert (event.action, event.data["password_set"], event.data["password_link"]) == (
        "created", False, True)
    assert not created.has_usable_password()
    page = _body(client.get(response["Location"]))
    link = _link_from(page)
    assert "Die Person wurde angelegt." in page
    # Shown once, never written down.
    assert "password-link" not in _body(client.get(response["Location"]))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert not any(token in json.dumps(e.data) for e in Event.objects.all())

    newcomer = Client()
    form = newcomer.get(link)
    assert form.status_code == 200 and "leitung-a" in _body(form)
    save = link + "speichern"
    short = newcomer.post(save, {"password": "kurz", "password_repeat": "kurz"})
    assert short.status_code == 400 and "PASSWORD_INVALID" in _body(short)
    mismatch = newcomer.post(save, {"password": PASSWORD, "password_repeat": PASSWORD + "x"})
    assert mismatch.status_code == 400 and "stimmen nicht überein" in _body(mismatch)
    with _Count() as set_by_person:
        done = newcomer.post(save, {"password": PASSWORD, "password_repeat": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/anmelden/"
    [event] = set_by_person.events
    assert (event.action, event.object_id, event.actor) == ("password_set", str(created.pk),
                                                           "leitung-a")
    assert PASSWORD not in json.dumps(event.data)
    assert Client().login(username="leitung-a", password=PASSWORD)
    # Used once: the same link no longer works, and says so in German.
    with _Count() as again:
        reused = newcomer.post(save, {"password": "noch-ein-kennwort-9",
                                      "password_repeat": "noch-ein-kennwort-9"})
    assert reused.status_code == 400
    assert "ungültig, abgelaufen oder schon benutzt" in _body(reused)
    assert "PASSWORD_LINK_INVALID" in _body(reused)
    assert again.events == []
    assert newcomer.get(link).status_code == 400


def test_a_new_link_ends_the_old_password_and_earlier_links(demo):
    client = _client()
    target = user("poststelle")
    with _Count() as written:
        response = client.post(f"/verwaltung/benutzer/{target.pk}/kennwort-link")
    assert response.status_code == 302
    [event] = written.events
    assert (event.action, event.actor) == ("password_link_issued", "admin")
    first = _link_from(_body(client.get(response["Location"])))
    assert not Client().login(username="poststelle", password=DEMO_PASSWORD)
    second_response = client.post(f"/verwaltung/benutzer/{target.pk}/kennwort-link")
    second = _link_from(_body(client.get(second_response["Location"])))
    assert first != second
    assert Client().get(first).status_code == 400
    assert Client().post(second + "speichern", {"password": PASSWORD,
                                                "password_repeat": PASSWORD}).status_code == 302
    assert Client().login(username="poststelle", password=PASSWORD)


@pytest.mark.parametrize("path", ["/kennwort-setzen/MQ/falsch/", "/kennwort-setzen/xx/yy/",
                                  "/kennwort-setzen/OTk5OTk/abc-def/"])
def test_a_wrong_link_is_refused_alike_whether_or_not_the_person_exists(demo, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert "PASSWORD_LINK_INVALID" in _body(response)


# --- organisation units --------------------------------------------------------------------

def test_the_administrator_creates_and_renames_a_unit_with_one_event_each(demo):
    client = _client()
    assert client.get("/verwaltung/organisationseinheiten/neu/").status_code == 200
    with _Count() as written:
        response = client.post("/verwaltung/organisationseinheiten/anlegen",
                               {"code": "C", "name": "Sachgebiet C – Eingliederungshilfe"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="C")
    [event] = written.events
    assert (event.action, event.object_type, event.object_id, event.actor) == (
        "created", "unit", str(unit.pk), "admin")
    assert event.data["name"] == "Sachgebiet C – Eingliederungshilfe"
    # The new unit can be given to a person at once.
    assert "Sachgebiet C" in _body(client.get("/verwaltung/benutzer/neu/"))
    with _Count() as renamed:
        client.post(f"/verwaltung/organisationseinheiten/{unit.pk}/speichern",
                    {"code": "C1", "name": "Eingliederungshilfe"})
    [event] = renamed.events
    assert event.data["changes"] == {"code": ["C", "C1"],
                                     "name": ["Sachgebiet C – Eingliederungshilfe",
                                              "Eingliederungshilfe"]}
    with _Count() as unchanged:
        client.post(f"/verwaltung/organisationseinheiten/{unit.pk}/speichern",
                    {"code": "C1", "name": "Eingliederungshilfe"})
    assert unchanged.events == []
    # The edit page shows the unit's history from the trail, in German and local time.
    page = _body(client.get(f"/verwaltung/organisationseinheiten/{unit.pk}/"))
    history = page.split('id="history-heading"')[1]
    assert history.index("geändert") < history.index("angelegt")
    assert "<td>Bezeichnung, Kürzel</td>" in history and "<td>admin</td>" in history
    local = timezone.localtime(event.at).strftime("%d.%m.%Y %H:%M")
    assert local in history


@pytest.mark.parametrize("data, code", [({"code": "a", "name": "Doppelt"}, "UNIT_CODE_TAKEN"),
                                        ({"code": "mit leer", "name": "X"}, "UNIT_CODE_INVALID"),
                                        ({"code": "D", "name": "  "}, "")])
def test_a_bad_unit_keeps_the_form_and_says_why(demo, data, code):
    client = _client()
    with _Count() as written:
        response = client.post("/verwaltung/organisationseinheiten/anlegen", data)
    assert response.status_code == 400
    body = _body(response)
    assert code in body and 'class="errorlist' in body
    assert f'value="{data["code"]}"' in body
    assert written.events == []
    assert Unit.objects.count() == 2


def test_renaming_a_unit_to_a_taken_code_is_refused(demo):
    client = _client()
    unit_b = demo["B"].unit
    response = client.post(f"/verwaltung/organisationseinheiten/{unit_b.pk}/speichern",
                           {"code": "A", "name": "Sachgebiet B"})
    assert response.status_code == 400 and "UNIT_CODE_TAKEN" in _body(response)
    assert "schon vergeben" in _body(response)
    assert Unit.objects.get(pk=unit_b.pk).code == "B"


# --- document types ------------------------------------------------------------------------

def test_the_administrator_adds_and_edits_a_document_type_with_one_event_each(demo):
    client = _client()
    with _Count() as written:
        response = client.post("/verwaltung/dokumenttypen/anlegen", {
            "key": "kita-beitrag", "name": "Kita-Beitragsbescheid",
            "process_name": "Elternbeiträge", "rule": r"Elternbeitr(a|ä)g",
            "rule_is_regex": "on", "priority": "55", "active": "on"})
    assert response.status_code == 302
    added = DocumentType.objects.get(key="kita-beitrag")
    assert (added.rule_is_regex, added.priority, added.process_name) == (
        True, 55, "Elternbeiträge")
    [event] = written.events
    assert (event.action, event.object_type, event.actor) == ("created", "document_type",
                                                              "admin")
    with _Count() as edited:
        client.post(f"/verwaltung/dokumenttypen/{added.pk}/speichern", {
            "name": "Kita-Beitragsbescheid", "process_name": "Kita", "rule": "Elternbeitrag, Kita",
            "priority": "55"})
    [event] = edited.events
    assert event.data["changes"] == {
        "process_name": ["Elternbeiträge", "Kita"],
        "rule": [r"Elternbeitr(a|ä)g", "Elternbeitrag, Kita"], "rule_is_regex": [True, False],
        "active": [True, False]}
    added.refresh_from_db()
    assert added.rule_words() == ["Elternbeitrag", "Kita"] and not added.active


@pytest.mark.parametrize("url_kind", ["create", "update"])
def test_an_invalid_regex_is_refused_in_german_and_the_form_is_kept(demo, url_kind):
    client = _client()
    antrag = DocumentType.objects.get(key="antrag")
    data = {"key": "neuer-typ", "name": "Neuer Typ", "rule": "Antrag (auf", "rule_is_regex": "on",
            "priority": "0", "active": "on"}
    url = ("/verwaltung/dokumenttypen/anlegen" if url_kind == "create"
           else f"/verwaltung/dokumenttypen/{antrag.pk}/speichern")
    with _Count() as written:
        response = client.post(url, data)
    assert response.status_code == 400
    body = _body(response)
    assert "kein gültiger regulärer Ausdruck" in body and "DOCUMENT_TYPE_RULE_INVALID" in body
    assert "Antrag (auf</textarea>" in body
    assert written.events == []
    assert not DocumentType.objects.filter(key="neuer-typ").exists()
    assert DocumentType.objects.get(pk=antrag.pk).rule == antrag.rule


def test_a_duplicate_document_type_key_is_refused(demo):
    response = _client().post("/verwaltung/dokumenttypen/anlegen",
                              {"key": "antrag", "name": "Noch ein Antrag", "priority": "0"})
    assert response.status_code == 400 and "DOCUMENT_TYPE_KEY_TAKEN" in _body(response)
    assert 'value="Noch ein Antrag"' in _body(response)


# --- the file plan's entries ---------------------------------------------------------------

def test_the_administrator_retitles_a_file_plan_entry_with_one_event(demo):
    client = _client()
    plan = FilePlanUnit.objects.get(code="50.30.1")
    assert 'value="Einzelfälle"' in _body(client.get(f"/aktenplan/{plan.pk}/"))
    with _Count() as written:
        response = client.post(f"/aktenplan/{plan.pk}/speichern",
                               {"title": "Einzelfälle der Grundsicherung"})
    assert response.status_code == 302
    [event] = written.events
    assert (event.action, event.object_type, event.actor, event.data["changes"]) == (
        "changed", "plan_unit", "admin",
        {"title": ["Einzelfälle", "Einzelfälle der Grundsicherung"]})
    empty = client.post(f"/aktenplan/{plan.pk}/speichern", {"title": "   "})
    assert empty.status_code == 400 and 'class="errorlist' in _body(empty)
    assert FilePlanUnit.objects.get(pk=plan.pk).title == "Einzelfälle der Grundsicherung"


# --- sorting and paging ----------------------------------------------------------------------

def _first_cells(body: str) -> list[str]:
    return re.findall(r'<tr>\s*<td><a href="/verwaltung/organisationseinheiten/\d+/">([^<]+)</a>',
                      body)


def test_lists_are_paged_and_sorted_by_a_column(demo):
    for number in range(30):
        Unit.objects.create(code=f"U{number:02d}", name=f"Einheit {29 - number:02d}")
    client = _client()
    first = _body(client.get("/verwaltung/organisationseinheiten/"))
    assert _first_cells(first)[:3] == ["A", "B", "U00"] and len(_first_cells(first)) == 25
    assert "Seite 1 von 2" in first and '?sortierung=kuerzel&amp;seite=2' in first
    second = _body(client.get("/verwaltung/organisationseinheiten/",
                              {"sortierung": "kuerzel", "seite": "2"}))
    assert _first_cells(second) == [f"U{n:02d}" for n in range(23, 30)]
    by_name = _body(client.get("/verwaltung/organisationseinheiten/",
                               {"sortierung": "-bezeichnung"}))
    assert _first_cells(by_name)[:2] == ["B", "A"]  # "Sachgebiet B" sorts after "Einheit …"
    assert 'aria-sort="descending"' in by_name
    # Unknown sort keys and pages fall back instead of failing.
    assert client.get("/verwaltung/organisationseinheiten/",
                      {"sortierung": "password", "seite": "x"}).status_code == 200


def test_the_user_list_makes_no_more_queries_as_it_grows(demo):
    client = _client()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/verwaltung/benutzer/").status_code == 200
        return len(captured)

    few = queries()
    model = get_user_model()
    units = list(Unit.objects.all())
    for number in range(20):
        person = model.objects.create_user(username=f"person-{number}", password=PASSWORD)
        StaffProfile.objects.create(user=person, role=Role.CASEWORKER).units.set(units)
    assert queries() == few


def test_a_change_without_the_csrf_token_is_refused(demo):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with _Count() as written:
        response = client.post("/verwaltung/organisationseinheiten/anlegen",
                               {"code": "C", "name": "Sachgebiet C"})
    assert response.status_code == 403
    assert written.events == [] and not Unit.objects.filter(code="C").exists()
