"""Real documents from ../shared/corpus (skipped when the folder is absent): every file is
ingested once and must end as MANIFEST.tsv says a correct program ends it: archived with text,
split at separators, or refused with a specific code. Prints a summary table and the
character error rate of OCR on the groundtruth/ pairs.

Runs on SQLite only: it takes minutes, and the database adds nothing to what it checks.
Runs whenever the corpus is there; REGISTRATUR_CORPUS selects folders (see SELECTED)."""
import csv
import os
import re
import time
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import sqlite_only

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
pytestmark = [
    pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").exists(),
                       reason=f"real-document corpus not found at {CORPUS}"),
    sqlite_only,
    pytest.mark.skipif(os.environ.get("REGISTRATUR_CORPUS") == "none",
                       reason="real-document suite switched off (REGISTRATUR_CORPUS=none)"),
]
# By default every folder; REGISTRATUR_CORPUS names folders instead, e.g. broken,email,barcodes.
SELECTED = [folder.strip() for folder in
            (os.environ.get("REGISTRATUR_CORPUS") or "all").split(",")]

ARCHIVED = ("filed", "inbox")
# What a correct program does with each file, from the MANIFEST's notes. Anything not named
# here is a readable document and must be archived.
EXPECT = {
    "broken/ocrmypdf_invalid_header_eof_only.pdf": ("refused", {"CORRUPT_PDF"}),
    "broken/paperless_encrypted_unknown_pw.pdf": ("refused", {"ENCRYPTED_PDF"}),
    "broken/qpdf_bad1_oops.pdf": ("refused", {"UNSUPPORTED_TYPE"}),
    "broken/ocrmypdf_livecycle_xfa.pdf": ("refused", {"XFA_UNSUPPORTED"}),
    "broken/ocrmypdf_hugemono_35000px_jbig2.pdf": ("refused", {"IMAGE_TOO_LARGE"}),
    "broken/pillow_broken.png": ("refused", {"CORRUPT_IMAGE"}),
    "broken/pypdf_unreadablemetadata.pdf": ("archived-or-refused", {"CORRUPT_PDF"}),
    "broken/qpdf_bad-jpeg.pdf": ("archived-or-refused", {"OCR_FAILED", "CORRUPT_INPUT"}),
    # OCRmyPDF itself fails on the cyclic outline; what counts is that nothing hangs.
    "broken/pikepdf_cyclic-toc.pdf": ("archived-or-refused", {"OCR_FAILED"}),
    "broken/pillow_multipage_multiple_frame_loop.tiff": ("archived-or-refused",
                                                         {"CORRUPT_IMAGE"}),
    "images/docspell_20K-gray_decompression_bomb.png": ("refused", {"IMAGE_TOO_LARGE"}),
    "email/paperless_broken.eml": ("refused", {"UNSUPPORTED_TYPE"}),
    "email/phpmime_issue408_300_attachments.eml": ("refused", {"TOO_MANY_ATTACHMENTS"}),
    "barcodes/paperless_patch-code-t.pdf": ("split", 0),
    "barcodes/paperless_patch-code-t-middle.pdf": ("split", 2),
    "barcodes/paperless_patch-code-t-middle.tiff": ("split", 2),
    "barcodes/paperless_barcode-fax-image.pdf": ("split", 2),
}
# Words the MANIFEST's notes name for a file: its text must contain them.
WORDS = {
    "scans/teedy_issue373_de_scan_barcode.pdf": ("Aufrechterhaltung", "Außentemperatur",
                                                 "Grundumsatzmessungen"),
}
PASSWORDS = {
    "broken/paperless_password-is-test.pdf": "test",
    "broken/pypdf_libreoffice-writer-password.pdf": "openpassword",
    "broken/docspell_encrypted-test123.pdf": "test123",
}
NO_TEXT = ("no text at all", "photo, no text", "text drawn as curves")
SKIPPED_KINDS = ("ground truth text", "zone file", "PAGE-XML")


def _manifest() -> list[dict]:
    if not (CORPUS / "MANIFEST.tsv").exists():
        return []
    with open(CORPUS / "MANIFEST.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = [row for row in rows if not row["kind"].startswith(SKIPPED_KINDS)]
    if "all" not in SELECTED:
        rows = [row for row in rows if row["path"].split("/")[0] in SELECTED]
    return rows


# One test per folder, so that parallel test workers share the corpus between them.
FOLDERS = sorted({row["path"].split("/")[0] for row in _manifest()}) or ["(no corpus)"]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("ſ", "s")
    return re.sub(r"\s+", " ", text).strip()


def _ingest_all(folder: str) -> dict:
    from ingest.jobs import job_receive
    from ingest.models import IngestJob
    from ingest.pipeline import job_run

    results = {}
    for row in _manifest():
        if row["path"].split("/")[0] != folder:
            continue
        path = CORPUS / row["path"]
        started = time.monotonic()
        job = job_receive(path=path, original_name=path.name, source="corpus",
                          password=PASSWORDS.get(row["path"], ""))
        # The language the MANIFEST names, as a deployment configures its post's languages;
        # one language instead of two also keeps the suite's time down.
        languages = [row["language"]] if row["language"] in ("deu", "eng") else ["deu", "eng"]
        with override_settings(OCR_LANGUAGES=languages, INGEST_TIMEOUT_SECONDS=300):
            job = job_run(job.pk, worker="corpus")
            pending = list(job.children.all())
            while pending:  # parts and attachments, as a worker would take them
                child = job_run(pending.pop(0).pk, worker="corpus")
                pending += list(child.children.all())
        job = IngestJob.objects.get(pk=job.pk)
        text = job.document.versions.get().text if job.document else ""
        results[row["path"]] = {"job": job, "text": text, "row": row,
                                "children": list(job.children.all()),
                                "seconds": time.monotonic() - started}
    return results


def _summary(results: dict, rates: list[tuple[str, float]]) -> str:
    lines = [f"{'file':<60} {'outcome':<9} {'code':<24} {'pages':>5} {'seconds':>7}"]
    for name, result in results.items():
        job = result["job"]
        lines.append(f"{name[:60]:<60} {job.state:<9} {job.code or '':<24} "
                     f"{job.pages or '':>5} {result['seconds']:>7.1f}")
    if rates:
        lines += ["", f"{'groundtruth file':<60} {'CER':>7}"]
        lines += [f"{name[:60]:<60} {100 * cer:>6.1f}%" for name, cer in rates]
    return "\n".join(lines)


def _check(name: str, result: dict) -> None:
    job, row = result["job"], result["row"]
    expected, detail = EXPECT.get(name, ("archived", None))
    assert job.is_terminal, f"{name} did not finish"
    if expected == "refused":
        assert (job.state, job.code) in {("refused", code) for code in detail}, \
            (job.state, job.code, job.message)
        assert job.message
    elif expected == "split":
        assert job.state == "split", (job.state, job.code, job.message)
        assert len(result["children"]) == detail
        # Identical pages make identical parts: the second reports the first (duplicate).
        assert all(child.state in (*ARCHIVED, "duplicate") for child in result["children"]), \
            [(child.state, child.code) for child in result["children"]]
    elif expected == "archived-or-refused":
        assert job.state in ARCHIVED or (job.state == "refused" and job.code in detail), \
            (job.state, job.code, job.message)
    else:
        assert job.state in ARCHIVED, (job.state, job.code, job.message)
        if row["pages"].strip().isdigit():
            assert job.pages == int(row["pages"]), job.pages
        if not any(marker in row["notes"] for marker in NO_TEXT):
            assert result["text"].strip(), "archived without text"
        missing = [word for word in WORDS.get(name, ()) if word not in result["text"]]
        assert not missing, f"text lacks {missing}"
        if row["kind"] == "message/rfc822":
            for child in result["children"]:
                assert child.is_terminal and (child.state in ARCHIVED or child.code)


def _character_error_rates(results: dict) -> list[tuple[str, float]]:
    from rapidfuzz.distance import Levenshtein

    rows = []
    for name, result in results.items():
        truth = CORPUS / Path(name).with_suffix(".txt")
        if not name.startswith("groundtruth/") or not truth.exists():
            continue
        expected = _normalise(truth.read_text(encoding="utf-8", errors="replace"))
        found = _normalise(result["text"])
        rows.append((name, Levenshtein.distance(found, expected) / max(1, len(expected))))
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("folder", FOLDERS)
def test_every_corpus_file_ends_as_the_manifest_says(demo, folder, record_property):
    results = _ingest_all(folder)
    failures = []
    for name, result in results.items():
        try:
            _check(name, result)
        except AssertionError as problem:
            failures.append(f"{name}: {problem}")
    rates = _character_error_rates(results)
    # Shown at the end of the run by tests/conftest.py, also from parallel test workers.
    record_property("corpus_summary", _summary(results, rates))
    assert results, f"no MANIFEST entries in {folder}/"
    assert not failures, "\n".join(failures)
    if folder != "groundtruth":
        return
    # Clean modern prints must be read well, also when scanned sideways; Fraktur and degraded
    # scans are only reported.
    clean = [cer for name, cer in rates if name.endswith(
        ("tess_phototest.tif", "tess_phototest-rotated-L.png", "lorem-ipsum-scan.pdf"))]
    assert clean and max(clean) < 0.10, rates
