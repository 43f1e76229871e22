"""The pages as a new user meets them (issue #10): forms posted as rendered change nothing
the user did not touch, bad input comes back as a German message, never as a 500."""
from datetime import date

import lxml.html
import pytest
from django.test import Client

from archive.actors import actor_for_user as acting
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


def _links(response) -> list[str]:
    page = lxml.html.fromstring(response.content.decode())
    return [a.get("href") for a in page.iter("a") if a.get("href")]


def test_only_versions_the_user_may_open_are_linked(demo):
    from dataclasses import replace

    from archive.blobstore import blob_put_bytes
    from archive.services.documents import version_add
    from tests.archive.helpers import content, grant
    from tests.conftest import user

    document = file_document(demo["A"], store=True)
    later = replace(content("geschwärzt"),
                    rendition_sha256=blob_put_bytes(b"%PDF-1.7 geschwaerzt").sha256)
    version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk, content=later)
    client = _client("sachbearbeitung-a")
    links = [h for h in _links(client.get(f"/dokumente/{document.pk}/"))
             if "/versionen/" in h and h.endswith(".pdf")]
    assert links == [f"/dokumente/{document.pk}/versionen/2.pdf"]
    for href in links:  # every link shown opens
        assert client.get(href).status_code != 404
    grant("sachbearbeitung-a", "view_unredacted")
    allowed = [h for h in _links(client.get(f"/dokumente/{document.pk}/"))
               if "/versionen/" in h and h.endswith(".pdf")]
    assert allowed == [f"/dokumente/{document.pk}/versionen/{n}.pdf" for n in (1, 2)]


def _post_forms(response) -> list[str]:
    page = lxml.html.fromstring(response.content.decode())
    return [form.get("action") for form in page.forms
            if (form.get("method") or "").lower() == "post" and "abmelden" not in (
                form.get("action") or "")]


def test_a_closed_case_file_shows_no_edit_forms_and_says_who_may_reopen(demo):
    from django.contrib.auth.models import Permission

    from archive.services.casefiles import case_file_close
    from tests.archive.helpers import staff
    from tests.conftest import user

    lead = staff("teamleitung-a", unit_code="A")
    lead.user_permissions.add(Permission.objects.get(codename="reopen_casefile"))
    document = file_document(demo["A"])
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    client = _client("sachbearbeitung-a")
    case_page = client.get(f"/akten/{demo['A'].pk}/")
    document_page = client.get(f"/dokumente/{document.pk}/")
    assert _post_forms(case_page) == [] and _post_forms(document_page) == []
    for response in (case_page, document_page):
        note = lxml.html.fromstring(response.content.decode()).get_element_by_id("closed-note")
        assert "Wieder aufnehmen können: teamleitung-a." in note.text_content()
    # Who may reopen gets the form.
    client.force_login(lead)
    assert _post_forms(client.get(f"/akten/{demo['A'].pk}/")) == [
        f"/akten/{demo['A'].pk}/wiederaufnahme"]


def test_a_break_glass_reason_never_travels_in_a_url(demo):
    from archive.models import Event

    reason = "Vertretung Frau Schmidt, Anruf der Klientin wegen Mietschulden"
    client = _client("sachbearbeitung-b")
    # Sent as a query string, it opens nothing.
    assert client.get("/notfallzugriff/", {"file_reference": demo["A"].file_reference,
                                           "reason": reason}).status_code == 200
    assert not Event.objects.filter(action="break_glass").exists()
    response = client.post("/notfallzugriff/", {"file_reference": demo["A"].file_reference,
                                                "reason": reason})
    assert response.status_code == 302
    assert "Schmidt" not in response["Location"] and "Mietschulden" not in response["Location"]
    followed = client.get(response["Location"])
    assert followed.status_code == 200
    viewed = Event.objects.filter(action="viewed", object_type="case_file").last()
    assert viewed.clear_purpose == "Notfallzugriff"
    assert Event.objects.get(action="break_glass").clear_purpose == reason  # kept where it belongs


def test_a_correction_without_a_suggestion_reads_without_none(demo):
    from archive.models import Event

    inbox_document = file_document(None)
    client = _client("poststelle")
    client.post(f"/posteingang/pruefen/{inbox_document.pk}/",
                {"file_reference": demo["A"].file_reference})
    moved = Event.objects.get(action="moved", object_id=str(inbox_document.pk))
    assert moved.clear_purpose == "Poststelle: korrigiert (Vorschlag: –)"
    history = _client("sachbearbeitung-a").get(f"/akten/{demo['A'].pk}/").content.decode()
    assert "None" not in history
