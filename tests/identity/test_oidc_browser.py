"""The OpenID Connect login in a real browser (Debian's Chromium): the button on the login
page, the provider's form, back to the Registratur signed in, and a refusal told on the login
page; both states of the login page and the administration's page of an OIDC account pass
axe-core like every page of the matrix."""

import os

import pytest
from django.urls import reverse

from tests.browser import CHROMIUM, browser  # noqa: F401  (the fixture)
from tests.conftest import user
from tests.e2e.test_accessibility import _session, _violations

from .oidc import ACCOUNTS, PROVIDER_NAME, start_provider

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium (Debian package "
        "chromium; scripts/ensure-system-packages --test installs it)",
    ),
    pytest.mark.skipif(
        bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
        reason="browser checks of the pages: run on the SQLite pass only",
    ),
]


@pytest.fixture
def provider_for_live_server(tmp_path, live_server, settings):
    # The redirect URI registered at the provider is the live server's callback.
    started = start_provider(tmp_path, f"{live_server.url}/anmelden/oidc/rueckruf/")
    provider = next(started)
    for key, value in provider.settings().items():
        setattr(settings, key, value)
    yield provider
    next(started, None)


def _through_provider(page, login: str) -> None:
    page.goto("/anmelden/")
    page.get_by_role("link", name=f"Anmelden mit {PROVIDER_NAME}").click()
    page.wait_for_selector("input[name=login]")
    account = next(a for a in ACCOUNTS.values() if a["login"] == login)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", account["password"])
    page.click("button")
    page.wait_for_load_state()


def test_the_oidc_login_in_a_browser(demo_tx, provider_for_live_server, live_server, browser):  # noqa: F811
    anonymous = _session(browser, live_server.url, None)
    anonymous.goto("/anmelden/")
    failures = [f"login page with the button: {v}" for v in _violations(anonymous)]
    _through_provider(anonymous, "carla")
    assert anonymous.url == f"{live_server.url}/anmelden/"
    alert = anonymous.locator("main p.error[role=alert]").inner_text()
    assert alert.startswith("Ihr Konto beim Anmeldedienst gehört zu keiner Gruppe")
    assert alert.endswith("(OIDC_NO_ROLE)")
    failures += [f"login page with the refusal: {v}" for v in _violations(anonymous)]
    person = _session(browser, live_server.url, None)
    _through_provider(person, "anna")
    assert person.url == f"{live_server.url}/"
    assert "Abmelden" in person.content()
    admin = _session(browser, live_server.url, "admin")
    admin.goto(reverse("web:admin_user_edit", args=(user("anna").pk,)))
    assert "Konto beim Anmeldedienst (OpenID Connect)" in admin.content()
    failures += [f"admin page: {v}" for v in _violations(admin)]
    assert failures == []
