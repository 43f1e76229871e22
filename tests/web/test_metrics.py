"""/metrics after real work: a letter through the whole pipeline (real OCR), a refused file
and a search. The counts show up, and nothing personal does: no name searched for, no file
name, no subject, no file reference, no user; every label value from a fixed list."""
import re

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from archive.labels import ERROR_CODES
from ingest.jobs import job_receive
from ingest.models import JobState
from ingest.pipeline import job_run
from tests.conftest import sqlite_only, user
from tests.fixtures.letters import Letter, render_letter

# Real OCR and nothing the database decides: the SQLite pass is enough (tests/conftest.py).
pytestmark = [pytest.mark.django_db, sqlite_only]

# Written here, not taken from the code under test.
ALLOWED_LABELS = {
    "queue": {"ingest", "index"},
    "state": {"queued", "running", "filed", "inbox", "duplicate", "split", "refused", "failed"},
    "outcome": {"done", "refused", "failed"},
    "code": set(ERROR_CODES) | {"none", "OTHER"},
    "backend": {"tantivy", "whoosh", "postgres", "other"},
    "heartbeat": {"fresh", "stale"},
}
NUMBER = re.compile(r"^(\+Inf|[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?)$")


def _samples(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text)
            for sample in family.samples]


def _value(samples, name: str, **labels) -> float:
    return sum(sample.value for sample in samples if sample.name == name
               and all(sample.labels.get(k) == v for k, v in labels.items()))


def test_metrics_count_real_work_and_carry_no_personal_data(demo, tmp_path):
    person, subject = "Quirinella Zwetschkenbaum", "Wohngeldantrag Xerophila"
    case_file = demo["A"]
    letter = Letter(sender=[person, "Am Mühlbach 3", "80331 München"],
                    closing=["Mit freundlichen Grüßen", "", person],
                    file_reference=case_file.file_reference, subject=subject)
    scan = render_letter(tmp_path / "Zwetschkenbaum-Antrag.pdf", letter)
    filed = job_run(job_receive(path=scan, original_name=scan.name, source="upload",
                                submitted_by="poststelle").pk, worker="test")
    assert filed.state in (JobState.FILED, JobState.INBOX), filed.message
    assert filed.ocr_seconds and filed.ocr_seconds > 0
    junk = tmp_path / "Zwetschkenbaum-Geheim.bin"
    junk.write_bytes(b"\x00\x01 not a document " * 50)
    refused = job_run(job_receive(path=junk, original_name=junk.name, source="upload").pk,
                      worker="test")
    assert refused.state in (JobState.REFUSED, JobState.FAILED) and refused.code

    client = Client()
    client.force_login(user("sachbearbeitung-a"))
    assert client.get("/suche/", {"q": person}).status_code == 200
    assert client.get("/suche/", {"q": case_file.file_reference}).status_code == 200

    response = Client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    samples = _samples(text)

    # The work shows up.
    assert _value(samples, "registratur_ocr_seconds_per_page_count") >= filed.pages >= 1
    assert _value(samples, "registratur_ocr_seconds_per_page_sum") >= filed.ocr_seconds * 0.999
    assert _value(samples, "registratur_ingest_jobs_total", outcome="done",
                  state=filed.state, code="none") >= 1
    assert _value(samples, "registratur_ingest_jobs_total", outcome=str(
        {"refused": "refused", "failed": "failed"}[refused.state]),
        code=refused.code if refused.code in ERROR_CODES else "OTHER") >= 1
    assert _value(samples, "registratur_search_seconds_count") >= 2
    assert {s.labels["queue"] for s in samples if s.name == "registratur_queue_length"} == {
        "ingest", "index"}

    # Nothing personal: not in labels, not anywhere in the text.
    for token in ("Quirinella", "Zwetschkenbaum", "Xerophila", "Wohngeldantrag",
                  case_file.file_reference, "sachbearbeitung", "poststelle", ".pdf", ".bin",
                  str(filed.pk), str(refused.pk)):
        assert token.lower() not in text.lower(), token
    for sample in samples:
        for key, value in sample.labels.items():
            if key == "le":
                assert NUMBER.match(value), (sample.name, value)
            else:
                assert key in ALLOWED_LABELS, (sample.name, key)
                assert value in ALLOWED_LABELS[key], (sample.name, key, value)
