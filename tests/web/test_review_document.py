"""The mailroom's review of one document beside its pages (issue 12 point 4): the page
picture on the left, the recognised fields as a form on the right, filed and corrected in one
step through the review's one decision (document_correct: one event), then on to the next
document of the queue. The page is one logged read; its picture rides on that read's grant.
Whoever may not see the post gets the 404 of an unknown id and leaves no read."""
import re
from dataclasses import replace
from datetime import date, timedelta
from html import unescape

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import system_actor
from archive.blobstore import blob_put_file
from archive.models import Document, Event
from archive.selectors import READ_ACTIONS
from archive.services.documents import document_file_new
from ingest.models import JobState
from ingest.pipeline import job_run
from tests.archive.helpers import content
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n"


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _pdf(path, pages: int):
    """A born-digital PDF of `pages` pages, each with its own text."""
    parts = [born_digital_pdf(path.with_name(f"{path.stem}-{n}.pdf"), [f"Seite Nummer {n}"])
             for n in range(1, pages + 1)]
    with pikepdf.open(parts[0]) as first:
        for part in parts[1:]:
            with pikepdf.open(part) as other:
                first.pages.extend(other.pages)
        first.save(path)
    return path


def _recognition(reference: str) -> dict:
    return {"file_reference": {"value": reference, "confidence": 0.81,
                               "reason": "Aktenzeichen im Text"},
            "sender": {"value": "Jobcenter Leipzig", "confidence": 0.93},
            "subject": {"value": "Antrag auf Wohngeld", "confidence": 0.7},
            "letter_date": {"value": "2026-11-20", "confidence": 0.66},
            "document_type": {"value": "antrag", "confidence": 0.62, "model_version": "m-7",
                              "reasons": ["Wort „beantrage“"]},
            "person": {"value": "Erika Mustermann", "client_number": "K-4711",
                       "confidence": 0.71}}


def _inbox_letter(demo, tmp_path, *, pages: int = 2, title: str = "Antrag auf Wohngeld",
                  received_at=None, name: str = "brief"):
    stored = blob_put_file(_pdf(tmp_path / f"{name}.pdf", pages))
    version = replace(content(f"{title} {name}"), original_sha256=stored.sha256,
                      original_size=stored.size, rendition_sha256=stored.sha256,
                      page_count=pages,
                      provenance={"recognition": _recognition(demo["A"].file_reference)})
    return document_file_new(content=version, case_file=None, title=title,
                             received_at=received_at or timezone.now(),
                             document_type="antrag", sender="Jobcenter Leipzig",
                             letter_date=date(2026, 11, 20),
                             actor=system_actor("ingest", "poststelle"))


def _url(document) -> str:
    return f"/posteingang/pruefen/{document.pk}/ansicht/"


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no input {name}"
    return unescape(found.group(1))


def _selected_type(html: str) -> str:
    select = re.search(r'<select[^>]*name="document_type".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


def _unchanged_form(html: str) -> dict:
    """The form as the page sends it when nothing is touched."""
    form = {name: _value(html, name) for name in
            ("file_reference", "title", "sender", "letter_date", "person_name",
             "client_number")}
    form["document_type"] = _selected_type(html)
    return form


def _events(document):
    return Event.objects.filter(object_type="document", object_id=str(document.pk))


def _decisions(document):
    """What the trail says was decided since the post arrived (reads left out)."""
    return _events(document).exclude(action__in=(*READ_ACTIONS, "inbox")).order_by("seq")


def test_the_fields_are_prefilled_from_recognition_beside_the_page(demo, tmp_path):
    document = _inbox_letter(demo, tmp_path)
    page = _client("poststelle").get(_url(document))
    html = page.content.decode()
    assert page.status_code == 200
    assert _unchanged_form(html) == {
        "file_reference": demo["A"].file_reference, "title": "Antrag auf Wohngeld",
        "sender": "Jobcenter Leipzig", "letter_date": "2026-11-20",
        "person_name": "Erika Mustermann", "client_number": "K-4711",
        "document_type": "antrag"}
    # The type's suggestion with its confidence and model, the file's with its reason.
    assert "Sicherheit 0,62" in html and "Modell m-7" in html
    assert "Sicherheit 0,81" in html and "Aktenzeichen im Text" in html
    # Every control has a label.
    for control in re.findall(r'<(?:input|select)[^>]*id="(field-[^"]+)"', html):
        assert f'<label class="kern-label" for="{control}">' in html, control
    assert "Vorschlag übernehmen und ablegen" in html
    # The first page's picture, at the width of the drawing surface, on the page's grant.
    assert re.search(rf'src="/dokumente/{document.pk}/seiten/1\.png\?w=800&amp;g=[^"]+"', html)


def test_the_real_pipelines_suggestion_is_what_the_form_offers(demo, tmp_path):
    pdf = born_digital_pdf(tmp_path / "zwei.pdf", [
        "Widerspruch", f"Az. {demo['A'].file_reference} und {demo['B'].file_reference}"])
    client = _client("poststelle")
    api = APIClient()
    assert api.login(username="poststelle", password=DEMO_PASSWORD)
    upload = SimpleUploadedFile(pdf.name, pdf.read_bytes(), content_type="application/pdf")
    job_id = api.post("/api/ingest/", {"file": [upload]}, format="multipart").json()["job"]
    job = job_run(job_id, worker="test")
    assert job.state == JobState.INBOX
    html = client.get(_url(job.document)).content.decode()
    assert _value(html, "file_reference") == demo["A"].file_reference  # the first one quoted
    assert _value(html, "title") == job.document.title
    assert f"/dokumente/{job.document_id}/seiten/1.png?w=800&amp;g=" in html


def test_the_page_is_one_logged_read_and_its_picture_rides_on_it(demo, tmp_path):
    document = _inbox_letter(demo, tmp_path, pages=3)
    client = _client("poststelle")
    html = client.get(_url(document) + "?seite=2").content.decode()
    reads = _events(document).filter(action__in=READ_ACTIONS)
    assert [(e.action, e.actor, e.clear_purpose) for e in reads] == [
        ("viewed", "poststelle", "Vorschläge prüfen")]
    src = unescape(re.search(r'<img class="review-page" src="([^"]+)"', html).group(1))
    assert src.startswith(f"/dokumente/{document.pk}/seiten/2.png?w=800&g=")
    picture = client.get(src)
    body = b"".join(picture.streaming_content)
    assert picture.status_code == 200 and body.startswith(PNG)
    assert reads.count() == 1  # the picture wrote no second event
    # Previous and next page are plain links (no script needed), the current page is named.
    assert 'id="previous-page" rel="prev" href="?seite=1"' in html
    assert 'id="next-page" rel="next" href="?seite=3"' in html
    assert "Seite 2 von 3" in html
    last = client.get(_url(document) + "?seite=3").content.decode()
    assert 'id="next-page"' not in last and 'id="previous-page"' in last
    # Nonsense page numbers show a page that exists, never an error.
    for raw in ("0", "99", "x", "²", "-1"):
        response = client.get(_url(document), {"seite": raw})
        assert response.status_code == 200, raw
        assert re.search(r"seiten/[13]\.png\?w=800", response.content.decode()), raw


def test_accepting_the_suggestion_unchanged_is_one_filing_and_leads_to_the_next(
        demo, tmp_path):
    now = timezone.now()
    newer = _inbox_letter(demo, tmp_path, received_at=now, name="neu")
    older = _inbox_letter(demo, tmp_path, received_at=now - timedelta(hours=1), name="alt",
                          title="Nachreichung")
    client = _client("poststelle")
    html = client.get(_url(newer)).content.decode()
    assert f'id="next-document" href="{_url(older)}"' in html  # the queue, newest first
    response = client.post(_url(newer), _unchanged_form(html))
    assert response.status_code == 302 and response["Location"] == _url(older)
    newer.refresh_from_db()
    assert newer.case_file == demo["A"]
    (moved,) = _decisions(newer)
    assert moved.action == "moved" and moved.actor == "poststelle"
    assert moved.clear_purpose == "Poststelle: Vorschlag bestätigt"
    assert "changes" not in moved.clear_data
    assert moved.clear_data["review"]["file_reference"] == {"suggested": demo["A"].file_reference,
                                                      "taken": True}
    assert moved.clear_data["review"]["person"]["taken"] is True
    assert moved.clear_data["document_type"]["taken"] is True
    # The last of the queue leads back to the list.
    last = client.get(_url(older)).content.decode()
    assert 'id="next-document"' not in last
    assert client.post(_url(older), _unchanged_form(last))["Location"] == "/posteingang/pruefen/"


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Widerspruch gegen den Bescheid"),
    ("sender", "Rentenversicherung Bund"),
    ("letter_date", "2026-03-14"),
    ("document_type", "vollmacht"),
    ("file_reference", None),  # demo["B"]'s
    ("person_name", "Erika Musterfrau"),
    ("client_number", "K-4712"),
])
def test_each_corrected_field_is_stored_with_the_filing_as_one_event(
        demo, tmp_path, field, value):
    document = _inbox_letter(demo, tmp_path)
    client = _client("poststelle")
    form = _unchanged_form(client.get(_url(document)).content.decode())
    value = value or demo["B"].file_reference
    assert not _decisions(document).exists()
    assert client.post(_url(document), {**form, field: value}).status_code == 302
    document.refresh_from_db()
    (moved,) = _decisions(document)
    assert moved.action == "moved"
    stored = {"title": document.title, "sender": document.sender,
              "letter_date": str(document.letter_date), "document_type": document.document_type,
              "file_reference": document.case_file.file_reference}
    if field in stored:
        assert stored[field] == value
    others = {name: stored[name] for name in stored if name != field}
    assert others == {name: form[name] for name in others}  # nothing else changed
    changed = set(moved.data.get("changes", {}))
    if field in ("title", "sender", "letter_date", "document_type"):
        assert changed == {field}
    else:
        assert changed == set()
    person = moved.clear_data["review"]["person"]
    if field in ("person_name", "client_number"):
        key = "name" if field == "person_name" else "client_number"
        assert person["corrected"] == [key] and person["value"][key] == value
        assert person["taken"] is False and "berichtigt" in moved.clear_purpose
    else:
        assert person["taken"] is True
    if field == "file_reference":
        assert moved.clear_data["review"]["file_reference"]["taken"] is False
        assert "korrigiert" in moved.clear_purpose
    if field == "document_type":
        assert moved.clear_data["document_type"]["taken"] is False


def test_a_refusal_shows_the_page_again_with_what_was_typed_and_changes_nothing(
        demo, tmp_path):
    document = _inbox_letter(demo, tmp_path)
    client = _client("poststelle")
    form = _unchanged_form(client.get(_url(document)).content.decode())
    response = client.post(_url(document), {**form, "title": "Neuer Betreff",
                                            "file_reference": "99.99.9-2026-000000"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "UNKNOWN_FILE_REFERENCE" in html and 'role="alert"' in html
    assert _value(html, "title") == "Neuer Betreff"
    assert _value(html, "file_reference") == "99.99.9-2026-000000"
    document.refresh_from_db()
    assert document.case_file is None and document.title == "Antrag auf Wohngeld"
    assert not _decisions(document).exists()


def test_whoever_may_not_see_the_post_gets_the_404_of_an_unknown_id(demo, tmp_path):
    document = _inbox_letter(demo, tmp_path)
    filed = _inbox_letter(demo, tmp_path, name="abgelegt", title="Schon abgelegt")
    Document.objects.filter(pk=filed.pk).update(case_file=demo["A"])
    unknown = "/posteingang/pruefen/987654/ansicht/"
    for username, url in (("sachbearbeitung-b", _url(document)),
                          ("sachbearbeitung-a", _url(document)),
                          ("datenschutz", _url(document)), ("admin", _url(document)),
                          # The mailroom does not read the units' files.
                          ("poststelle", _url(filed))):
        client = _client(username)
        seen, missing = client.get(url), client.get(unknown)
        assert seen.status_code == missing.status_code == 404, username
        strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        assert strip.sub(b"", seen.content) == strip.sub(b"", missing.content), username
        assert b"Jobcenter" not in seen.content and b"Wohngeld" not in seen.content
        posted = client.post(url, {"file_reference": demo["B"].file_reference,
                                   "title": "Übernommen"})
        assert posted.status_code == 404, username
    for letter in (document, filed):
        assert not _events(letter).filter(actor__in=[
            "sachbearbeitung-a", "sachbearbeitung-b", "datenschutz", "admin"]).exists()
    assert not _events(filed).filter(actor="poststelle", action__in=READ_ACTIONS).exists()
    document.refresh_from_db()
    filed.refresh_from_db()
    assert document.case_file is None and document.title == "Antrag auf Wohngeld"
    assert filed.case_file == demo["A"] and filed.title == "Schon abgelegt"
    # The lists link the page only for the mailroom.
    assert _client("sachbearbeitung-b").get("/posteingang/").status_code == 404


def test_the_review_list_and_the_inbox_link_the_page(demo, tmp_path):
    document = _inbox_letter(demo, tmp_path)
    client = _client("poststelle")
    for url in ("/posteingang/pruefen/", "/posteingang/"):
        assert f'href="{_url(document)}"' in client.get(url).content.decode(), url


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_makes_as_many_queries_for_many_pages_and_a_long_queue(demo, tmp_path):
    client = _client("poststelle")
    now = timezone.now()
    short = _inbox_letter(demo, tmp_path, pages=1, received_at=now, name="kurz")
    _inbox_letter(demo, tmp_path, pages=1, received_at=now - timedelta(days=1), name="q0")
    _queries(client, _url(short))  # warm caches (content types, permissions)
    few = _queries(client, _url(short))
    long = _inbox_letter(demo, tmp_path, pages=8, received_at=now + timedelta(seconds=1),
                         name="lang")
    for n in range(1, 12):
        _inbox_letter(demo, tmp_path, pages=1, received_at=now - timedelta(days=1 + n),
                      name=f"q{n}")
    html = client.get(_url(long)).content.decode()
    assert "Seite 1 von 8" in html and html.count('href="?seite=') >= 7  # really more pages
    assert _queries(client, _url(long)) == few
    assert _queries(client, _url(short)) == few


def test_post_without_a_rendition_is_reviewed_without_a_picture(demo):
    document = document_file_new(
        content=replace(content("Nur Text"),
                        provenance={"recognition": _recognition(demo["A"].file_reference)}),
        case_file=None, title="Ohne Rendition", received_at=timezone.now(),
        actor=system_actor("ingest", "poststelle"))
    page = _client("poststelle").get(_url(document), {"seite": "2"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Für dieses Dokument gibt es keine Seitenansicht." in html
    assert "/seiten/" not in html and 'id="next-page"' not in html
    assert _value(html, "file_reference") == demo["A"].file_reference
