"""The document page's viewer (issue 12 point 5): a picture of every page, the versions with
the differences of their text, and redaction drawn on the page pictures. Every picture and
every comparison is a read: trimmed to who may see the document and logged (or riding on
the document page's own logged view); a caseworker of another unit gets the 404 of an
unknown id and leaves no event that shows content.

Where a box lands is checked against where pdftotext says the word is (not against the
conversion under test), and the redacted version's text is read by pdftotext after a real
OCR run: the word under the box is gone, its neighbours are kept."""
import io
import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pikepdf
import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.blobstore import blob_path, blob_put_file
from archive.models import Document, Event
from archive.selectors import READ_ACTIONS
from archive.services.documents import document_file_new, version_add
from archive.signals import documents_destroyed
from ingest.models import RedactionJob, RedactionState
from ingest.pages import PageSize
from ingest.redaction_jobs import DrawnBox
from ingest.tasks import redact
from tests.archive.helpers import content, grant
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n"
A4 = (595, 842)  # points: the born-digital fixture's page
PICTURE_WIDTH = 800  # the picture redaction boxes are drawn on
FIRST = ["Bescheid über Leistungen", "Vermieter Zahlbetrag Kontoinhaber"]
SECOND = ["Anlage zum Bescheid", "Seite zwei mit Nebenkosten"]


def _client(username, password=DEMO_PASSWORD):
    client = Client()
    assert client.login(username=username, password=password)
    return client


def _two_pages(path: Path) -> Path:
    """Two born-digital pages with different text."""
    one = born_digital_pdf(path.with_name("eins.pdf"), FIRST)
    two = born_digital_pdf(path.with_name("zwei.pdf"), SECOND)
    with pikepdf.open(one) as first, pikepdf.open(two) as second:
        first.pages.extend(second.pages)
        first.save(path)
    return path


@pytest.fixture
def document(demo, tmp_path):
    pdf = _two_pages(tmp_path / "bescheid.pdf")
    stored = blob_put_file(pdf)
    first = replace(content("\n".join(FIRST + SECOND)), original_sha256=stored.sha256,
                    original_size=stored.size, rendition_sha256=stored.sha256, page_count=2)
    return document_file_new(content=first, case_file=demo["A"], title="Bescheid",
                             received_at=timezone.now(), actor=system_actor("system", "test"))


def _events(document, **filters):
    return Event.objects.filter(object_type="document", object_id=str(document.pk), **filters)


def _reads(document, **filters):
    return _events(document, action__in=READ_ACTIONS, **filters)


def _png(response) -> Image.Image:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(PNG)
    return Image.open(io.BytesIO(body)).convert("L")


def _grant(page_html: str) -> str:
    return re.search(r"seiten/1\.png\?w=\d+&amp;g=([^\"&]+)", page_html).group(1)


def test_every_page_has_its_picture_each_a_logged_read(document):
    client = _client("sachbearbeitung-a")
    pictures = []
    for page in (1, 2):
        response = client.get(f"/dokumente/{document.pk}/seiten/{page}.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "no-store" in response["Cache-Control"]
        assert "Content-Disposition" not in response
        pictures.append(_png(response))
    assert all(picture.width == 160 for picture in pictures)
    assert pictures[0].tobytes() != pictures[1].tobytes()  # each page its own picture
    logged = _events(document, action="previewed").order_by("seq")
    assert [(e.actor, e.data["page"], e.data["version"]) for e in logged] == [
        ("sachbearbeitung-a", 1, 1), ("sachbearbeitung-a", 2, 1)]
    # No third page; a width the page does not offer is refused.
    assert client.get(f"/dokumente/{document.pk}/seiten/3.png").status_code == 404
    assert client.get(f"/dokumente/{document.pk}/seiten/1.png?w=5000").status_code == 400
    assert logged.count() == 2


def test_the_document_page_is_one_logged_view_with_its_pictures(document):
    client = _client("sachbearbeitung-a")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert _reads(document).count() == 1
    # The thumbnail strip links every page, and the pictures ride on the page's grant.
    for number in (1, 2):
        assert f"/dokumente/{document.pk}/seiten/{number}.png?w=160&amp;g=" in page
    assert 'id="viewer"' in page and "vendor/pdfjs/build/pdf.min.mjs" in page
    assert "<noscript><iframe" in page  # without JavaScript the PDF is still shown
    token = _grant(page)
    for number in (1, 2):
        picture = client.get(f"/dokumente/{document.pk}/seiten/{number}.png?w=800&g={token}")
        assert _png(picture).width == PICTURE_WIDTH
    assert _reads(document).count() == 1
    # The grant is bound to its user: another caseworker of the unit cannot ride on it.
    from tests.archive.helpers import staff

    staff("kollegin-a", unit_code="A")
    colleague = _client("kollegin-a", password="x" * 12)
    assert colleague.get(f"/dokumente/{document.pk}/seiten/1.png?g={token}").status_code == 404


def test_the_versions_are_listed_with_local_date_who_and_why(document):
    later = replace(content("Bescheid über Leistungen\nneu"),
                    rendition_sha256=document.versions.get().rendition_sha256, page_count=2)
    second = version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                         content=later)
    grant("sachbearbeitung-a", "view_unredacted")
    page = _client("sachbearbeitung-a").get(f"/dokumente/{document.pk}/").content.decode()
    table = page.split('id="versions"')[1].split("</table>")[0]
    local = timezone.localtime(second.created_at).strftime("%d.%m.%Y %H:%M")
    row = table.split("Version 2")[1].split("</tr>")[0]
    assert local in row and "sachbearbeitung-a" in row and "Neue Version" in row
    assert "Eingang" in table.split("Version 2")[0]
    assert f'action="/dokumente/{document.pk}/versionen/vergleich"' in page


@pytest.fixture
def two_versions(document):
    text = "Bescheid über Leistungen\nMiete 450 Euro\nHeizung 80 Euro\nGruß"
    first = document.versions.get()
    version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                content=replace(content(text.replace("450", "520")),
                                rendition_sha256=first.rendition_sha256, page_count=2))
    return document


def test_the_difference_of_two_versions_is_shown_and_logged(two_versions):
    document = two_versions
    # Version 1 here holds the fixture's text; compare it with version 2.
    grant("sachbearbeitung-a", "view_unredacted")
    client = _client("sachbearbeitung-a")
    response = client.get(f"/dokumente/{document.pk}/versionen/vergleich",
                          {"alt": "1", "neu": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="diff"')[1].split("</table>")[0]
    assert "<caption>" in table and 'scope="col"' in table
    removed = re.findall(r"<del>(.*?)</del>", table, re.S)
    added = re.findall(r"<ins>(.*?)</ins>", table, re.S)
    assert any("Vermieter Zahlbetrag Kontoinhaber" in line for line in removed)
    assert any("Miete 520 Euro" in line for line in added)
    assert not any("Bescheid über Leistungen" in line for line in removed + added)  # kept
    event = _events(document, action="viewed").get()
    assert event.actor == "sachbearbeitung-a"
    assert event.data["versions"] == [1, 2] and event.data["compared"] is True


def test_comparing_needs_the_permission_for_earlier_versions(two_versions):
    document = two_versions
    client = _client("sachbearbeitung-a")  # without view_unredacted
    answer = client.get(f"/dokumente/{document.pk}/versionen/vergleich",
                        {"alt": "1", "neu": "2"})
    missing = client.get("/dokumente/987654/versionen/vergleich", {"alt": "1", "neu": "2"})
    assert answer.status_code == missing.status_code == 404
    assert not _reads(document).exists()


def test_another_unit_sees_nothing_and_leaves_no_read(two_versions):
    document = two_versions
    client = _client("sachbearbeitung-b")
    boxes = json.dumps([{"page": 1, "x": 10, "y": 10, "width": 50, "height": 20,
                         "image_width": 800, "image_height": 1132}])
    base = f"/dokumente/{document.pk}"
    for url, data in [(f"{base}/seiten/1.png", {}), (f"{base}/seiten/2.png", {"w": "800"}),
                      (f"{base}/seiten/1/schwaerzung.png", {"boxes": boxes}),
                      (f"{base}/versionen/vergleich", {"alt": "1", "neu": "2"}),
                      (f"{base}/versionen/vergleich", {"alt": "2", "neu": "2"})]:
        response = client.get(url, data)
        unknown = client.get(url.replace(str(document.pk), "987654", 1), data)
        assert response.status_code == unknown.status_code == 404, url
        assert PNG not in response.content and "Zahlbetrag" not in response.content.decode()
    drawn = client.post(f"{base}/schwaerzen/gezeichnet",
                        {"boxes": boxes, "reason": "x", "version": "2"},
                        HTTP_ACCEPT="application/json")
    assert drawn.status_code == 404 and not RedactionJob.objects.exists()
    assert not _events(document, actor="sachbearbeitung-b",
                       action__in=READ_ACTIONS).exists()
    assert not Event.objects.filter(actor="sachbearbeitung-b", action__in=READ_ACTIONS).exists()


# --- where a drawn box lands ------------------------------------------------------------

def _word_boxes(pdf: Path, page: int = 1) -> dict[str, tuple[float, float, float, float]]:
    """Where pdftotext finds each word: (xMin, yMin, xMax, yMax) in points from the top-left."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout
    return {word: tuple(float(v) for v in box) for *box, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
        html)}


def _drawn_over(word_box, *, pad: float = 1.0, page: int = 1) -> dict:
    """What a user draws over the word on the 800-pixel picture of an A4 page."""
    scale = PICTURE_WIDTH / A4[0]
    x0, y0, x1, y1 = word_box
    return {"page": page, "x": (x0 - pad) * scale, "y": (y0 - pad) * scale,
            "width": (x1 - x0 + 2 * pad) * scale, "height": (y1 - y0 + 2 * pad) * scale,
            "image_width": PICTURE_WIDTH, "image_height": round(A4[1] * scale)}


def test_pixels_become_millimetres_of_the_page():
    # A box over the whole picture is the whole page, whatever the picture's scale.
    whole = DrawnBox(page=1, x=0, y=0, width=400, height=566, image_width=400,
                     image_height=566).in_millimetres(PageSize(*A4))
    assert (whole.x, whole.y) == (0, 0)
    assert whole.width == pytest.approx(209.9, abs=0.05)  # A4: 210 x 297 mm
    assert whole.height == pytest.approx(297.0, abs=0.05)
    # 72 points are an inch: a box 100 pixels from the left of a 595-pixel picture of an A4
    # page (1 pixel = 1 point) starts 100/72 inches = 35.28 mm from the page's left edge.
    box = DrawnBox(page=1, x=100, y=200, width=72, height=36, image_width=595,
                   image_height=842).in_millimetres(PageSize(*A4))
    assert (box.x, box.y, box.width, box.height) == pytest.approx((35.28, 70.56, 25.4, 12.7),
                                                                  abs=0.01)
    # Drawn past the picture's edge: cut at the page's edge.
    edge = DrawnBox(page=1, x=500, y=800, width=200, height=100, image_width=595,
                    image_height=842).in_millimetres(PageSize(*A4))
    assert edge.x + edge.width == pytest.approx(209.9, abs=0.05)
    assert edge.y + edge.height == pytest.approx(297.0, abs=0.05)


@pytest.fixture
def queued(monkeypatch):
    """The queued task is recorded, not run."""
    sent = []
    monkeypatch.setattr("ingest.redaction_jobs.current_app", SimpleNamespace(
        send_task=lambda name, args: sent.append((name, args))))
    return sent


def test_several_boxes_are_one_redaction_in_millimetres(document, queued, tmp_path,
                                                        django_capture_on_commit_callbacks):
    pdf = blob_path(document.versions.get().rendition_sha256)
    words = _word_boxes(pdf)
    drawn = [_drawn_over(words["Zahlbetrag"]), _drawn_over(_word_boxes(pdf, 2)["Nebenkosten"],
                                                           page=2)]
    client = _client("sachbearbeitung-a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dokumente/{document.pk}/schwaerzen/gezeichnet",
                               {"boxes": json.dumps(drawn), "reason": "Bankdaten",
                                "version": "1"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 202, response.content
    job = RedactionJob.objects.get()
    body = response.json()
    assert body["url"] == f"/dokumente/{document.pk}/schwaerzungen/{job.pk}"
    assert (body["state"], body["finished"]) == ("queued", False)
    assert queued == [("ingest.redact", (str(job.pk),))]
    assert (job.reason, job.version, job.requested_by.username) == ("Bankdaten", 1,
                                                                     "sachbearbeitung-a")
    # The boxes are where pdftotext put the words (points to millimetres), one pad around.
    mm = 25.4 / 72
    for stored, (page, word) in zip(job.boxes, [(1, "Zahlbetrag"), (2, "Nebenkosten")],
                                    strict=True):
        x0, y0, x1, y1 = _word_boxes(pdf, page)[word]
        assert stored["page"] == page
        assert stored["x"] == pytest.approx((x0 - 1) * mm, abs=0.05)
        assert stored["y"] == pytest.approx((y0 - 1) * mm, abs=0.05)
        assert stored["width"] == pytest.approx((x1 - x0 + 2) * mm, abs=0.05)
        assert stored["height"] == pytest.approx((y1 - y0 + 2) * mm, abs=0.05)
    # A plain form post (no script) is redirected back to the page like the numeric form.
    RedactionJob.objects.all().delete()
    plain = client.post(f"/dokumente/{document.pk}/schwaerzen/gezeichnet",
                        {"boxes": json.dumps(drawn[:1]), "reason": "Bankdaten",
                         "version": "1"})
    assert plain.status_code == 302 and RedactionJob.objects.count() == 1


@pytest.mark.parametrize("boxes, code", [
    ("", "REASON_REQUIRED"), ("[]", "REASON_REQUIRED"), ("nonsense", "BOXES_INVALID"),
    (json.dumps([{"page": 1, "x": 0, "y": 0}]), "BOXES_INVALID"),
    (json.dumps([{"page": 3, "x": 1, "y": 1, "width": 9, "height": 9, "image_width": 800,
                  "image_height": 1132}]), "PAGE_RANGE"),
    (json.dumps([{"page": 1, "x": 900, "y": 1, "width": 9, "height": 9, "image_width": 800,
                  "image_height": 1132}]), "BOXES_INVALID"),
])
def test_bad_boxes_are_refused_with_a_reason(document, queued, boxes, code):
    response = _client("sachbearbeitung-a").post(
        f"/dokumente/{document.pk}/schwaerzen/gezeichnet",
        {"boxes": boxes, "reason": "Bankdaten", "version": "1"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["message"]
    assert not RedactionJob.objects.exists() and queued == []


def test_the_preview_paints_the_box_and_changes_nothing(document):
    pdf = blob_path(document.versions.get().rendition_sha256)
    words = _word_boxes(pdf)
    client = _client("sachbearbeitung-a")
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    before = _reads(document).count()
    drawn = [_drawn_over(words["Zahlbetrag"], pad=0)]
    response = client.get(f"/dokumente/{document.pk}/seiten/1/schwaerzung.png",
                          {"boxes": json.dumps(drawn), "g": unquote(_grant(page))})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    picture = _png(response)
    assert picture.width == PICTURE_WIDTH
    scale = PICTURE_WIDTH / A4[0]

    def area(word):
        x0, y0, x1, y1 = (round(v * scale) for v in words[word])
        return picture.crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1)).getextrema()

    assert area("Zahlbetrag") == (0, 0)  # all black
    assert area("Vermieter")[1] > 200 and area("Kontoinhaber")[1] > 200  # white around text
    assert _reads(document).count() == before  # rides on the page's grant
    assert document.versions.count() == 1 and not RedactionJob.objects.exists()


def test_the_drawn_box_blacks_out_exactly_the_word_under_it(document, queued):
    """Drawn on the picture, converted on the server, painted and OCRed by the worker for
    real: pdftotext of the new version no longer finds the word, but its neighbours."""
    pdf = blob_path(document.versions.get().rendition_sha256)
    client = _client("sachbearbeitung-a")
    response = client.post(f"/dokumente/{document.pk}/schwaerzen/gezeichnet", {
        "boxes": json.dumps([_drawn_over(_word_boxes(pdf)["Zahlbetrag"])]),
        "reason": "Bankdaten nicht erforderlich", "version": "1"},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    job = RedactionJob.objects.get()
    redact(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.result_version) == (RedactionState.DONE, 2), job.message
    redacted = blob_path(document.versions.get(number=2).rendition_sha256)
    text = subprocess.run(["pdftotext", str(redacted), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Zahlbetrag" not in text
    assert "Vermieter" in text and "Kontoinhaber" in text and "Leistungen" in text
    assert "Nebenkosten" in text  # the second page untouched


def test_the_cached_pictures_go_with_a_destroyed_document(document, settings):
    client = _client("sachbearbeitung-a")
    assert client.get(f"/dokumente/{document.pk}/seiten/1.png").status_code == 200
    cache = Path(settings.DATA_DIR) / "cache" / "pages" / str(document.pk)
    assert any(cache.rglob("*.png"))
    # What destruction sends once it is committed; the receiver is connected by ingest.
    documents_destroyed.send(sender=Document, document_ids=[document.pk])
    assert not cache.exists()


def test_the_cached_pictures_are_the_service_accounts_alone(document, settings):
    assert _client("sachbearbeitung-a").get(
        f"/dokumente/{document.pk}/seiten/1.png").status_code == 200
    root = Path(settings.DATA_DIR) / "cache"
    for path in [root, *root.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path


# What a user can type or a link can carry (as in tests/web/test_bad_input.py).
NASTY = ["", "x", "²", "-1", "99999999999999999999999999", "0001-01-01", "\x00", "ä" * 600,
         "(" * 500, "[{}]", '[{"page": "²"}]', "1e400"]


def test_no_parameter_of_the_viewer_gives_a_server_error(document, queued):
    client = _client("sachbearbeitung-a")
    base = f"/dokumente/{document.pk}"
    box = json.dumps([{"page": 1, "x": 10, "y": 10, "width": 50, "height": 20,
                       "image_width": 800, "image_height": 1132}])
    targets = [("get", f"{base}/seiten/1.png", {"w": "160"}, ["w", "g", "zweck"]),
               ("get", f"{base}/seiten/1/schwaerzung.png", {"boxes": box}, ["boxes", "g"]),
               ("get", f"{base}/versionen/vergleich", {"alt": "1", "neu": "1"},
                ["alt", "neu", "zweck"]),
               ("post", f"{base}/schwaerzen/gezeichnet",
                {"boxes": box, "reason": "Grund", "version": "1"},
                ["boxes", "reason", "version"])]
    failures = []
    for method, url, valid, fields in targets:
        for field in fields:
            for value in NASTY:
                for accept in ("text/html", "application/json"):
                    response = getattr(client, method)(url, valid | {field: value},
                                                       HTTP_ACCEPT=accept)
                    if response.status_code >= 500:
                        failures.append((url, field, value[:10], response.status_code))
    assert failures == []
    assert not RedactionJob.objects.filter(reason__startswith="ää").exists()


def test_the_document_page_makes_no_more_queries_for_more_versions(document):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grant("sachbearbeitung-a", "view_unredacted")
    client = _client("sachbearbeitung-a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/dokumente/{document.pk}/").status_code == 200
        return len(captured)

    rendition = document.versions.get().rendition_sha256

    def add_version(text):
        version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                    content=replace(content(text), rendition_sha256=rendition, page_count=2))

    add_version("zweite Fassung")
    queries()  # the first sealed read creates the document's payload key, once
    few = queries()
    for number in range(3, 8):
        add_version(f"Fassung {number}")
    assert queries() == few
