"""Batch scanning: separator sheets (PATCH-T, QR) split a batch and are not archived, an
unreadable separator does not split, a printed cover sheet routes the following pages into
its case file, and declared versus found pages flag the batch."""
import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from archive.models import Document, Version
from archive.selectors import events_for_object
from ingest import pipeline
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from ingest.reporting import job_status
from ingest.sheets import cover_sheet_pdf, separator_sheet_pdf
from ingest.steps import split as split_step
from tests.conftest import DEMO_PASSWORD, registratur
from tests.fixtures import formats
from tests.fixtures.born_digital import born_digital_pdf


def _run_all(job):
    """Run a job and its children as a worker would."""
    job = job_run(job.pk, worker="test")
    return job, [job_run(child.pk, worker="test") for child in job.children.order_by("created_at")]


def _receive(path, **kwargs):
    return job_receive(path=path, original_name=path.name, source="test", **kwargs)


def _while_at(monkeypatch, step_name: str, first, second) -> list:
    """Run `second` to its end while `first` is at `step_name`: both passed triage before
    either was archived, as two copies arriving at the same moment do."""
    ran = []
    steps = dict(pipeline.STEPS)

    def interleaved(ctx):
        if ctx.job.pk == first.pk and not ran:
            ran.append(job_run(second.pk, worker="other-worker"))
        return steps[step_name](ctx)

    monkeypatch.setattr(pipeline, "STEPS", [(name, interleaved if name == step_name else step)
                                            for name, step in pipeline.STEPS])
    return ran


def _letter(word: str, reference: str = ""):
    lines = [word, "Sehr geehrte Damen und Herren"]
    return formats.text_page([*lines, f"Az. {reference}"] if reference else lines)


@pytest.mark.django_db
def test_patch_t_and_qr_separators_split_and_are_not_archived(demo, tmp_path, monkeypatch):
    # pdfium reads the pages in a child process: the count is kept in a file, not a list.
    searched = tmp_path / "searched"
    searched.write_text("")
    real_find_sheets = split_step.find_sheets

    def find_sheets(path):
        with searched.open("a") as record:
            record.write(f"{path}\n")
        return real_find_sheets(path)

    monkeypatch.setattr(split_step, "find_sheets", find_sheets)
    pages = [_letter("Widerspruch"), formats.patch_t_sheet(), _letter("Mietvertrag"),
             _letter("Nebenkosten"), formats.pdf_page_image(separator_sheet_pdf()),
             _letter("Kontoauszug")]
    batch = formats.save_pdf(tmp_path / "stapel.pdf", pages)
    job = job_receive(path=batch, original_name=batch.name, source="test",
                      provenance={"scan": {"pages_declared": 6, "device": "Fujitsu fi-7160",
                                           "profile": "300 dpi grau", "operator": "poststelle"}})
    parent, parts = _run_all(job)
    assert parent.state == JobState.SPLIT and not parent.flagged
    assert [part.state for part in parts] == [JobState.INBOX] * 3
    assert [part.pages for part in parts] == [1, 2, 1]
    texts = [part.document.versions.get().text for part in parts]
    assert "Widerspruch" in texts[0] and "Mietvertrag" in texts[1] and "Nebenkosten" in texts[1]
    assert "Trennblatt" not in " ".join(texts)  # separator pages are not archived
    provenance = parts[0].document.versions.get().provenance
    note = provenance["batch"]["scan"]["transfer_note"]
    assert note["scan_sha256"] == parent.original_sha256
    assert (note["device"], note["pages_declared"], note["pages_found"]) == (
        "Fujitsu fi-7160", 6, 6)
    logged = events_for_object("ingest_job", parent.pk).get(action="transfer_note")
    assert logged.data["note_sha256"] == note["note_sha256"]
    # The batch was searched for sheets once; its parts, which hold none, are not again.
    assert len(searched.read_text().splitlines()) == 1
    # A part records its own pages; the batch's declared and found pages stay the batch's.
    scan = parts[1].document.versions.get().provenance["scan"]
    assert scan["pages_found"] == 2 and scan.get("pages_declared") is None
    assert scan["device"] == "Fujitsu fi-7160"
    assert (provenance["batch"]["pages_declared"], provenance["batch"]["pages_found"]) == (6, 6)


@pytest.mark.django_db
def test_unreadable_separator_does_not_split(demo, tmp_path):
    pages = [_letter("Widerspruch"), formats.patch_t_sheet(damaged=True), _letter("Mietvertrag")]
    batch = formats.save_pdf(tmp_path / "stapel.pdf", pages)
    job = job_run(job_receive(path=batch, original_name=batch.name, source="test").pk,
                  worker="test")
    assert job.state == JobState.INBOX and job.pages == 3
    assert not job.children.exists()


@pytest.mark.django_db
def test_cover_sheet_routes_pages_into_its_case_file(demo, tmp_path):
    case_file = demo["A"]
    cover = cover_sheet_pdf(file_reference=case_file.file_reference, title=case_file.title)
    pages = [formats.pdf_page_image(cover), _letter("Widerspruch"), _letter("Anlage")]
    batch = formats.save_pdf(tmp_path / "deckblatt.pdf", pages)
    parent, parts = _run_all(job_receive(path=batch, original_name=batch.name, source="test"))
    assert parent.state == JobState.SPLIT
    (part,) = parts
    assert part.state == JobState.FILED, part.message
    assert part.document.case_file == case_file and part.pages == 2
    assert part.suggestions["file_reference"]["confidence"] == 1.0


@pytest.mark.django_db
def test_declared_and_found_pages_differ_flags_the_batch(demo, tmp_path):
    case_file = demo["A"]
    batch = formats.save_pdf(tmp_path / "brief.pdf",
                             [_letter("Widerspruch", case_file.file_reference)])
    job = job_receive(path=batch, original_name=batch.name, source="test",
                      provenance={"scan": {"pages_declared": 2}})
    job = job_run(job.pk, worker="test")
    assert job.flagged
    assert job.state == JobState.INBOX  # not filed automatically despite the reference
    assert job.document.versions.get().provenance["scan"]["transfer_note"]["pages_match"] is False


def test_cli_reports_each_part_of_a_split_batch(demo_tx, tmp_path):
    pages = [_letter("Widerspruch"), formats.patch_t_sheet(), _letter("Mietvertrag")]
    batch = formats.save_pdf(tmp_path / "stapel.pdf", pages)
    result = registratur("ingest", str(batch), "--wait", "--json", "--pages-declared", "3")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["status"] for line in lines] == ["inbox", "inbox"]
    assert all(line["pages"] == 1 for line in lines)
    again = registratur("ingest", str(batch), "--wait", "--json")
    assert again.returncode == 0, again.stderr
    repeated = [json.loads(line) for line in again.stdout.splitlines()]
    assert [line["status"] for line in repeated] == ["duplicate", "duplicate"]
    assert sorted(line["document"] for line in repeated) == sorted(
        line["document"] for line in lines)
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_the_same_batch_again_is_a_duplicate_naming_its_documents(demo, tmp_path):
    pages = [_letter("Widerspruch"), formats.patch_t_sheet(), _letter("Mietvertrag")]
    batch = formats.save_pdf(tmp_path / "stapel.pdf", pages)
    first, parts = _run_all(_receive(batch))
    assert first.state == JobState.SPLIT and len(parts) == 2
    archived = Document.objects.count()
    again = job_run(_receive(batch).pk, worker="test")
    assert (again.state, again.code) == (JobState.DUPLICATE, "DUPLICATE"), again.message
    assert not again.children.exists() and Document.objects.count() == archived
    status = job_status(again)
    assert [line["document"] for line in status["outcomes"]] == [p.document_id for p in parts]
    assert {line["status"] for line in status["outcomes"]} == {"duplicate"}
    assert "bereits" in status["outcome"]["message"]
    api = APIClient()
    assert api.login(username="poststelle", password=DEMO_PASSWORD)
    named = api.get(f"/api/jobs/{again.pk}/").json()
    assert named["state"] == "duplicate"
    assert [line["document"] for line in named["outcomes"]] == [p.document_id for p in parts]


@pytest.mark.django_db
def test_two_copies_of_a_batch_split_at_the_same_time_are_split_once(demo, tmp_path,
                                                                      monkeypatch):
    pages = [_letter("Widerspruch"), formats.patch_t_sheet(), _letter("Mietvertrag")]
    batch = formats.save_pdf(tmp_path / "stapel.pdf", pages)
    first, second = _receive(batch), _receive(batch)
    ran = _while_at(monkeypatch, "split", first, second)
    first = job_run(first.pk, worker="test")
    (second,) = ran
    assert second.state == JobState.SPLIT and second.children.count() == 2
    assert first.state == JobState.DUPLICATE, first.message
    assert not first.children.exists()


@pytest.mark.django_db
def test_two_copies_of_a_file_filed_at_the_same_time_are_archived_once(demo, tmp_path,
                                                                       monkeypatch):
    path = born_digital_pdf(tmp_path / "antrag.pdf", ["Antrag auf Wohngeld"])
    first, second = _receive(path), _receive(path)
    ran = _while_at(monkeypatch, "extract", first, second)
    first = job_run(first.pk, worker="test")
    (second,) = ran
    assert second.state == JobState.INBOX
    assert (first.state, first.document_id) == (JobState.DUPLICATE, second.document_id)
    assert Version.objects.filter(original_sha256=path_sha(path)).count() == 1


def path_sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_workers_filing_two_copies_at_once_archive_one(demo_tx, tmp_path, monkeypatch):
    """Real concurrency: two threads (two database connections) both pass triage, wait for
    each other, then file at the same moment; the lock on the hash lets one through."""
    path = born_digital_pdf(tmp_path / "zweimal.pdf", ["Antrag auf Wohngeld, zweimal"])
    jobs = [_receive(path), _receive(path)]
    both_past_triage = threading.Barrier(2, timeout=120)
    steps = dict(pipeline.STEPS)

    def extract_together(ctx):
        both_past_triage.wait()
        return steps["extract"](ctx)

    monkeypatch.setattr(pipeline, "STEPS", [
        (name, extract_together if name == "extract" else step) for name, step in pipeline.STEPS])
    results = {}

    def work(job):
        try:
            results[job.pk] = job_run(job.pk, worker=f"thread-{job.pk}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    states = sorted(job.state for job in results.values())
    assert states == [JobState.DUPLICATE, JobState.INBOX], [j.message for j in results.values()]
    assert Version.objects.filter(original_sha256=path_sha(path)).count() == 1
    assert len({job.document_id for job in results.values()}) == 1
