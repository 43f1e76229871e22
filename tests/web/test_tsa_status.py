"""The officer's page says whether checkpoints get trusted timestamps (issue 14.9)."""
import pytest
from django.test import Client

from archive.checkpoints import checkpoint_write
from tests.archive.tsa import tsa_start
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trail_dirs(own_trail):
    """Checkpoints and signing key of this test's own trail (tests/conftest.py)."""


def _page(username: str) -> str:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get("/datenschutz/")
    assert response.status_code == 200
    return response.content.decode()


def test_without_an_authority_the_page_says_checkpoints_are_only_signed(demo, settings):
    settings.TSA_URL = ""
    checkpoint_write()
    html = _page("datenschutz")
    assert "Zeitstempeldienst (RFC 3161): nicht eingerichtet" in html


def test_with_an_authority_the_page_counts_stamped_checkpoints(demo, settings, tmp_path):
    authority, server = tsa_start(tmp_path / "tsa")
    settings.TSA_URL, settings.TSA_CA_FILE = authority.url, str(authority.ca_file)
    try:
        checkpoint_write()
    finally:
        server.shutdown()
    html = _page("datenschutz")
    assert "eingerichtet; 1 von 1 Kontrollpunkten" in html
