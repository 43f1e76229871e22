"""File notes (Aktenvermerke): written in the case file, filed as an immutable PDF/A version
with its text, found by search like every document, corrected only by a new version."""
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from archive.blobstore import blob_open
from archive.errors import InvalidInput, NotFound
from archive.models import Event
from search.backends import get_backend
from signoff.notes import file_note_correct, file_note_write
from tests.conftest import DEMO_PASSWORD, user
from tests.retention.test_protocol_pdf import assert_pdfa2b

from .conftest import acting

pytestmark = pytest.mark.django_db


def _pdf(version) -> bytes:
    with blob_open(version.rendition_sha256) as handle:
        return handle.read()


def _pdftext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_a_note_becomes_a_pdfa_version_with_its_text(demo):
    today = timezone.localdate()
    document = file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo["A"].pk,
                               kind="telefonat", noted_on=today,
                               text="Herr Müller rief an: Kontoauszüge folgen bis Freitag.")
    version = document.versions.get()
    assert document.case_file == demo["A"] and document.medium == "file_note"
    assert document.title == f"Aktenvermerk (Telefonat) vom {today:%d.%m.%Y}"
    assert version.rendition_is_pdfa and version.page_count == 1
    data = _pdf(version)
    assert_pdfa2b(data)
    shown = " ".join(_pdftext(data).split())
    assert "Kontoauszüge folgen bis Freitag" in shown and "Art: Telefonat" in shown
    assert "Kontoauszüge folgen bis Freitag" in version.text
    filed = Event.objects.get(action="filed", object_type="document", object_id=str(document.pk))
    assert filed.actor == "sachbearbeitung-a"
    assert filed.data["rendition_sha256"] == version.rendition_sha256


def test_a_correction_is_a_new_version_and_the_first_stays(demo):
    document = file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo["A"].pk,
                               kind="hausbesuch", noted_on=timezone.localdate(),
                               text="Wohnung besichtigt, drei Zimmer.")
    first = document.versions.get()
    file_note_correct(actor=acting("sachbearbeitung-a"), document_id=document.pk,
                      kind="hausbesuch", noted_on=timezone.localdate(),
                      text="Wohnung besichtigt, zwei Zimmer.", reason="Zimmerzahl falsch")
    first_again, second = document.versions.order_by("number")
    assert (first_again.pk, first_again.text, first_again.rendition_sha256) == (
        first.pk, first.text, first.rendition_sha256)
    assert "drei Zimmer" in first_again.text and "drei Zimmer" not in second.text
    assert "Berichtigt Version 1: Zimmerzahl falsch" in _pdftext(_pdf(second))
    assert Event.objects.filter(action="version_added", object_id=str(document.pk),
                                data__version=2).exists()


def test_only_who_works_on_the_file_writes_or_corrects_a_note(demo):
    with pytest.raises(NotFound):
        file_note_write(actor=acting("sachbearbeitung-b"), case_file_id=demo["A"].pk,
                        kind="telefonat", noted_on=timezone.localdate(), text="Fremd")
    document = file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo["A"].pk,
                               kind="gespraech", noted_on=timezone.localdate(), text="Gespräch")
    with pytest.raises(NotFound):
        file_note_correct(actor=acting("sachbearbeitung-b"), document_id=document.pk,
                          kind="gespraech", noted_on=timezone.localdate(), text="x",
                          reason="y")
    assert document.versions.count() == 1


@pytest.mark.parametrize("kind,days,text,code", [
    ("telefonat", -1, "Morgen", "NOTE_DATE_IN_FUTURE"),
    ("brief", 0, "Art gibt es nicht", "NOTE_KIND_UNKNOWN"),
    ("sonstiges", 0, "   ", "NOTE_EMPTY"),
])
def test_a_note_is_refused_with_its_reason(demo, kind, days, text, code):
    with pytest.raises(InvalidInput) as refused:
        file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo["A"].pk, kind=kind,
                        noted_on=timezone.localdate() - timedelta(days=days), text=text)
    assert refused.value.code == code
    assert not demo["A"].documents.exists()


def test_the_case_file_page_writes_a_note(demo):
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    page = client.get(f"/akten/{demo['A'].pk}/").content.decode()
    assert f'action="/akten/{demo["A"].pk}/vermerke/neu"' in page
    response = client.post(f"/akten/{demo['A'].pk}/vermerke/neu", {
        "kind": "entscheidung", "noted_on": timezone.localdate().isoformat(),
        "text": "Leistung wird bewilligt."}, follow=True)
    assert "Der Aktenvermerk wurde abgelegt." in response.content.decode()
    document = demo["A"].documents.get()
    assert "Leistung wird bewilligt." in document.versions.get().text
    # Corrected from the document page's form: a new version.
    client.post(f"/dokumente/{document.pk}/vermerk-berichtigen", {
        "kind": "entscheidung", "noted_on": timezone.localdate().isoformat(),
        "text": "Leistung wird teilweise bewilligt.", "reason": "Umfang"})
    assert document.versions.count() == 2
    other = Client()
    assert other.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    assert other.post(f"/akten/{demo['A'].pk}/vermerke/neu", {
        "kind": "telefonat", "noted_on": timezone.localdate().isoformat(),
        "text": "x"}).status_code == 404


@pytest.fixture
def embedded_search(settings, tmp_path, eager):
    """The embedded backend (tantivy) with the index queue run in this process."""
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


def test_search_finds_a_note_and_trims_it_like_every_document(demo_tx, embedded_search):
    from search.services import documents_search

    file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo_tx["A"].pk,
                    kind="telefonat", noted_on=timezone.localdate(),
                    text="Rückruf wegen Nebenkostenabrechnung quittenmarmelade4471.")
    found = documents_search(user=user("sachbearbeitung-a"), query="quittenmarmelade4471")
    hidden = documents_search(user=user("sachbearbeitung-b"), query="quittenmarmelade4471")
    assert found.count == 1 and found.hits[0].title.startswith("Aktenvermerk (Telefonat)")
    assert hidden.count == 0


def test_a_corrected_type_or_date_renames_the_note(demo):
    today = timezone.localdate()
    document = file_note_write(actor=acting("sachbearbeitung-a"), case_file_id=demo["A"].pk,
                               kind="telefonat", noted_on=today, text="Gespräch im Amt.")
    earlier = today - timedelta(days=3)
    file_note_correct(actor=acting("sachbearbeitung-a"), document_id=document.pk,
                      kind="gespraech", noted_on=earlier, text="Gespräch im Amt.",
                      reason="war ein persönliches Gespräch")
    document.refresh_from_db()
    assert document.title == f"Aktenvermerk (Gespräch) vom {earlier:%d.%m.%Y}"
    assert document.letter_date == earlier and document.versions.count() == 2
    assert Event.objects.filter(action="changed", object_id=str(document.pk)).exists()
