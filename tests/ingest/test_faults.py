"""Faults: transient ones are retried with backoff and end in quarantine when attempts run
out; the time and memory limits of a job refuse with their codes and keep the original."""
import errno

import pytest
from django.test import override_settings

from archive.blobstore import blob_path
from ingest import pipeline
from ingest.errors import transient
from ingest.jobs import MAX_ATTEMPTS, job_receive
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from ingest.steps import filing
from tests.fixtures import formats
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = pytest.mark.django_db


def test_transient_fault_is_retried_with_backoff_then_quarantined(demo, tmp_path, monkeypatch):
    def disk_gone(ctx):
        raise transient("STORAGE_UNAVAILABLE", "Der Speicher ist nicht erreichbar.")

    monkeypatch.setattr(pipeline, "STEPS", [("triage", disk_gone)])
    path = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag"])
    job = job_receive(path=path, original_name=path.name, source="test")
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        job = job_run(job.pk, worker="test")
        if attempt < MAX_ATTEMPTS:
            assert (job.state, job.code, job.attempts) == (JobState.QUEUED, "STORAGE_UNAVAILABLE",
                                                           attempt)
            delays.append((job.retry_at - job.enqueued_at).total_seconds())
    assert delays[1] == 2 * delays[0] > 0  # exponential backoff
    assert (job.state, job.code) == (JobState.FAILED, "STORAGE_UNAVAILABLE")
    assert "3 Versuchen" in job.message
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


def test_time_limit_refuses_and_keeps_the_original(demo, tmp_path):
    scan = formats.save_pdf(tmp_path / "scan.pdf", [formats.text_page(["Zeitlimit"])] * 3)
    with override_settings(INGEST_TIMEOUT_SECONDS=1):
        job = job_run(job_receive(path=scan, original_name=scan.name, source="test").pk,
                      worker="test")
    assert (job.state, job.code) == (JobState.REFUSED, "TIMEOUT")
    assert "1 s" in job.message
    assert blob_path(job.original_sha256).read_bytes() == scan.read_bytes()


def test_memory_limit_refuses(demo, tmp_path):
    scan = formats.save_pdf(tmp_path / "scan.pdf", [formats.text_page(["Speicher"])])
    with override_settings(INGEST_MEMORY_MB=60):
        job = job_run(job_receive(path=scan, original_name=scan.name, source="test").pk,
                      worker="test")
    assert (job.state, job.code) == (JobState.REFUSED, "MEMORY_LIMIT"), job.message
    assert IngestJob.objects.get(pk=job.pk).message


def test_a_full_disk_at_the_blob_store_is_retried_not_quarantined(demo, tmp_path, monkeypatch):
    real_put = filing.blob_put_file
    faults = []

    def disk_full_once(path):
        if not faults:
            faults.append(path)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_put(path)

    monkeypatch.setattr(filing, "blob_put_file", disk_full_once)
    path = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag auf Wohngeld"])
    job = job_run(job_receive(path=path, original_name=path.name, source="test").pk,
                  worker="test")
    assert (job.state, job.code) == (JobState.QUEUED, "STORAGE_FULL"), job.message
    assert job.retry_at > job.enqueued_at and "No space left" in job.message
    job = job_run(job.pk, worker="test")
    assert job.state == JobState.INBOX and job.document is not None
    assert job.attempts == 2


def test_an_os_error_that_is_not_the_disk_is_not_retried(demo, tmp_path, monkeypatch):
    def broken(path):
        raise OSError("cannot identify image file")

    monkeypatch.setattr(filing, "blob_put_file", broken)
    path = born_digital_pdf(tmp_path / "brief.pdf", ["Antrag"])
    job = job_run(job_receive(path=path, original_name=path.name, source="test").pk,
                  worker="test")
    assert (job.state, job.code) == (JobState.FAILED, "INTERNAL_ERROR")
