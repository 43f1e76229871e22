"""The first path, end to end, with a real worker and watcher process and real OCR: a scanned
German letter dropped into the hot folder ends up filed, searchable by the right user only,
and viewable with exactly one access event. Bad input ends in quarantine while the watcher
keeps going."""
import hashlib
import json
import shutil

import pikepdf
import pytest
from django.conf import settings
from django.test import Client

from archive.blobstore import blob_path
from archive.models import Event
from archive.selectors import access_events_for_document
from ingest.models import IngestJob, JobState
from tests.conftest import DEMO_PASSWORD, registratur, wait_for
from tests.fixtures.letters import Letter, render_letter

pytestmark = [pytest.mark.e2e]
EXPECTED_WORDS = ["Sozialreferat", "Heizkostenabrechnung", "Nachzahlung", "Bewilligungsbescheid",
                  "Erkrankung", "Müller", "Grüßen"]


def _drop(path) -> str:
    """Put a file into the hot folder the way a scanner does; returns its SHA-256."""
    settings.CONSUME_DIR.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    shutil.copy(path, settings.CONSUME_DIR / path.name)
    return hashlib.sha256(data).hexdigest()


def _finished_job(sha256: str, timeout: float = 240) -> IngestJob:
    def done():
        job = IngestJob.objects.filter(original_sha256=sha256).first()
        return job if job and job.is_terminal else None

    return wait_for(done, timeout=timeout, what=f"ingest job of {sha256[:12]}")


def _search(query: str, username: str) -> dict:
    result = registratur("search", query, "--user", username, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_scanned_letter_from_hot_folder_to_trimmed_search_hit(demo_tx, instance, tmp_path):
    case_file = demo_tx["A"]
    scan = render_letter(tmp_path / "brief-heizkosten.pdf",
                         Letter(file_reference=case_file.file_reference), skew=1.3, noise=0.12)
    sha256 = _drop(scan)

    job = _finished_job(sha256)
    assert job.state == JobState.FILED, (job.code, job.message, instance.log("worker"))
    document = job.document
    version = document.versions.get(number=1)

    # The original stays byte-identical, under the hash of the input.
    assert version.original_sha256 == sha256
    assert hashlib.sha256(blob_path(sha256).read_bytes()).hexdigest() == sha256
    # OCR found the words of the letter.
    for word in EXPECTED_WORDS:
        assert word in version.text, f"{word!r} missing from OCR text:\n{version.text}"
    # The rendition is PDF/A-2 by its XMP metadata.
    with pikepdf.open(blob_path(version.rendition_sha256)) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "2"
    assert version.rendition_is_pdfa
    # Filed into the case file named in the letter.
    assert document.case_file_id == case_file.pk

    # Found through the real CLI by the owning unit only (the index writer runs after commit).
    try:
        hit = wait_for(lambda: _search("Heizkostenabrechnung", "sachbearbeitung-a")["count"] == 1,
                       timeout=60, what="index entry")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}\n{instance.log('worker')}") from None
    assert hit
    found = _search("Heizkostenabrechnung", "sachbearbeitung-a")
    assert found["results"][0]["document"] == document.pk
    assert found["results"][0]["file_reference"] == case_file.file_reference
    hidden = _search("Heizkostenabrechnung", "sachbearbeitung-b")
    assert hidden["count"] == 0 and hidden["results"] == []

    # The web search page: the same for people.
    page_a = _client("sachbearbeitung-a").get("/suche/", {"q": "Nachzahlung"})
    assert document.title in page_a.content.decode()
    page_b = _client("sachbearbeitung-b").get("/suche/", {"q": "Nachzahlung"})
    assert page_b.status_code == 200
    assert document.title not in page_b.content.decode()
    assert '<p class="muted" id="count">0 Treffer' in page_b.content.decode()

    # Viewing the document page (page plus its embedded PDF) writes exactly one event.
    assert access_events_for_document(document.pk).count() == 0
    client_a = _client("sachbearbeitung-a")
    response = client_a.get(f"/dokumente/{document.pk}/")
    assert response.status_code == 200
    assert "Nachzahlung" in response.content.decode()
    pdf = client_a.get(f"/dokumente/{document.pk}/pdf", {"g": response.context["grant"]})
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    events = list(access_events_for_document(document.pk))
    assert len(events) == 1 and events[0].actor == "sachbearbeitung-a"
    # Caseworker B learns nothing and reads nothing, but the attempt is in the trail.
    assert _client("sachbearbeitung-b").get(f"/dokumente/{document.pk}/").status_code == 404
    assert access_events_for_document(document.pk).count() == 1
    refused = Event.objects.get(action="read_refused", object_id=str(document.pk))
    assert refused.actor == "sachbearbeitung-b" and refused.data["via"]["channel"] == "web"

    # The log of all this is intact.
    verify = registratur("audit", "verify")
    assert verify.returncode == 0, verify.stderr


def _encrypted_pdf(path):
    render_letter(path.with_suffix(".plain.pdf"), Letter(subject="Vertraulich"))
    with pikepdf.open(path.with_suffix(".plain.pdf")) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="geheim", owner="geheimer"))
    return path


def test_bad_input_ends_in_quarantine_and_the_watcher_goes_on(demo_tx, instance, tmp_path):
    empty = tmp_path / "leer.pdf"
    empty.write_bytes(b"")
    not_a_document = tmp_path / "rechnung.pdf"
    not_a_document.write_text("Dies ist keine PDF-Datei, nur Text mit der Endung .pdf\n")
    encrypted = _encrypted_pdf(tmp_path / "verschluesselt.pdf")
    expected = {
        _drop(empty): "EMPTY_FILE",
        _drop(not_a_document): "UNSUPPORTED_TYPE",
        _drop(encrypted): "ENCRYPTED_PDF",
    }
    for sha256, code in expected.items():
        job = _finished_job(sha256)
        assert (job.state, job.code) == (JobState.REFUSED, code), job.message
        assert job.message  # a human reason, not just a code
        # Quarantine keeps the original, byte-identical.
        assert hashlib.sha256(blob_path(sha256).read_bytes()).hexdigest() == sha256

    # The mailroom sees each refusal with its code and reason; a caseworker does not.
    quarantine = _client("poststelle").get("/quarantaene/").content.decode()
    for name, code in [("leer.pdf", "EMPTY_FILE"), ("rechnung.pdf", "UNSUPPORTED_TYPE"),
                       ("verschluesselt.pdf", "ENCRYPTED_PDF")]:
        assert name in quarantine and code in quarantine
    assert _client("sachbearbeitung-a").get("/quarantaene/").status_code == 404

    # The watcher is still running and the next good file is processed.
    assert instance.alive("watcher") and instance.alive("worker")
    good = render_letter(tmp_path / "danach.png", Letter(subject="Umzug in eine neue Wohnung"))
    job = _finished_job(_drop(good))
    assert job.state == JobState.INBOX, (job.code, job.message)
    assert "Wohnung" in job.document.versions.get().text
    assert not any(settings.CONSUME_DIR.iterdir())
