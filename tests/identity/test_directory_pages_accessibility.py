"""The pages the directory login adds to, in their directory states, pass axe-core in Debian's
Chromium like every page of the matrix (tests/e2e/test_accessibility.py): the login page
telling a person in no mapped group why, and the administration's page of a directory
account."""
import os

import pytest
from django.urls import reverse

from tests.browser import CHROMIUM, browser  # noqa: F401  (the fixture)
from tests.conftest import user
from tests.e2e.test_accessibility import _session, _violations

from .conftest import PERSONS, person_dn

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian package "
                       "chromium; scripts/ensure-system-packages --test installs it)"),
    pytest.mark.skipif(bool(os.environ.get("REGISTRATUR_TEST_DATABASE_URL")),
                       reason="browser checks of the pages: run on the SQLite pass only"),
]


def _sign_in(page, uid: str) -> None:
    page.goto("/anmelden/")
    page.fill("input[name=username]", uid)
    page.fill("input[name=password]", PERSONS[uid][2])
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_the_directory_states_of_the_pages_pass_axe(demo_tx, ldap_settings, live_server,
                                                    browser):  # noqa: F811
    anonymous = _session(browser, live_server.url, None)
    _sign_in(anonymous, "carla")
    assert anonymous.locator("main p.error[role=alert]").inner_text().startswith(
        "Ihr Konto im Verzeichnis gehört zu keiner Gruppe")
    failures = [f"login: {violation}" for violation in _violations(anonymous)]
    directory_person = _session(browser, live_server.url, None)
    _sign_in(directory_person, "anna")
    assert directory_person.url == f"{live_server.url}/"
    admin = _session(browser, live_server.url, "admin")
    admin.goto(reverse("web:admin_user_edit", args=(user("anna").pk,)))
    assert person_dn("anna") in admin.content()
    failures += [f"admin page: {violation}" for violation in _violations(admin)]
    assert failures == []
