"""Sources: an IMAP mailbox on a real dovecot server started by the test, and hot-folder
subfolders that the configuration routes to a case file or a unit."""
import imaplib
import json
from email.message import EmailMessage

import pytest
from django.test import Client, override_settings

from ingest.imap import imap_poll
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.watcher import HotFolderWatcher
from tests.conftest import DEMO_PASSWORD, registratur
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.imapserver import start_imap_server


@pytest.fixture
def imap_server():
    server = start_imap_server()
    if server is None:
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    yield server
    server.stop()


def _deliver(server, message: EmailMessage) -> None:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    client.append("INBOX", None, None, bytes(message))
    client.logout()


def _mail(subject: str, attachment: bytes | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Erika Mustermann <erika@example.org>"
    message["To"] = "post@stadt.example"
    message["Subject"] = subject
    message["Date"] = "Wed, 11 Mar 2026 10:00:00 +0100"
    message.set_content("Guten Tag,\nanbei die Unterlagen.\nMit freundlichen Grüßen")
    if attachment:
        message.add_attachment(attachment, maintype="application", subtype="pdf",
                               filename="lohnabrechnung.pdf")
    return message


@pytest.mark.django_db
def test_imap_mail_is_received_once_with_its_attachments(demo, imap_server, tmp_path):
    pdf = born_digital_pdf(tmp_path / "lohn.pdf", ["Lohnabrechnung Februar"]).read_bytes()
    _deliver(imap_server, _mail("Unterlagen zum Wohngeldantrag", pdf))
    _deliver(imap_server, _mail("Frage ohne Anhang"))
    jobs = imap_poll(imap_server.url)
    assert len(jobs) == 2
    assert imap_poll(imap_server.url) == []  # marked seen: not received twice
    with_attachment, without = (job_run(job.pk, worker="test") for job in jobs)
    assert with_attachment.state == JobState.INBOX, with_attachment.message
    document = with_attachment.document
    assert document.title == "Unterlagen zum Wohngeldantrag"
    assert "Erika Mustermann" in document.sender and document.medium == "email"
    assert "anbei die Unterlagen" in document.versions.get().text
    child = job_run(with_attachment.children.get().pk, worker="test")
    assert "Lohnabrechnung Februar" in child.document.versions.get().text
    assert without.state == JobState.INBOX and not without.children.exists()
    assert without.document.title == "Frage ohne Anhang"


@pytest.mark.django_db
def test_hot_folder_subfolders_route_to_case_file_and_unit(demo, tmp_path, monkeypatch):
    # The watcher process closes stale connections between passes; here that would close
    # the test's own transaction.
    monkeypatch.setattr("ingest.watcher.close_old_connections", lambda: None)
    case_a, case_b = demo["A"], demo["B"]
    routes = {"akte-a": {"case_file": case_a.file_reference}, "sachgebiet-a": {"unit": "A"}}
    root = tmp_path / "consume"
    (root / "akte-a").mkdir(parents=True)
    (root / "sachgebiet-a").mkdir()
    born_digital_pdf(root / "akte-a" / "ohne-az.pdf", ["Nachreichung ohne Aktenzeichen"])
    born_digital_pdf(root / "sachgebiet-a" / "falsches-sg.pdf",
                     ["Antrag", f"Aktenzeichen {case_b.file_reference}"])
    with override_settings(HOTFOLDER_ROUTES=routes):
        watcher = HotFolderWatcher(root)
        watcher.scan_once()
        jobs = {job.original_name: job for job in watcher.scan_once()}
    routed = job_run(jobs["ohne-az.pdf"].pk, worker="test")
    assert routed.state == JobState.FILED and routed.document.case_file == case_a
    other_unit = job_run(jobs["falsches-sg.pdf"].pk, worker="test")
    assert other_unit.state == JobState.INBOX  # B's reference in A's folder: checked by hand


def test_cli_shows_each_step_on_stderr_and_keeps_stdout_json(demo_tx, tmp_path):
    pdf = born_digital_pdf(tmp_path / "antrag.pdf",
                           ["Antrag auf Wohngeld", f"Aktenzeichen {demo_tx['A'].file_reference}"])
    result = registratur("ingest", str(pdf), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(line) for line in result.stdout.splitlines()]  # nothing but JSON
    assert line["status"] == "filed"
    shown = [row.split(": ")[-1] for row in result.stderr.splitlines()
             if row.startswith("antrag.pdf: ")]
    assert shown == ["triage", "prepare", "split", "ocr", "extract", "thumbnail", "file"]
    plain = born_digital_pdf(tmp_path / "brief.pdf", ["Nachreichung"])
    result = registratur("ingest", str(plain), "--wait")
    assert result.returncode == 0, result.stderr
    assert "brief.pdf: ocr" in result.stderr and "brief.pdf: file" in result.stderr
    assert result.stdout.startswith("inbox")


@pytest.mark.django_db
def test_a_unit_subfolder_files_into_its_units_case_file_and_marks_its_inbox_post(
        demo, tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.watcher.close_old_connections", lambda: None)
    case_a, case_b = demo["A"], demo["B"]
    root = tmp_path / "consume"
    (root / "sachgebiet-a").mkdir(parents=True)
    born_digital_pdf(root / "sachgebiet-a" / "zwei-az.pdf", [
        "Widerspruch", f"Az. {case_b.file_reference} und {case_a.file_reference}"])
    born_digital_pdf(root / "sachgebiet-a" / "ohne-az.pdf", ["Nachreichung ohne Aktenzeichen"])
    born_digital_pdf(root / "zwei-az.pdf", [
        "Widerspruch gegen den Bescheid",
        f"Az. {case_b.file_reference} und {case_a.file_reference}"])
    born_digital_pdf(root / "lose.pdf", ["Brief ohne Ordner"])
    with override_settings(HOTFOLDER_ROUTES={"sachgebiet-a": {"unit": "A"}}):
        watcher = HotFolderWatcher(root)
        watcher.scan_once()
        jobs = {job.provenance["hotfolder_path"]: job for job in watcher.scan_once()}
    done = {path: job_run(job.pk, worker="test") for path, job in jobs.items()}
    # Two references: in A's folder, the one case file of A is the target ...
    routed = done["sachgebiet-a/zwei-az.pdf"]
    assert routed.state == JobState.FILED and routed.document.case_file == case_a
    assert "Sachgebiet A" in routed.suggestions["file_reference"]["reason"]
    # ... while the same letter dropped in the top folder waits for the mailroom.
    assert done["zwei-az.pdf"].state == JobState.INBOX
    meant_for_a, loose = done["sachgebiet-a/ohne-az.pdf"], done["lose.pdf"]
    assert meant_for_a.state == loose.state == JobState.INBOX

    mailroom = Client()
    assert mailroom.login(username="poststelle", password=DEMO_PASSWORD)
    html = mailroom.get("/posteingang/").content.decode()
    row = html.split(f"/dokumente/{meant_for_a.document_id}/")[1].split("</tr>")[0]
    assert 'data-unit="A"' in row and "Sachgebiet A" in row
    assert html.count('data-unit="A"') == 1
    only_a = mailroom.get("/posteingang/", {"sachgebiet": "A"}).content.decode()
    assert f"/dokumente/{meant_for_a.document_id}/" in only_a
    assert f"/dokumente/{loose.document_id}/" not in only_a
    # Meant for A is not yet A's: unfiled post stays the mailroom's to see.
    caseworker = Client()
    assert caseworker.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert caseworker.get("/posteingang/").status_code == 404
    assert caseworker.get(f"/dokumente/{meant_for_a.document_id}/").status_code == 404
