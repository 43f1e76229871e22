"""Quarantine with actions: retry after a fix, release with a reason, hand to a unit. Each
action is one event in the trail; the kept original is never lost; nobody but the mailroom
sees or acts on a quarantined file."""
import pikepdf
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive.blobstore import blob_path
from archive.selectors import events_for_object
from ingest.jobs import job_finish, job_receive
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from tests.conftest import DEMO_PASSWORD
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db

ACTIONS = ("quarantine_retried", "quarantine_released", "quarantine_handed")


def _page(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _actions(job) -> list[str]:
    return list(events_for_object("ingest_job", job.pk).filter(action__in=ACTIONS)
                .values_list("action", flat=True))


def _open_list(client) -> str:
    html = client.get("/quarantaene/").content.decode()
    return html.split('id="quarantine"')[1].split("</table>")[0]


@pytest.fixture
def encrypted(tmp_path):
    """A letter the mailroom received as an encrypted PDF without its password: refused."""
    plain = born_digital_pdf(tmp_path / "plain.pdf", ["Vertraulicher Bescheid"])
    locked = tmp_path / "gesperrt.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="geheim", owner="owner"))
    job = job_receive(path=locked, original_name=locked.name, source="upload",
                      submitted_by="poststelle")
    job = job_run(job.pk, worker="test")
    assert (job.state, job.code) == (JobState.REFUSED, "ENCRYPTED_PDF")
    return job, locked.read_bytes()


@pytest.fixture
def lost(tmp_path):
    """A letter whose processing broke off for good (the worker died three times)."""
    letter = born_digital_pdf(tmp_path / "nachreichung.pdf", ["Nachreichung von Unterlagen"])
    job = job_receive(path=letter, original_name=letter.name, source="upload",
                      submitted_by="poststelle")
    return job_finish(job, state=JobState.FAILED, code="WORKER_LOST",
                      message="Die Verarbeitung brach 3-mal ab.")


def test_retry_with_the_password_processes_the_kept_original(demo, encrypted):
    job, original = encrypted
    client = _page("poststelle")
    assert job.original_name in _open_list(client)
    response = client.post(f"/quarantaene/{job.pk}/erneut", {"password": "geheim"})
    assert response.status_code == 302
    assert _messages(response) == ["Die Datei wird erneut verarbeitet."]
    queued = IngestJob.objects.get(pk=job.pk)
    assert (queued.state, queued.attempts, queued.code) == (JobState.QUEUED, 0, "")
    assert job.original_name not in _open_list(client)
    done = job_run(job.pk, worker="test")
    assert done.state == JobState.INBOX, done.message
    assert "Vertraulicher Bescheid" in done.document.versions.get().text
    assert done.password == ""  # not kept once the job ended
    assert done.document.versions.get().original_sha256 == job.original_sha256
    assert blob_path(job.original_sha256).read_bytes() == original
    (retried,) = events_for_object("ingest_job", job.pk).filter(action="quarantine_retried")
    assert retried.actor == "poststelle"
    assert retried.data["previous"] == {"state": "refused", "code": "ENCRYPTED_PDF"}
    assert retried.data["password_given"] is True and "geheim" not in str(retried.data)


def test_release_needs_a_reason_closes_the_job_and_keeps_the_original(demo, encrypted):
    job, original = encrypted
    refused = _page("poststelle").post(f"/quarantaene/{job.pk}/freigeben", {"reason": "  "})
    assert _messages(refused) == [
        "Bitte geben Sie einen Grund für die Freigabe an. (REASON_REQUIRED)"]
    assert _actions(job) == []
    client = _page("poststelle")
    reason = "Testseite des Scanners, kein Eingang"
    response = client.post(f"/quarantaene/{job.pk}/freigeben", {"reason": reason})
    assert _messages(response) == ["Die Datei ist freigegeben; das Original bleibt gespeichert."]
    assert job.original_name not in _open_list(client)
    html = client.get("/quarantaene/").content.decode()
    released = html.split('id="released"')[1].split("</table>")[0]
    assert job.original_name in released and reason in released
    (event,) = events_for_object("ingest_job", job.pk).filter(action="quarantine_released")
    assert (event.actor, event.purpose, event.data["code"]) == (
        "poststelle", reason, "ENCRYPTED_PDF")
    assert IngestJob.objects.get(pk=job.pk).state == JobState.REFUSED  # kept as it was
    assert blob_path(job.original_sha256).read_bytes() == original
    # Released is done with: no second action on it.
    again = _page("poststelle").post(f"/quarantaene/{job.pk}/erneut", {})
    assert "NOT_IN_QUARANTINE" in _messages(again)[0]
    assert _actions(job) == ["quarantine_released"]


def test_hand_to_a_unit_routes_the_file_into_the_inbox_marked_for_that_unit(demo, lost):
    client = _page("poststelle")
    missing_note = client.post(f"/quarantaene/{lost.pk}/sachgebiet", {"unit": "B"})
    assert "NOTE_REQUIRED" in _messages(missing_note)[0]
    bad_unit = _page("poststelle").post(f"/quarantaene/{lost.pk}/sachgebiet",
                                        {"unit": "Z", "note": "x"})
    assert "UNKNOWN_UNIT" in _messages(bad_unit)[0]
    assert _actions(lost) == []
    note = "Gehört zum Fall Wohngeld, bitte dort zuordnen"
    response = _page("poststelle").post(f"/quarantaene/{lost.pk}/sachgebiet",
                                        {"unit": "B", "note": note})
    assert _messages(response) == ["Die Datei wird für das Sachgebiet erneut verarbeitet."]
    (handed,) = events_for_object("ingest_job", lost.pk).filter(action="quarantine_handed")
    assert (handed.actor, handed.purpose, handed.data["unit"]) == ("poststelle", note, "B")
    done = job_run(lost.pk, worker="test")
    assert done.state == JobState.INBOX, done.message
    # In the inbox, marked (and filterable) for Sachgebiet B, with the note beside it.
    inbox = client.get("/posteingang/?sachgebiet=B").content.decode()
    row = inbox.split(f"/dokumente/{done.document_id}/")[1].split("</tr>")[0]
    assert 'data-unit="B"' in row and note in row
    assert f"/dokumente/{done.document_id}/" not in client.get(
        "/posteingang/?sachgebiet=A").content.decode()


def test_nobody_but_the_mailroom_sees_or_acts_on_the_quarantine(demo, encrypted):
    job, _original = encrypted
    for username in ("sachbearbeitung-a", "sachbearbeitung-b", "datenschutz", "admin"):
        client = _page(username)
        assert client.get("/quarantaene/").status_code == 404
        for action, data in (("erneut", {}), ("freigeben", {"reason": "x"}),
                             ("sachgebiet", {"unit": "A", "note": "x"})):
            foreign = client.post(f"/quarantaene/{job.pk}/{action}", data)
            unknown = client.post(f"/quarantaene/00000000-0000-0000-0000-000000000000/{action}",
                                  data)
            assert foreign.status_code == unknown.status_code == 404
    assert IngestJob.objects.get(pk=job.pk).state == JobState.REFUSED
    assert _actions(job) == []
    assert _page("poststelle").post(
        "/quarantaene/00000000-0000-0000-0000-000000000000/erneut").status_code == 404


def test_a_job_that_is_not_in_quarantine_is_left_alone(demo, tmp_path):
    letter = born_digital_pdf(tmp_path / "gut.pdf", ["Antrag auf Wohngeld"])
    job = job_run(job_receive(path=letter, original_name=letter.name, source="upload").pk,
                  worker="test")
    assert job.state == JobState.INBOX
    response = _page("poststelle").post(f"/quarantaene/{job.pk}/erneut", {})
    assert "NOT_IN_QUARANTINE" in _messages(response)[0]
    assert IngestJob.objects.get(pk=job.pk).state == JobState.INBOX and _actions(job) == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/quarantaene/").status_code == 200
    return len(captured.captured_queries)


def test_the_quarantine_page_makes_a_fixed_number_of_queries(demo):
    def more(n, start):
        for i in range(start, start + n):
            IngestJob.objects.create(source="upload", original_name=f"datei-{i}.pdf",
                                     original_sha256=f"{i:064d}", original_size=1,
                                     state=JobState.REFUSED, code="EMPTY_FILE")
            IngestJob.objects.create(source="upload", original_name=f"frei-{i}.pdf",
                                     original_sha256=f"{i:064d}", original_size=1,
                                     state=JobState.FAILED, code="WORKER_LOST",
                                     provenance={"quarantine_closed": {"reason": "x"}})

    client = _page("poststelle")
    more(2, 0)
    few = _queries(client)
    more(10, 100)
    assert _queries(client) == few
