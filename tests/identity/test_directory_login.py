"""Directory login against a real slapd (tests/identity/conftest.py): staff sign in through
the real login page with their directory password; their groups decide role and units; whom
the directory does not vouch for (wrong password, no mapped group, locked, removed from the
groups) does not get in, or is signed out at the next check."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive.actors import actor_for_user
from archive.errors import InvalidInput
from archive.models import Event, Role, StaffProfile
from archive.services.events import events_verify
from archive.services.staff import user_password_link, user_update
from config.directory import auth_ldap_settings
from tests.conftest import DEMO_PASSWORD, user
from tests.second_factor import code_for

from .conftest import (
    GROUPS,
    PEOPLE,
    PERSONS,
    ROLE_CASEWORKER,
    SERVICE_DN,
    SERVICE_PASSWORD,
    UNIT_A,
    UNIT_B,
    UNMAPPED,
    person_dn,
)

pytestmark = pytest.mark.django_db

NO_ROLE_TEXT = "gehört zu keiner Gruppe, der die Registratur eine Rolle zuordnet"


def _login(uid: str, password: str | None = None) -> tuple[Client, object]:
    client = Client()
    response = client.post("/anmelden/", {"username": uid,
                                          "password": password or PERSONS[uid][2]})
    return client, response


def _profile(uid: str) -> StaffProfile:
    return StaffProfile.objects.select_related("user").get(user__username=uid)


def _units(uid: str) -> list[str]:
    return sorted(_profile(uid).units.values_list("code", flat=True))


def test_directory_groups_give_role_units_and_names(demo, ldap_settings):
    client, response = _login("anna")
    assert response.status_code == 302 and response["Location"] == "/"
    profile = _profile("anna")
    assert profile.role == Role.CASEWORKER
    assert _units("anna") == ["A"]  # in the unmapped group too, which changes nothing
    assert profile.directory_dn == person_dn("anna")
    assert (profile.user.first_name, profile.user.last_name, profile.user.email) == (
        "Anna", "Berg", "anna@musterstadt.example")
    assert not profile.user.has_usable_password()
    assert client.get("/").status_code == 200
    # The administrative event names the directory as who acted, and the groups that decided.
    created = Event.objects.get(object_type="staff", action="created",
                                object_id=str(profile.user.pk))
    assert created.actor == "directory"
    assert created.data["source"] == "directory"
    assert created.data["changes"]["role"] == [None, "caseworker"]
    assert created.data["changes"]["units"] == [None, ["A"]]
    assert {dn.lower().replace(" ", "") for dn in created.data["groups"]} == {
        ROLE_CASEWORKER.lower(), UNIT_A.lower()}
    assert Event.objects.filter(action="login", actor="anna").count() == 1
    # A second login with nothing changed in the directory changes nothing here.
    _login("anna")
    assert Event.objects.filter(object_type="staff", object_id=str(profile.user.pk)).count() == 1
    assert events_verify().ok


def test_the_first_listed_role_group_wins(demo, ldap_settings):
    _client, response = _login("dora")
    assert response.status_code == 302
    assert _profile("dora").role == Role.ADMINISTRATOR
    assert _units("dora") == []


def test_a_wrong_password_is_refused(demo, ldap_settings):
    _client, response = _login("anna", password="falsch-falsch-9")
    assert response.status_code == 200
    assert "Benutzername oder Kennwort ist falsch." in response.content.decode()
    assert not get_user_model().objects.filter(username="anna").exists()
    failed = Event.objects.get(action="login_failed")
    assert failed.data["attempted_username"] == "anna" and "code" not in failed.data


def test_a_person_in_no_mapped_group_cannot_sign_in(demo, ldap_settings):
    _client, response = _login("carla")
    assert response.status_code == 200
    page = response.content.decode()
    assert NO_ROLE_TEXT in page and "Kennwort ist falsch" not in page
    assert not get_user_model().objects.filter(username="carla").exists()
    failed = Event.objects.get(action="login_failed")
    assert failed.data["code"] == "DIRECTORY_NO_ROLE"
    assert not Event.objects.filter(action="login").exists()


def test_a_locked_directory_account_can_no_longer_sign_in(demo, ldap_settings, directory):
    _client, response = _login("bernd")
    assert response.status_code == 302
    directory.lock("bernd")  # ppolicy: the directory itself now refuses the password
    _client, response = _login("bernd")
    assert response.status_code == 200
    assert "Benutzername oder Kennwort ist falsch." in response.content.decode()
    assert Event.objects.filter(action="login", actor="bernd").count() == 1
    assert Event.objects.filter(action="login_failed").count() == 1


def test_a_session_ends_when_the_directory_withdraws_every_group(demo, ldap_settings,
                                                                 directory, settings):
    settings.LDAP_RECHECK_SECONDS = 0  # every request asks the directory again
    client, response = _login("anna")
    assert response.status_code == 302
    case_a = demo["A"]
    assert client.get(f"/akten/{case_a.pk}/").status_code == 200
    directory.remove_member(ROLE_CASEWORKER, "anna")
    response = client.get(f"/akten/{case_a.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/anmelden/")
    login_page = client.get(response["Location"]).content.decode()
    assert "bestätigt Ihr Konto nicht mehr" in login_page
    assert client.get(f"/akten/{case_a.pk}/").status_code == 302
    # The account keeps its name in the trail but loses its units, in a logged step.
    assert _units("anna") == []
    withdrawn = Event.objects.filter(object_type="staff", action="changed").latest("seq")
    assert withdrawn.actor == "directory" and withdrawn.data["reason"] == "DIRECTORY_NO_ROLE"
    assert withdrawn.data["changes"]["units"] == [["A"], []]
    assert Event.objects.filter(action="logout", actor="anna").exists()
    # And the password alone no longer opens it.
    _client, response = _login("anna")
    assert NO_ROLE_TEXT in response.content.decode()


def test_a_session_ends_when_the_account_is_locked_and_the_filter_excludes_locked(
        demo, ldap_settings, directory, settings):
    """OpenLDAP with ppolicy: the user filter leaves out locked accounts, so the service
    account's check finds the person no more (the AD filter does the same with
    userAccountControl)."""
    from django_auth_ldap.config import LDAPSearch

    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(
        "ou=people,dc=musterstadt,dc=example", 2, "(&(uid=%(user)s)(!(pwdAccountLockedTime=*)))")
    settings.LDAP_RECHECK_SECONDS = 0
    client, response = _login("bernd")
    assert response.status_code == 302
    case_b = demo["B"]
    assert client.get(f"/akten/{case_b.pk}/").status_code == 200
    directory.lock("bernd")
    assert client.get(f"/akten/{case_b.pk}/").status_code == 302


def test_role_and_units_follow_the_directory_at_the_next_login(demo, ldap_settings, directory):
    _login("anna")
    directory.remove_member(UNIT_A, "anna")
    directory.add_member(UNIT_B, "anna")
    _client, response = _login("anna")
    assert response.status_code == 302
    assert _units("anna") == ["B"]
    changed = Event.objects.filter(object_type="staff", action="changed").latest("seq")
    assert changed.actor == "directory"
    assert changed.data["changes"]["units"] == [["A"], ["B"]]


def test_a_person_of_another_unit_sees_nothing_of_unit_a(demo, ldap_settings):
    anna, _ = _login("anna")
    bernd, _ = _login("bernd")
    case_a, case_b = demo["A"], demo["B"]
    assert anna.get(f"/akten/{case_a.pk}/").status_code == 200
    assert bernd.get(f"/akten/{case_b.pk}/").status_code == 200
    denied = bernd.get(f"/akten/{case_a.pk}/")
    unknown = bernd.get("/akten/999999/")
    assert denied.status_code == unknown.status_code == 404
    assert case_a.file_reference not in bernd.get("/").content.decode()


def test_a_directory_account_has_no_local_password(demo, ldap_settings):
    _login("anna")
    anna = user("anna")
    admin = actor_for_user(user("admin"))
    with pytest.raises(InvalidInput) as refused:
        user_update(actor=admin, user=anna, password="ein-lokales-kennwort-1")
    assert refused.value.code == "DIRECTORY_ACCOUNT"
    with pytest.raises(InvalidInput):
        user_password_link(actor=admin, user=anna)
    # Even a password put into the database behind the services' back does not open it.
    anna.set_password("ein-lokales-kennwort-1")
    anna.save()
    _client, response = _login("anna", password="ein-lokales-kennwort-1")
    assert response.status_code == 200
    _client, response = _login("anna")
    assert response.status_code == 302


def test_a_local_account_of_the_same_name_is_not_taken_over(demo, ldap_settings):
    _client, response = _login("sachbearbeitung-a")  # the directory's password
    assert response.status_code == 200
    assert "Konto der Registratur selbst" in response.content.decode()
    assert _profile("sachbearbeitung-a").directory_dn == ""
    _client, response = _login("sachbearbeitung-a", password=DEMO_PASSWORD)
    assert response.status_code == 302  # the local password still works


def test_a_deactivated_directory_account_loses_its_session(demo, ldap_settings):
    from archive.services.staff import user_deactivate

    client, _ = _login("anna")
    assert client.get("/").status_code == 200
    user_deactivate(actor=actor_for_user(user("admin")), user=user("anna"))
    assert client.get("/").status_code == 302
    _client, response = _login("anna")
    assert response.status_code == 200


def test_unit_b_group_in_a_list_maps_too(demo, ldap_settings):
    _login("bernd")
    assert _units("bernd") == ["B"]
    assert UNMAPPED not in str(Event.objects.filter(object_type="staff").values_list("data"))


def test_role_and_units_of_a_directory_account_are_changed_in_the_directory(demo,
                                                                            ldap_settings):
    _login("anna")
    anna = user("anna")
    admin_actor = actor_for_user(user("admin"))
    with pytest.raises(InvalidInput) as refused:
        user_update(actor=admin_actor, user=anna, units=["B"])
    assert refused.value.code == "DIRECTORY_MANAGED"
    with pytest.raises(InvalidInput):
        user_update(actor=admin_actor, user=anna, role=Role.ADMINISTRATOR)
    assert _units("anna") == ["A"] and _profile("anna").role == Role.CASEWORKER
    # What the directory does not decide stays the administration's.
    user_update(actor=admin_actor, user=anna, role=Role.CASEWORKER, units=["A"], clearance=2)
    assert _profile("anna").clearance == 2
    admin = Client()
    admin.post("/anmelden/", {"username": "admin", "password": DEMO_PASSWORD})
    # The administrator's second factor (tests/second_factor.py).
    admin.post("/anmelden/zweiter-faktor/pruefen", {"code": code_for("admin")})
    page = admin.get(f"/verwaltung/benutzer/{anna.pk}/").content.decode()
    assert "Konto im Verzeichnis der Stadt" in page and person_dn("anna") in page
    assert "Link zum Setzen des Kennworts ausstellen" not in page


def test_an_unreachable_directory_is_told_and_local_accounts_still_sign_in(demo,
                                                                           ldap_settings):
    from .conftest import _free_port

    ldap_settings.AUTH_LDAP_SERVER_URI = f"ldap://127.0.0.1:{_free_port()}/"  # nobody there
    _client, response = _login("anna")
    assert response.status_code == 200
    assert "Das Verzeichnis der Stadt ist gerade nicht erreichbar" in response.content.decode()
    assert Event.objects.get(action="login_failed").data["code"] == "DIRECTORY_UNAVAILABLE"
    _client, response = _login("sachbearbeitung-a", password=DEMO_PASSWORD)
    assert response.status_code == 302


def test_start_tls_with_the_city_s_ca(demo, settings, directory_tls):
    """A directory that speaks only TLS: with StartTLS and its CA the login works; without
    StartTLS the directory refuses, and nobody gets in."""
    for key, value in directory_tls.settings().items():
        setattr(settings, key, value)
    _client, response = _login("anna")
    assert response.status_code == 302 and _units("anna") == ["A"]
    settings.AUTH_LDAP_START_TLS = False
    _client, response = _login("bernd")
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="bernd").exists()


def test_nested_groups_count_only_with_the_nested_group_type(demo, settings, directory):
    """Erik is in a team that is itself in the caseworkers' and unit A's groups (as AD's
    nested security groups are): groupOfNames sees only the team, nestedGroupOfNames more."""
    for key, value in directory.settings().items():
        setattr(settings, key, value)
    _client, response = _login("erik")
    assert NO_ROLE_TEXT in response.content.decode()
    nested = auth_ldap_settings(uri=directory.uri, bind_dn=SERVICE_DN,
                                bind_password=SERVICE_PASSWORD, user_base=PEOPLE,
                                user_filter="(uid=%(user)s)", group_base=GROUPS,
                                group_type="nestedGroupOfNames")
    settings.AUTH_LDAP_GROUP_TYPE = nested["AUTH_LDAP_GROUP_TYPE"]
    _client, response = _login("erik")
    assert response.status_code == 302
    assert _profile("erik").role == Role.CASEWORKER and _units("erik") == ["A"]
