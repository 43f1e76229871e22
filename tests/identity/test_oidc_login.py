"""OpenID Connect login against a real provider (npm oidc-provider, tests/identity/oidc.py):
the authorization-code flow with PKCE, driven through the Registratur's own pages; the groups
claim decides role and units; whom the provider does not put in a mapped group, a deactivated
account, a local account of the same name and another subject claiming a known name are
refused with their code, in the trail and on the login page. The second factor of the
administrator stays the Registratur's unless the city trusts the provider's (OIDC_MFA_AMR)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive.actors import actor_for_user, system_actor
from archive.errors import InvalidInput, PermissionDenied
from archive.models import Event, Role, StaffProfile
from archive.services.events import events_verify
from archive.services.staff import user_deactivate, user_directory_sync, user_password_link
from config.oidc import oidc_settings
from tests.conftest import user

from .oidc import (
    CLIENT_ID,
    PROVIDER_NAME,
    REDIRECT_URI,
    ROLE_CASEWORKER,
    UNIT_A,
    UNMAPPED,
    at_provider,
    back_at_registratur,
)

pytestmark = pytest.mark.django_db

NO_ROLE_TEXT = "gehört zu keiner Gruppe, der die Registratur eine Rolle zuordnet"


def _sign_in(login: str, **kwargs) -> tuple[Client, object]:
    client = Client()
    return client, back_at_registratur(client, at_provider(client, login, **kwargs))


def _profile(username: str) -> StaffProfile:
    return StaffProfile.objects.select_related("user").get(user__username=username)


def _units(username: str) -> list[str]:
    return sorted(_profile(username).units.values_list("code", flat=True))


def _refusal_page(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/anmelden/"
    return client.get("/anmelden/").content.decode()


def test_the_login_page_offers_the_provider_only_when_configured(demo, settings, oidc_provider):
    page = Client().get("/anmelden/").content.decode()
    assert "Anmelden mit" not in page
    assert Client().get("/anmelden/oidc/").status_code == 404
    assert Client().get("/anmelden/oidc/rueckruf/?code=x&state=y").status_code == 404
    for key, value in oidc_provider.settings().items():
        setattr(settings, key, value)
    page = Client().get("/anmelden/").content.decode()
    assert f"Anmelden mit {PROVIDER_NAME}" in page and 'href="/anmelden/oidc/"' in page


def test_a_half_configured_provider_is_refused_at_start(oidc_provider):
    settings = oidc_provider.settings()
    complete = {
        "issuer": settings["OIDC_OP_ISSUER"],
        "client_id": CLIENT_ID,
        "client_secret": settings["OIDC_RP_CLIENT_SECRET"],
        "authorization_endpoint": settings["OIDC_OP_AUTHORIZATION_ENDPOINT"],
        "token_endpoint": settings["OIDC_OP_TOKEN_ENDPOINT"],
        "userinfo_endpoint": settings["OIDC_OP_USER_ENDPOINT"],
        "jwks_endpoint": settings["OIDC_OP_JWKS_ENDPOINT"],
        "provider_name": "",
    }
    assert oidc_settings(**complete)["OIDC_PROVIDER_NAME"] == "Anmeldedienst der Stadt"
    with pytest.raises(ValueError, match="REGISTRATUR_OIDC_JWKS_ENDPOINT"):
        oidc_settings(**{**complete, "jwks_endpoint": ""})


def test_the_groups_claim_gives_role_units_and_names(demo, oidc_on, oidc_provider):
    client = Client()
    attempt = at_provider(client, "anna")
    # The authorization request: code flow, our redirect URI, a nonce and PKCE (S256).
    query = parse_qs(urlsplit(attempt.authorization_url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["nonce"] and query["state"]
    response = back_at_registratur(client, attempt)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    profile = _profile("anna")
    assert profile.role == Role.CASEWORKER
    assert _units("anna") == ["A"]  # in the unmapped group too, which changes nothing
    assert profile.directory_dn == f"oidc:{oidc_provider.issuer}#5f1c-anna"
    assert (profile.user.first_name, profile.user.last_name, profile.user.email) == (
        "Anna",
        "Berg",
        "anna@musterstadt.example",
    )
    assert not profile.user.has_usable_password()
    created = Event.objects.get(
        object_type="staff", action="created", object_id=str(profile.user.pk)
    )
    assert created.actor == "oidc" and created.data["source"] == "oidc"
    assert created.data["changes"]["role"] == [None, "caseworker"]
    assert created.data["changes"]["units"] == [None, ["A"]]
    assert sorted(created.data["groups"]) == sorted([ROLE_CASEWORKER, UNIT_A])
    login = Event.objects.get(action="login", actor="anna")
    assert login.data["method"] == "oidc"
    # A second login with nothing changed at the provider changes nothing here.
    _client, response = _sign_in("anna")
    assert response.status_code == 302 and response["Location"] == "/"
    assert Event.objects.filter(object_type="staff", object_id=str(profile.user.pk)).count() == 1
    assert Event.objects.filter(action="login", actor="anna").count() == 2
    assert events_verify().ok
    # The administration's page names the sign-in service, not the directory, and offers
    # no password link.
    admin = Client()
    admin.force_login(user("admin"))  # with the second factor (tests/second_factor.py)
    page = admin.get(f"/verwaltung/benutzer/{profile.user.pk}/").content.decode()
    assert "Konto beim Anmeldedienst (OpenID Connect)" in page
    assert profile.directory_dn in page
    assert "Konto im Verzeichnis der Stadt" not in page
    assert "Link zum Setzen des Kennworts ausstellen" not in page


def test_the_first_listed_role_group_wins(demo, oidc_on):
    # Dora is in the caseworkers' group too; the administrators' is listed first.
    client, response = _sign_in("dora")
    assert response.status_code == 302
    assert _profile("dora").role == Role.ADMINISTRATOR and _units("dora") == []


def test_a_person_in_no_mapped_group_is_refused(demo, oidc_on):
    client, response = _sign_in("carla")
    page = _refusal_page(client, response)
    assert NO_ROLE_TEXT in page and "OIDC_NO_ROLE" in page
    assert not get_user_model().objects.filter(username="carla").exists()
    failed = Event.objects.get(action="login_failed")
    assert failed.data["code"] == "OIDC_NO_ROLE"
    assert failed.data["attempted_username"] == "carla"
    assert not Event.objects.filter(action="login").exists()
    assert client.get("/").status_code == 302  # not signed in


def test_removed_from_every_mapped_group_the_account_loses_its_units(demo, oidc_on, oidc_provider):
    _sign_in("anna")
    assert _units("anna") == ["A"]
    oidc_provider.change("5f1c-anna", groups=[UNMAPPED])
    client, response = _sign_in("anna")
    assert NO_ROLE_TEXT in _refusal_page(client, response)
    assert _units("anna") == []
    withdrawn = Event.objects.filter(object_type="staff", action="changed").latest("id")
    assert withdrawn.actor == "oidc" and withdrawn.data["reason"] == "OIDC_NO_ROLE"
    # Put back into the group, the person gets the unit again.
    oidc_provider.change("5f1c-anna", groups=[ROLE_CASEWORKER, UNIT_A])
    _client, response = _sign_in("anna")
    assert response["Location"] == "/" and _units("anna") == ["A"]


def test_a_deactivated_account_is_refused(demo, oidc_on):
    running, _response = _sign_in("bernd")
    assert running.get("/").status_code == 200
    user_deactivate(actor=actor_for_user(user("admin")), user=user("bernd"))
    assert running.get("/").status_code == 302  # the running session ends
    client, response = _sign_in("bernd")
    page = _refusal_page(client, response)
    assert "Ihr Konto in der Registratur ist deaktiviert" in page
    assert "OIDC_ACCOUNT_DISABLED" in page
    assert Event.objects.get(action="login_failed").data["code"] == "OIDC_ACCOUNT_DISABLED"
    assert Event.objects.filter(action="login", actor="bernd").count() == 1


def test_a_person_locked_at_the_provider_does_not_get_back(demo, oidc_on, oidc_provider):
    oidc_provider.change("5f1c-bernd", disabled=True)
    attempt = at_provider(Client(), "bernd")
    assert attempt.callback is None and "Anmeldung abgelehnt" in attempt.provider_page
    assert not get_user_model().objects.filter(username="bernd").exists()


def test_a_local_account_of_the_same_name_is_not_taken_over(demo, oidc_on):
    local = user("sachbearbeitung-a")
    client, response = _sign_in("sara")
    page = _refusal_page(client, response)
    assert "OIDC_LOCAL_ACCOUNT" in page
    assert Event.objects.get(action="login_failed").data["code"] == "OIDC_LOCAL_ACCOUNT"
    local.refresh_from_db()
    assert local.has_usable_password() and _profile("sachbearbeitung-a").directory_dn == ""


def test_another_subject_cannot_take_over_a_known_name(demo, oidc_on):
    _sign_in("anna")
    client, response = _sign_in("anna2")  # another account at the provider, named "anna"
    page = _refusal_page(client, response)
    assert "OIDC_OTHER_ACCOUNT" in page
    assert _units("anna") == ["A"] and _profile("anna").user.last_name == "Berg"
    assert Event.objects.get(action="login_failed").data["code"] == "OIDC_OTHER_ACCOUNT"


def test_a_failed_code_exchange_is_refused_and_logged(demo, oidc_on):
    oidc_on.OIDC_RP_CLIENT_SECRET = "nicht-das-richtige-geheimnis-0123456789"
    client, response = _sign_in("anna")
    page = _refusal_page(client, response)
    assert "OIDC_FAILED" in page and "fehlgeschlagen" in page
    assert Event.objects.get(action="login_failed").data["code"] == "OIDC_FAILED"
    assert not get_user_model().objects.filter(username="anna").exists()


def test_a_callback_cannot_be_replayed(demo, oidc_on):
    client = Client()
    attempt = at_provider(client, "anna")
    assert back_at_registratur(client, attempt)["Location"] == "/"
    # The same browser again: its state is used up.
    assert back_at_registratur(client, attempt).status_code == 400
    # Another browser with the captured callback URL: no state of its own, no session.
    stranger = Client()
    response = back_at_registratur(stranger, attempt)
    assert "OIDC_FAILED" in _refusal_page(stranger, response)
    assert stranger.get("/").status_code == 302
    assert Event.objects.filter(action="login").count() == 1
    assert Event.objects.get(action="login_failed").data["code"] == "OIDC_FAILED"


def test_the_administrator_still_needs_the_registraturs_second_factor(demo, oidc_on):
    client, response = _sign_in("dora", amr="pwd,otp")
    assert response["Location"] == "/"
    # No device yet and none trusted from the provider: only the setup page opens.
    assert client.get("/")["Location"].startswith("/konto/zweiter-faktor/")
    assert not Event.objects.filter(action="second_factor_verified").exists()


def test_the_providers_second_factor_counts_when_the_city_trusts_it(demo, oidc_on):
    oidc_on.OIDC_MFA_AMR = ["otp", "hwk"]
    client, response = _sign_in("dora", amr="pwd")  # a password alone is not enough
    assert client.get("/")["Location"].startswith("/konto/zweiter-faktor/")
    client, response = _sign_in("dora", amr="pwd,otp")
    assert client.get("/").status_code == 200
    verified = Event.objects.get(action="second_factor_verified")
    assert verified.actor == "dora"
    assert verified.data["source"] == "oidc" and verified.data["amr"] == ["otp"]


def test_a_person_of_another_unit_sees_nothing_of_unit_a(demo, oidc_on):
    anna, _ = _sign_in("anna")
    bernd, _ = _sign_in("bernd")
    case_a, case_b = demo["A"], demo["B"]
    assert anna.get(f"/akten/{case_a.pk}/").status_code == 200
    assert bernd.get(f"/akten/{case_b.pk}/").status_code == 200
    denied = bernd.get(f"/akten/{case_a.pk}/")
    unknown = bernd.get("/akten/999999/")
    assert denied.status_code == unknown.status_code == 404
    assert case_a.file_reference not in bernd.get("/").content.decode()


def test_an_oidc_account_has_no_password_and_ldap_does_not_take_it_over(demo, oidc_on):
    _sign_in("anna")
    anna = user("anna")
    with pytest.raises(InvalidInput) as refused:
        user_password_link(actor=actor_for_user(user("admin")), user=anna)
    assert refused.value.code == "DIRECTORY_ACCOUNT"
    # The directory login (acting as "directory") refuses an account the provider owns.
    with pytest.raises(PermissionDenied) as taken:
        user_directory_sync(
            actor=system_actor(name="directory"),
            username="anna",
            dn="uid=anna,ou=people,dc=musterstadt,dc=example",
            role="administrator",
            units=["B"],
        )
    assert taken.value.code == "DIRECTORY_OTHER_ACCOUNT"
    assert _profile("anna").role == Role.CASEWORKER and _units("anna") == ["A"]
