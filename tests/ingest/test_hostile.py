"""Hostile and broken input, and what a job leaves behind: progress against the whole recipe,
a page limit at triage, refusals that name the file and nothing of the server, a mail nested
too deep, a flate bomb parsed outside the worker, and no copies left after a killed job."""
import os
import resource
import time
import uuid
import zlib
from datetime import timedelta
from email.message import EmailMessage

import pikepdf
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from ingest import jobs as job_store
from ingest.jobs import job_receive, step_listeners, workdirs_sweep
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from ingest.recipe import recipe
from ingest.reporting import job_progress, job_status
from ingest.steps import filing
from tests.fixtures import formats
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db


def _run(path, **kwargs):
    job = job_receive(path=path, original_name=path.name, source="test", **kwargs)
    return job_run(job.pk, worker="test")


def _assert_no_server_paths(message: str) -> None:
    for secret in (str(settings.DATA_DIR), str(settings.WORK_DIR), str(settings.BLOB_DIR),
                   "blobs", "/tmp", "job-"):
        assert secret not in message, message


def test_progress_covers_every_step_of_the_recipe_and_ends_at_100(demo, tmp_path):
    path = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag auf Wohngeld"])
    job = job_receive(path=path, original_name=path.name, source="test")
    seen = []

    def listener(running_job, step):
        seen.append((step, job_progress(IngestJob.objects.get(pk=running_job.pk))["percent"]))
    step_listeners.append(listener)
    try:
        job = job_run(job.pk, worker="test")
    finally:
        step_listeners.remove(listener)
    assert job.state == JobState.INBOX, job.message
    progress = job_status(job)["progress"]
    names = [step["name"] for step in progress["steps"]]
    assert names == recipe() and "thumbnail" in names and names[-1] == "file"
    assert all(step["done"] for step in progress["steps"]) and progress["percent"] == 100
    assert [step for step, _ in seen] == names
    # Never 100 while a step still runs: the last step starts below it.
    assert all(percent < 100 for _, percent in seen), seen


def test_a_pdf_with_too_many_pages_is_refused_at_triage(demo, tmp_path):
    path = tmp_path / "riesig.pdf"
    with pikepdf.new() as pdf:
        for _ in range(30):
            pdf.add_blank_page()
        pdf.save(path)
    with override_settings(INGEST_MAX_PAGES=20):
        job = _run(path)
    assert (job.state, job.code) == (JobState.REFUSED, "TOO_MANY_PAGES"), job.message
    assert "30" in job.message and "20" in job.message and "riesig.pdf" in job.message
    assert job.step == "triage" and job.steps_done == []  # nothing rendered, nothing prepared


@pytest.mark.parametrize(("name", "content", "code"), [
    ("kaputt.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>\n%%EOF garbage", "CORRUPT_PDF"),
    ("kaputt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "CORRUPT_IMAGE"),
])
def test_refusals_name_the_file_not_the_servers_copy(demo, tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    job = _run(path)
    assert (job.state, job.code) == (JobState.REFUSED, code)
    assert name in job.message
    _assert_no_server_paths(job.message)


def test_an_internal_error_does_not_show_the_exception_text(demo, tmp_path, monkeypatch):
    def broken(path):
        raise ValueError(f"cannot write {settings.BLOB_DIR}/ab/cdef")

    monkeypatch.setattr(filing, "blob_put_file", broken)
    job = _run(born_digital_pdf(tmp_path / "brief.pdf", ["Antrag"]))
    assert (job.state, job.code) == (JobState.FAILED, "INTERNAL_ERROR")
    _assert_no_server_paths(job.message)


def _nested_mail(levels: int) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "0"
    message.set_content("innen")
    for level in range(1, levels + 1):
        outer = EmailMessage()
        outer["From"], outer["To"] = "a@example.org", "b@example.org"
        outer["Subject"] = f"Fwd {level}"
        outer.set_content("weitergeleitet")
        outer.add_attachment(message)
        message = outer
    return message.as_bytes()


def test_a_mail_nested_sixty_levels_deep_is_refused_as_one_job(demo, tmp_path):
    path = tmp_path / "tief.eml"
    path.write_bytes(_nested_mail(60))
    before = IngestJob.objects.count()
    job = _run(path)
    assert (job.state, job.code) == (JobState.REFUSED, "MAIL_TOO_DEEP"), job.message
    assert not job.children.exists() and IngestJob.objects.count() == before + 1
    assert "tief.eml" in job.message


def _flate_bomb(path, inflated_mb: int) -> None:
    """A one-page PDF whose content stream is a few hundred KB and inflates to `inflated_mb`."""
    packer = zlib.compressobj(9)
    chunk = b"0 0 m\n" * (1024 * 1024 // 6)
    packed = b"".join(packer.compress(chunk) for _ in range(inflated_mb)) + packer.flush()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        stream = pikepdf.Stream(pdf, packed)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.pages[0].Contents = stream
        pdf.save(path)


def test_a_flate_bomb_is_parsed_outside_the_worker(demo, tmp_path):
    path = tmp_path / "bombe.pdf"
    _flate_bomb(path, 400)
    assert path.stat().st_size < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with override_settings(INGEST_MEMORY_MB=200):
        job = _run(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 150, f"the worker grew by {grown_mb:.0f} MB"
    assert job.state in (JobState.REFUSED, JobState.FAILED) and job.code, job.message
    assert job.code != "INTERNAL_ERROR", job.message


def test_a_job_killed_by_its_time_limit_leaves_no_copies(demo, tmp_path, monkeypatch):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(system_tmp))
    # Sixteen scanned pages take OCR well past the limit even on an idle machine (four did
    # not), while triage, preparing and splitting stay well within it.
    scan = formats.save_pdf(tmp_path / "scan.pdf", [formats.text_page(["Zeitlimit"])] * 16)
    with override_settings(INGEST_TIMEOUT_SECONDS=8):
        job = _run(scan)
    assert (job.state, job.code) == (JobState.REFUSED, "TIMEOUT"), job.message
    assert job.step == "ocr"  # killed while OCRmyPDF was at work
    assert list(system_tmp.iterdir()) == []
    assert not job_store.job_workdir(job.pk).exists()
    assert not list(settings.WORK_DIR.glob(f"job-{job.pk}*"))


def test_the_sweep_removes_folders_of_dead_jobs_only(demo, tmp_path):
    path = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag"])
    running = job_receive(path=path, original_name="a.pdf", source="test")
    IngestJob.objects.filter(pk=running.pk).update(
        state=JobState.RUNNING, lease_until=timezone.now() + timedelta(minutes=5))
    lost = job_receive(path=path, original_name="b.pdf", source="test")
    IngestJob.objects.filter(pk=lost.pk).update(
        state=JobState.RUNNING, lease_until=timezone.now() - timedelta(minutes=5))
    folders = {job_id: job_store.job_workdir(job_id) for job_id in
               (running.pk, lost.pk, uuid.uuid4())}
    for folder in folders.values():
        (folder / "tmp" / "ocrmypdf.io.x").mkdir(parents=True)
    left, receiving = settings.WORK_DIR / "tmpold.eml", settings.WORK_DIR / "tmpnew.eml"
    left.write_bytes(b"From: a")
    receiving.write_bytes(b"From: b")
    os.utime(left, (time.time() - 7200, time.time() - 7200))
    # A redaction or export killed midway, and an upload whose request died while spooling.
    redaction, spooled = settings.WORK_DIR / "redact-x", settings.WORK_DIR / "uploads" / "u.part"
    (redaction / "page-1.png").parent.mkdir(parents=True)
    (redaction / "page-1.png").write_bytes(b"png")
    spooled.parent.mkdir(parents=True, exist_ok=True)
    spooled.write_bytes(b"%PDF")
    for old in (redaction, spooled):
        os.utime(old, (time.time() - 7200, time.time() - 7200))
    workdirs_sweep()
    assert not left.exists() and receiving.exists()
    assert not redaction.exists() and not spooled.exists() and spooled.parent.exists()
    receiving.unlink()
    assert folders[running.pk].exists()  # another worker's job, still under its lease
    assert not folders[lost.pk].exists() and not folders[next(iter(list(folders)[2:]))].exists()
