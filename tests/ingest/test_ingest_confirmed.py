"""The command line of classified ingest (issue 11, point 10): each JSON line names the type
with its confidence, the sender and the person; `--document-type KEY --file-reference REF`
files a document as confirmed, which makes it training data exactly as the mailroom's
confirmation does; unknown types and references are refused before anything is received."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from archive.models import CaseFile, Document
from archive.selectors import events_for_object
from ingest.classification.training_data import training_set
from ingest.models import IngestJob
from tests.conftest import registratur
from tests.fixtures.born_digital import born_digital_pdf
from tests.ingest.classified_post import (
    BECKER_NUMBER,
    becker_letter,
    default_document_types,
    two_beckers,
)

VOLLMACHT = ["Thomas Becker · Mariannenstraße 5 · 04315 Leipzig", "", "Stadt Leipzig",
             "Sozialamt", "04103 Leipzig", "", "Betreff: Vollmacht", "",
             "Sehr geehrte Damen und Herren,", "",
             "hiermit bevollmächtige ich meine Tochter, mich in allen Angelegenheiten zu "
             "vertreten.", "Diese Vollmacht gilt bis auf Widerruf.", "",
             "Mit freundlichen Grüßen", "Thomas Becker"]


def _lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_each_json_line_names_type_confidence_sender_and_person(demo_tx, tmp_path):
    default_document_types()
    beckers = two_beckers()
    pdf = born_digital_pdf(tmp_path / "kdnr.pdf",
                           becker_letter(f"Kundennummer: {BECKER_NUMBER}"))
    result = registratur("ingest", str(pdf), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (line,) = _lines(result)
    assert line["status"] == "filed"
    assert line["file_reference"] == beckers["1990"].file_reference
    assert line["document_type"] == "widerspruch"
    assert 0 < line["document_type_confidence"] < 1  # the rules' own measure, not certainty
    assert line["sender"] == "Thomas Becker"
    person = line["person"]
    assert (person["name"], person["client_number"]) == ("Thomas Becker", BECKER_NUMBER)
    assert (person["file_reference"], person["reason"]) == (beckers["1990"].file_reference,
                                                            "Kundennummer")


def test_a_confirmed_filing_on_the_command_line_becomes_training_data(demo_tx, tmp_path):
    default_document_types()
    target = demo_tx["A"]
    pdf = born_digital_pdf(tmp_path / "vollmacht.pdf", VOLLMACHT)
    result = registratur("ingest", str(pdf), "--document-type", "vollmacht",
                         "--file-reference", target.file_reference, "--user", "poststelle",
                         "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (line,) = _lines(result)
    assert (line["status"], line["file_reference"]) == ("filed", target.file_reference)
    assert (line["document_type"], line["document_type_confidence"]) == ("vollmacht", 1.0)
    document = Document.objects.get(pk=line["document"])
    assert document.document_type == "vollmacht" and document.case_file == target
    events = events_for_object("document", document.pk)
    # nobody moved or changed it: the confirmation alone makes it an example
    assert not events.filter(action__in=("moved", "changed")).exists()
    confirmed = events.get(action="confirmed")
    assert confirmed.actor == "poststelle" and confirmed.data["via"]["channel"] == "cli"
    recognition = document.versions.get().provenance["recognition"]
    assert confirmed.data["model_version"] == recognition["document_type"]["model_version"]
    assert confirmed.data["confidence"] == recognition["document_type"]["confidence"]
    assert confirmed.data["document_type"] == "vollmacht"
    assert confirmed.data["file_reference"] == target.file_reference
    data = training_set()
    assert document.pk in data.document_ids
    assert data.types[data.document_ids.index(document.pk)] == "vollmacht"


def _refusal(*args: str) -> tuple[int, str]:
    """The command's exit code and its "CODE: message" line (in this process: nothing is
    received, so no worker is needed)."""
    with pytest.raises(CommandError) as refused:
        call_command("ingest", *args, "--json", stdout=StringIO(), stderr=StringIO())
    return refused.value.returncode, str(refused.value)


@pytest.mark.django_db
def test_unknown_type_or_reference_is_refused_before_anything_is_received(demo, tmp_path):
    own, foreign = demo["A"], demo["B"]
    pdf = str(born_digital_pdf(tmp_path / "brief.pdf", VOLLMACHT))
    assert _refusal(pdf, "--document-type", "gibtsnicht", "--file-reference",
                    own.file_reference) == (
        2, "UNKNOWN_DOCUMENT_TYPE: Unbekannter Dokumenttyp: gibtsnicht (die vorhandenen "
           "zeigt „registratur doctype list“).")
    unknown = _refusal(pdf, "--document-type", "vollmacht", "--file-reference",
                       "50.30.1-2026-999999", "--user", "sachbearbeitung-a")
    assert unknown == (2, "UNKNOWN_FILE_REFERENCE: Unbekanntes Aktenzeichen: "
                          "50.30.1-2026-999999")
    # another unit's existing file answers exactly as an unknown one
    denied = _refusal(pdf, "--document-type", "vollmacht", "--file-reference",
                      foreign.file_reference, "--user", "sachbearbeitung-a")
    assert denied == (2, unknown[1].replace("50.30.1-2026-999999", foreign.file_reference))
    # the mailroom may file anywhere; a closed file is refused for it all the same
    CaseFile.objects.filter(pk=foreign.pk).update(closed_at=timezone.now())
    assert _refusal(pdf, "--document-type", "vollmacht", "--file-reference",
                    foreign.file_reference, "--user", "poststelle")[1].startswith(
        "CASE_FILE_CLOSED:")
    assert _refusal(pdf, "--document-type", "vollmacht")[0] == 2
    assert not IngestJob.objects.exists()
