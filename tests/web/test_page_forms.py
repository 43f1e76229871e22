"""The pages as a new user meets them (issue #10): forms posted as rendered change nothing
the user did not touch, bad input comes back as a German message, never as a 500."""
from datetime import date

import lxml.html
import pytest
from django.test import Client

from archive.models import Document
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def rendered_form(response, action: str) -> dict:
    """The values a browser would send for the form posting to `action`, as rendered."""
    page = lxml.html.fromstring(response.content.decode())
    for form in page.forms:
        if form.get("action") == action:
            return dict(form.form_values())
    raise AssertionError(f"no form posting to {action}")


def test_saving_details_as_rendered_keeps_what_was_not_changed(demo):
    document = file_document(demo["A"])
    Document.objects.filter(pk=document.pk).update(
        letter_date=date(2026, 3, 14), sender="Jobcenter Musterstadt", document_type="Bescheid")
    client = _client("sachbearbeitung-a")
    action = f"/dokumente/{document.pk}/angaben"
    values = rendered_form(client.get(f"/dokumente/{document.pk}/"), action)
    # A date input shows only ISO dates; anything else reaches the browser as empty.
    assert values["letter_date"] == "2026-03-14"
    values["title"] = "Bescheid vom März"
    client.post(action, values)
    document.refresh_from_db()
    assert document.title == "Bescheid vom März"
    assert document.letter_date == date(2026, 3, 14)
    assert document.sender == "Jobcenter Musterstadt"
    assert document.document_type == "Bescheid"


def test_case_file_details_as_rendered_change_nothing_else(demo):
    case_file = demo["A"]
    client = _client("sachbearbeitung-a")
    action = f"/akten/{case_file.pk}/aendern"
    values = rendered_form(client.get(f"/akten/{case_file.pk}/"), action)
    before = (case_file.subject_name, case_file.client_number, case_file.confidentiality,
              case_file.staff_case)
    values["title"] = "Neuer Titel"
    client.post(action, values)
    case_file.refresh_from_db()
    assert case_file.title == "Neuer Titel"
    assert (case_file.subject_name, case_file.client_number, case_file.confidentiality,
            case_file.staff_case) == before
