"""The mailroom's review page (issue 12 point 10): each row's button and fields are named
with the document's title, so that a screen reader does not announce the same "Ablegen"
several times. The visible wording stays as it is."""
import lxml.html
import pytest
from django.test import Client

from tests.conftest import DEMO_PASSWORD
from tests.web.test_dashboard import letter

pytestmark = pytest.mark.django_db
FIELDS = {"file_reference": "Aktenzeichen", "title": "Betreff", "sender": "Absender",
          "letter_date": "Briefdatum", "document_type": "Dokumenttyp"}


def _rows(demo):
    letter(title="Widerspruch Müller", suggested=demo["A"].file_reference)
    letter(title="Antrag Schmidt", suggested=demo["A"].file_reference)
    client = Client()
    assert client.login(username="poststelle", password=DEMO_PASSWORD)
    response = client.get("/posteingang/pruefen/")
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode()).xpath(
        "//form[contains(@action, '/posteingang/pruefen/')]")


def test_each_rows_button_and_fields_are_named_with_the_documents_title(demo):
    forms = _rows(demo)
    assert len(forms) == 2
    named = {}
    for form in forms:
        title = form.xpath(".//input[@name='title']/@value")[0]
        button = form.xpath(".//button[@type='submit']")[0]
        # The button's accessible name is its text, the hidden part included.
        assert " ".join(button.text_content().split()) == f"Ablegen: {title}"
        assert button.text.strip() == "Ablegen"  # what is seen
        assert "kern-sr-only" in button.xpath("./span/@class")[0]
        for name, label in FIELDS.items():
            control = form.xpath(f".//*[@name='{name}']")[0]
            assert control.get("aria-label") == f"{label}: {title}"
        named[title] = button.text_content()
    assert sorted(named) == ["Antrag Schmidt", "Widerspruch Müller"]
    assert len(set(named.values())) == 2  # no two buttons sound the same
