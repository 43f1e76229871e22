"""File inspection and court packages with the disclosure register (issue 15.6, 15.7): the
package's content (table of contents, pagination, hashes, originals, structure file), the
guided selection (drafts and file notes left out, other people flagged), the register entry
and its reads, the Art. 15 section, and that another unit sees and records nothing."""

import hashlib
import io
import json
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.blobstore import blob_open
from archive.errors import InvalidInput, NotFound
from archive.models import Event, Version
from config.celery import app
from retention.models import Disclosure, DisclosureBasis
from retention.services.disclosure import disclosure_build, disclosure_candidates
from retention.services.subject_access import subject_access_csv, subject_access_report
from signoff.routes import signoff_step_sign
from tests.conftest import DEMO_PASSWORD, user
from tests.retention.disclosure_helpers import disclosure_case, pdf_document
from tests.retention.test_protocol_pdf import assert_pdfa2b

pytestmark = pytest.mark.django_db
NS = {"e": "urn:registratur:einsichtspaket:1"}


@pytest.fixture
def case(demo):
    return disclosure_case(demo)


def _build(case, tmp_path=None, **changes):
    candidates = disclosure_candidates(
        actor=acting(user("sachbearbeitung-a")), case_file_id=case["file"].pk
    )[1]
    chosen = [c.document.pk for c in candidates if c.selected_by_default]
    arguments = {
        "recipient": "Rechtsanwältin Dr. Weber",
        "basis": DisclosureBasis.INSPECTION,
        "purpose": "Akteneinsicht auf Antrag vom 1.12.",
        "document_ids": chosen,
    }
    target = (tmp_path or Path(tempfile.mkdtemp())) / "paket.zip"
    disclosure = disclosure_build(
        actor=acting(user("sachbearbeitung-a")),
        case_file_id=case["file"].pk,
        target=target,
        **{**arguments, **changes},
    )
    return disclosure, target.read_bytes()


def test_selection_leaves_out_drafts_and_notes_and_flags_other_people(case):
    _, candidates = disclosure_candidates(
        actor=acting(user("sachbearbeitung-a")), case_file_id=case["file"].pk
    )
    by_id = {c.document.pk: c for c in candidates}
    assert by_id[case["note"].pk].internal_note and not by_id[case["note"].pk].selected_by_default
    assert by_id[case["draft"].pk].draft and not by_id[case["draft"].pk].selected_by_default
    assert by_id[case["application"].pk].selected_by_default
    assert by_id[case["tip"].pk].third_party == ("Nachbarin", "Mitbewohner")
    assert by_id[case["application"].pk].third_party == ()


def test_signed_off_document_is_no_draft(case):
    # The fixture's route is open: a draft until the final signer signs it off.
    signoff_step_sign(actor=acting(user("verfasser-a")), route_id=case["route"].pk)
    _, candidates = disclosure_candidates(
        actor=acting(user("sachbearbeitung-a")), case_file_id=case["file"].pk
    )
    assert {c.document.pk: c for c in candidates}[case["draft"].pk].draft is False


def _text(pdf: bytes, tmp_path, first: int, last: int) -> str:
    path = tmp_path / "akte.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_package_content(case, tmp_path):
    disclosure, body = _build(case, tmp_path)
    package = zipfile.ZipFile(io.BytesIO(body))
    index = json.loads(package.read("index.json"))
    # Every file of the package is listed with the hash of exactly its bytes.
    names = set(package.namelist()) - {"index.json"}
    assert {entry["pfad"] for entry in index["dateien"]} == names
    for entry in index["dateien"]:
        assert hashlib.sha256(package.read(entry["pfad"])).hexdigest() == entry["sha256"]
    # Drafts and notes left out by default; three documents in the file's order.
    chosen = [case["application"].pk, case["tip"].pk, case["plain"].pk]
    assert [d["dokument"] for d in index["dokumente"]] == chosen
    # The originals are the stored bytes.
    originals = [e for e in index["dateien"] if e["art"] == "original"]
    for entry in originals:
        version = Version.objects.get(document_id=entry["dokument"], number=entry["version"])
        with blob_open(version.original_sha256) as handle:
            assert package.read(entry["pfad"]) == handle.read()
    # The PDF: table of contents, then each rendition (or a placeholder page), numbered.
    pdf = package.read("akte.pdf")
    combined = pikepdf.open(io.BytesIO(pdf))
    renditions = [Version.objects.get(document_id=pk).page_count for pk in chosen[:2]]
    assert renditions[0] >= 2
    toc_pages = index["dokumente"][0]["seite_von"] - 1
    assert toc_pages >= 1
    assert len(combined.pages) == toc_pages + sum(renditions) + 1  # + the placeholder
    assert index["dokumente"][1]["seite_von"] == toc_pages + renditions[0] + 1
    toc = " ".join(_text(pdf, tmp_path, 1, toc_pages).split())
    assert "Inhaltsverzeichnis" in toc and "Antrag" in toc and "Mitteilung" in toc
    assert "Aktenvermerk" not in toc and "Bescheidentwurf" not in toc
    total = len(combined.pages)
    assert f"Seite {total} von {total}" in _text(pdf, tmp_path, total, total)
    start = index["dokumente"][1]["seite_von"]
    assert "Nachbarin" in _text(pdf, tmp_path, start, start)
    assert "keine PDF/A-Fassung" in _text(pdf, tmp_path, total, total)
    assert_pdfa2b(pdf)  # identification, output intent, embedded fonts of every page
    # Checked, not claimed (issue 14.10): the index calls the file PDF/A with the verdict of
    # the validator, asked here directly on the bytes in the package.
    from pikepdf import pdfa
    verdict = pdfa.validate_written(io.BytesIO(pdf), "2b").verdict
    listed = next(e for e in index["dateien"] if e["pfad"] == "akte.pdf")
    assert listed["pdfa_pruefung"]["check"] == verdict
    assert listed["art"] == ("pdfa" if verdict == "pass" else "pdf")
    for page in combined.pages:  # ... and of the page-number stamps laid over them
        for xobject in page.Resources.XObject.values():
            for font in xobject.get("/Resources", {}).get("/Font", {}).values():
                for part in font.get("/DescendantFonts") or [font]:
                    assert "/FontFile2" in part.FontDescriptor
    assert [str(item.title) for item in combined.open_outline().root][:2] == [
        "Inhaltsverzeichnis",
        "1. Antrag",
    ]
    # The structure file is well-formed and names the exact versions.
    root = ET.fromstring(package.read("struktur.xml"))
    assert root.find("e:Akte", NS).get("aktenzeichen") == case["file"].file_reference
    listed = {
        (int(d.get("id")), d.find("e:Version", NS).get("sha256Original"))
        for d in root.iter("{urn:registratur:einsichtspaket:1}Dokument")
    }
    assert listed == {(pk, Version.objects.get(document_id=pk).original_sha256) for pk in chosen}
    assert disclosure.package_sha256 == hashlib.sha256(body).hexdigest()


def test_register_entry_and_logged_reads(case):
    before = Event.objects.count()
    disclosure, _ = _build(case, document_ids=[case["application"].pk, case["note"].pk])
    entry = Disclosure.objects.get()
    assert entry == disclosure and entry.recipient == "Rechtsanwältin Dr. Weber"
    assert entry.basis_label == "§ 25 SGB X Akteneinsicht" and entry.built_by == "sachbearbeitung-a"
    assert [(d["document"], d["version"], d["original_sha256"]) for d in entry.documents] == [
        (pk, 1, Version.objects.get(document_id=pk).original_sha256)
        for pk in (case["application"].pk, case["note"].pk)
    ]
    new = Event.objects.filter(seq__gt=Event.objects.order_by("seq")[before - 1].seq)
    reads = new.filter(action="exported", object_type="document")
    assert sorted(int(e.object_id) for e in reads) == sorted(
        [case["application"].pk, case["note"].pk]
    )
    assert all(f"Offenlegung Nr. {entry.pk}" in e.clear_purpose for e in reads)
    disclosed = new.get(action="disclosed")
    assert disclosed.data["disclosure"] == entry.pk
    assert disclosed.data["package_sha256"] == entry.package_sha256


def test_other_basis_needs_its_text_and_nothing_is_recorded(case):
    with pytest.raises(InvalidInput):
        _build(case, basis=DisclosureBasis.OTHER)
    with pytest.raises(InvalidInput):
        _build(case, document_ids=[])
    disclosure, _ = _build(case, basis=DisclosureBasis.OTHER, basis_text="§ 69 SGB X Rentenv.")
    assert Disclosure.objects.get().basis_label == "§ 69 SGB X Rentenv."
    assert disclosure.basis_text


def test_a_document_of_another_file_is_refused(case, demo):
    other = pdf_document(demo["A"], "X", "x")
    other.case_file = demo["B"]
    other.save(update_fields=["case_file"])
    with pytest.raises(InvalidInput):
        _build(case, document_ids=[case["application"].pk, other.pk])
    assert not Disclosure.objects.exists()


def _unmasked(body: bytes) -> bytes:
    # The CSRF token of the logout form differs on every response, by design.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_another_unit_gets_404_and_nothing_in_the_register(case, tmp_path):
    b = acting(user("sachbearbeitung-b"))
    with pytest.raises(NotFound):
        disclosure_candidates(actor=b, case_file_id=case["file"].pk)
    with pytest.raises(NotFound):
        disclosure_build(
            actor=b,
            case_file_id=case["file"].pk,
            recipient="X",
            basis=DisclosureBasis.COURT,
            purpose="Klage",
            document_ids=[case["application"].pk],
            target=tmp_path / "paket.zip",
        )
    client = Client()
    assert client.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    page = client.get(f"/akten/{case['file'].pk}/einsicht/")
    unknown = client.get("/akten/999999/einsicht/")
    assert page.status_code == unknown.status_code == 404
    assert _unmasked(page.content) == _unmasked(unknown.content)
    response = client.post(
        f"/akten/{case['file'].pk}/einsicht/paket",
        {
            "dokument": [case["application"].pk],
            "empfaenger": "Sozialgericht",
            "rechtsgrundlage": "sgg_65d",
            "zweck": "Klageverfahren",
        },
    )
    assert response.status_code == 404
    assert not Disclosure.objects.exists()
    assert not Event.objects.filter(
        action__in=("exported", "disclosed"), actor="sachbearbeitung-b"
    ).exists()
    assert Event.objects.filter(action="read_refused", actor="sachbearbeitung-b").exists()


def test_the_page_guides_and_builds(case, django_capture_on_commit_callbacks):
    """The POST queues the build and answers with the package's status page; here the queue
    runs in this process (eager), so the page offers the download at once (the job itself:
    test_disclosure_jobs.py)."""
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    page = client.get(f"/akten/{case['file'].pk}/einsicht/").content.decode()
    assert (
        f'value="{case["application"].pk}" id="dokument-{case["application"].pk}" checked' in page
    )
    assert f'value="{case["draft"].pk}" id="dokument-{case["draft"].pk}">' in page
    assert "Nachbarin" in page and f"/dokumente/{case['tip'].pk}/#drawing" in page
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/akten/{case['file'].pk}/einsicht/paket",
                {
                    "dokument": [case["application"].pk],
                    "empfaenger": "Sozialgericht Musterstadt",
                    "rechtsgrundlage": "sgg_65d",
                    "zweck": "Klageverfahren S 12 AS 34/26",
                },
            )
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    status = client.get(response["Location"]).content.decode()
    assert "Paket herunterladen (ZIP)" in status
    response = client.get(response["Location"] + "paket.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert (
        "struktur.xml"
        in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    )
    assert Disclosure.objects.get().recipient == "Sozialgericht Musterstadt"
    page = client.get(f"/akten/{case['file'].pk}/einsicht/").content.decode()
    assert "Sozialgericht Musterstadt" in page and "§ 65d SGG / § 120 SGG Gericht" in page


def test_art15_names_the_recipients(case, tmp_path):
    officer = acting(user("datenschutz"))
    csv_before = subject_access_csv(actor=officer, person="K-104711")
    assert "Offenlegung" not in csv_before
    _build(case)
    csv = subject_access_csv(actor=officer, person="K-104711")
    assert "Rechtsanwältin Dr. Weber" in csv and "§ 25 SGB X Akteneinsicht" in csv
    assert "3 Dokumente" in csv
    path = tmp_path / "auskunft.pdf"
    path.write_bytes(subject_access_report(actor=officer, person="K-104711"))
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Empfänger, denen Ihre Daten offengelegt wurden" in text
    assert "Rechtsanwältin Dr. Weber" in text
    assert f"{timezone.localdate():%d.%m.%Y}" in text
    # Another person's report does not show it.
    assert "Weber" not in subject_access_csv(actor=officer, person="Anna Schäfer")


def test_the_officer_discloses_a_restricted_file_its_caseworker_no_longer_may(case, tmp_path):
    """Processing restricted (Art. 18 GDPR): only the officer reads the file, so only she
    can answer a court's request; the caseworker gets 404."""
    type(case["file"]).objects.filter(pk=case["file"].pk).update(restricted=True)
    with pytest.raises(NotFound):
        disclosure_candidates(actor=acting(user("sachbearbeitung-a")), case_file_id=case["file"].pk)
    disclosure = disclosure_build(
        actor=acting(user("datenschutz")),
        target=tmp_path / "paket.zip",
        case_file_id=case["file"].pk,
        recipient="Sozialgericht Musterstadt",
        basis=DisclosureBasis.COURT,
        purpose="Klageverfahren S 1 SO 2/26",
        document_ids=[case["application"].pk],
    )
    assert disclosure.built_by == "datenschutz" and len(disclosure.documents) == 1
