"""The hand-over to the public archive on the officer's pages: offer (0501), the archive's
appraisal (0502) read in, the package (0503) built and downloaded. Every message is checked
with lxml against the shipped xdomea 3.0.0 schemas directly, not through the code under test;
the archive's appraisal is built here from the app's own 0501, as an archive would answer it."""
import copy
import hashlib
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from archive.blobstore import blob_exists
from archive.models import Event, FilePlanUnit, Version
from retention.models import (
    CaseFileRetention,
    RetentionSchedule,
    Transfer,
    TransferItemState,
    TransferState,
)
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD
from tests.retention.xdomea_helpers import NS, X, assert_valid, close_long_ago

pytestmark = pytest.mark.django_db
OFFER_SCHEDULE = "SGB-10J-ZDA-ANBIETEN"


@pytest.fixture
def due_for_offer(demo):
    """Both demo case files (units A and B) closed in 2010 under a schedule that offers them
    to the archive, each with a stored document."""
    RetentionSchedule.objects.get_or_create(key=OFFER_SCHEDULE, defaults=dict(
        name=OFFER_SCHEDULE, trigger="closed", years=10, year_end_cutoff=True, action="offer",
        legal_basis="§ 84 SGB X"))
    FilePlanUnit.objects.filter(pk__in=[demo["A"].plan_unit_id, demo["B"].plan_unit_id]) \
        .update(retention_schedule=OFFER_SCHEDULE)
    file_document(demo["A"], text="Antrag Meier", title="Antrag", store=True)
    file_document(demo["B"], text="Bescheid Schulz", title="Bescheid", store=True)
    return {"A": close_long_ago(demo["A"], "sachbearbeitung-a"),
            "B": close_long_ago(demo["B"], "sachbearbeitung-b")}


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _offer(client) -> Transfer:
    response = client.post(reverse("web:transfer_offer"))
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:transfer", args=[transfer.pk])
    return transfer


def _appraisal_from(offer: bytes, decisions: dict[str, str]) -> bytes:
    """The archive's 0502 answering our 0501: its header with sender and recipient swapped,
    one BewertetesObjekt per offered case file with the archive's code (A, V or B)."""
    offered = etree.fromstring(offer)
    root = etree.Element(f"{X}Aussonderung.Bewertungsverzeichnis.0502", nsmap=offered.nsmap)
    kopf = copy.deepcopy(offered.find("x:Kopf", NS))
    kopf.find("x:Nachrichtentyp/code", NS).text = "0502"
    sender, recipient = kopf.find("x:Absender", NS), kopf.find("x:Empfaenger", NS)
    sender[:], recipient[:] = copy.deepcopy(recipient)[:], copy.deepcopy(sender)[:]
    root.append(kopf)
    for akte in offered.iterfind("x:Schriftgutobjekt/x:Akte", NS):
        reference = akte.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS)
        item = etree.SubElement(root, f"{X}BewertetesObjekt")
        etree.SubElement(item, f"{X}ID").text = akte.findtext("x:Identifikation/x:ID",
                                                              namespaces=NS)
        art = copy.deepcopy(akte.find("x:ArchivspezifischeMetadaten/x:Aussonderungsart", NS))
        art.find("x:Aussonderungsart/code", NS).text = decisions[reference]
        item.append(art)
    return etree.tostring(assert_valid(root.getroottree()), xml_declaration=True,
                          encoding="UTF-8")


def _upload(client, data: bytes, name: str = "bewertung.xml"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("web:transfer_receive"), {"message": upload})


def _row(page: str, reference: str) -> str:
    return page.split(reference, 1)[1].split("</tr>", 1)[0]


def test_offer_appraisal_and_package_on_the_pages(due_for_offer):
    a, b = due_for_offer["A"], due_for_offer["B"]
    client = _client("datenschutz")
    listing = client.get(reverse("web:transfers")).content.decode()
    assert a.file_reference in listing and b.file_reference in listing
    assert "Anbieteverzeichnis (0501) für 2 Akten erstellen" in listing

    transfer = _offer(client)
    assert transfer.state == TransferState.OFFERED
    assert "Keine Akte ist anzubieten." in client.get(reverse("web:transfers")).content.decode()

    response = client.get(reverse("web:transfer_offer_xml", args=[transfer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    offer = _body(response)
    tree = assert_valid(offer)
    assert tree.findtext("x:Kopf/x:ProzessID", namespaces=NS) == str(transfer.process_id)
    references = {akte.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS)
                  for akte in tree.iterfind("x:Schriftgutobjekt/x:Akte", NS)}
    assert references == {a.file_reference, b.file_reference}
    # The download is a read of both case files, in the trail under the officer's name.
    reads = Event.objects.filter(action="downloaded", object_type="case_file",
                                 actor="datenschutz")
    assert sorted(reads.values_list("object_id", flat=True)) == sorted([str(a.pk), str(b.pk)])
    assert all(e.data["process_id"] == str(transfer.process_id) for e in reads)

    appraisal = _appraisal_from(offer, {a.file_reference: "A", b.file_reference: "V"})
    response = _upload(client, appraisal)
    assert response["Location"] == reverse("web:transfer", args=[transfer.pk])
    page = client.get(response["Location"]).content.decode()
    assert "1 archivwürdig, 1 zu kassieren, 0 noch nicht bewertet" in page
    assert "archivwürdig" in _row(page, a.file_reference)
    assert "kassieren" in _row(page, b.file_reference)
    assert reverse("web:disposal_due") in page  # the kassiert file goes the four-eyes way
    decisions = dict(CaseFileRetention.objects.filter(case_file__in=[a, b])
                     .values_list("case_file_id", "archive_decision"))
    assert decisions == {a.pk: "archive", b.pk: "destroy"}
    received = Event.objects.get(action="archive_message_received")
    assert received.object_id == hashlib.sha256(appraisal).hexdigest()
    assert blob_exists(received.object_id)

    receipt = client.get(reverse("web:transfer_receipt_xml", args=[transfer.pk]))
    receipt_tree = assert_valid(_body(receipt))
    assert receipt_tree.getroot().tag == f"{X}Aussonderung.BewertungEmpfangBestaetigen.0505"

    response = client.post(reverse("web:transfer_package", args=[transfer.pk]))
    assert response["Location"] == reverse("web:transfer", args=[transfer.pk])
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PACKAGED
    assert list(transfer.items.values_list("case_file_id", "state").order_by("case_file_id")) \
        == sorted([(a.pk, TransferItemState.PACKAGED), (b.pk, TransferItemState.DESTROY)])

    response = client.get(reverse("web:transfer_package_zip", args=[transfer.pk]))
    assert response["Content-Type"] == "application/zip"
    package = zipfile.ZipFile(io.BytesIO(_body(response)))
    names = package.namelist()
    message = [n for n in names if n.endswith(".0503.xml")]
    assert message == [f"{transfer.process_id}_Aussonderung.Aussonderung.0503.xml"]
    tree = assert_valid(package.read(message[0]))
    assert [akte.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS)
            for akte in tree.iterfind("x:Schriftgutobjekt/x:Akte", NS)] == [a.file_reference]
    # The primary documents are A's stored renditions, byte for byte, and nothing of B.
    files = {hashlib.sha256(package.read(n)).hexdigest() for n in names if n not in message}
    assert files == set(Version.objects.filter(document__case_file=a)
                        .values_list("rendition_sha256", flat=True))
    package_reads = Event.objects.filter(action="downloaded", object_type="case_file",
                                         data__xdomea="0503")
    assert list(package_reads.values_list("object_id", flat=True)) == [str(a.pk)]


@pytest.mark.parametrize(("data", "code"), [
    (b"<Aussonderung.Bewertungsverzeichnis.0502", "XDOMEA_INVALID_XML"),
    (b'<?xml version="1.0"?><Aussonderung.Bewertungsverzeichnis.0502 '
     b'xmlns="urn:xoev-de:xdomea:schema:3.0.0"><Kopf/></Aussonderung.Bewertungsverzeichnis.0502>',
     "XDOMEA_SCHEMA_INVALID"),
])
def test_a_malformed_appraisal_is_refused_with_its_code_and_kept(due_for_offer, data, code):
    client = _client("datenschutz")
    transfer = _offer(client)
    response = _upload(client, data, name="kaputt.xml")
    assert response["Location"] == reverse("web:transfers")
    page = client.get(response["Location"]).content.decode()
    assert f"({code})" in page  # the refusal message names its code
    refused = _row(page, "kaputt.xml")
    assert code in refused
    sha256 = hashlib.sha256(data).hexdigest()
    event = Event.objects.get(action="archive_message_refused")
    assert (event.object_id, event.data["code"], event.actor) == (sha256, code, "datenschutz")
    assert blob_exists(sha256)  # not lost
    transfer.refresh_from_db()
    assert transfer.state == TransferState.OFFERED
    assert not CaseFileRetention.objects.exclude(archive_decision="").exists()


def test_an_appraisal_without_a_file_is_refused(due_for_offer):
    client = _client("datenschutz")
    response = client.post(reverse("web:transfer_receive"), follow=True)
    assert "(NO_FILE)" in response.content.decode()


def test_nothing_due_creates_no_offer(demo):
    client = _client("datenschutz")
    response = client.post(reverse("web:transfer_offer"), follow=True)
    assert "Zurzeit ist keine Akte dem Archiv anzubieten." in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_package_is_offered_for_download_only_while_it_waits(due_for_offer):
    client = _client("datenschutz")
    transfer = _offer(client)
    response = client.get(reverse("web:transfer_package_zip", args=[transfer.pk]))
    assert response.status_code == 409
    assert "XDOMEA_MESSAGE_UNAVAILABLE" in response.content.decode()
    page = client.get(reverse("web:transfer", args=[transfer.pk])).content.decode()
    assert reverse("web:transfer_package_zip", args=[transfer.pk]) not in page


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "sachbearbeitung-b", "poststelle",
                                      "admin"])
def test_others_find_no_trace_of_the_hand_over(due_for_offer, username):
    """Not even the unit whose file is offered: a transfer looks like an unknown id, its
    messages cannot be had, and no page they may see mentions it."""
    officer = _client("datenschutz")
    transfer = _offer(officer)
    client = _client(username)
    unknown = transfer.pk + 1000
    for name in ("web:transfer", "web:transfer_offer_xml", "web:transfer_receipt_xml",
                 "web:transfer_package_zip"):
        foreign = client.get(reverse(name, args=[transfer.pk]))
        missing = client.get(reverse(name, args=[unknown]))
        assert foreign.status_code == missing.status_code == 404, name
    assert client.get(reverse("web:transfers")).status_code == 404
    assert client.post(reverse("web:transfer_offer")).status_code == 404
    assert client.post(reverse("web:transfer_package", args=[transfer.pk])).status_code == 404
    assert _upload(client, b"<x/>").status_code == 404
    assert not Event.objects.filter(action__startswith="archive_message").exists()
    assert not Event.objects.filter(action="downloaded", actor=username).exists()
    home = client.get(reverse("web:home")).content.decode()
    assert str(transfer.process_id) not in home and "archivanbietung" not in home


def _answer_to(ours: bytes, code: str, *, results: dict[str, str] | None = None) -> bytes:
    """The archive's receipt (0504, 0507) or import confirmation (0506) of one of our messages:
    our header reduced to the basic one, sender and recipient swapped; for 0506 one
    AusgesondertesSGO per case file, taken over under the archive reference given."""
    names = {"0504": "AnbietungEmpfangBestaetigen", "0506": "AussonderungImportBestaetigen",
             "0507": "AussonderungEmpfangBestaetigen"}
    offered = etree.fromstring(ours)
    root = etree.Element(f"{X}Aussonderung.{names[code]}.{code}", nsmap=offered.nsmap)
    kopf = copy.deepcopy(offered.find("x:Kopf", NS))
    for extra in kopf[6:]:  # Empfangsbestaetigung etc. are not in the basic header
        kopf.remove(extra)
    kopf.find("x:Nachrichtentyp/code", NS).text = code
    sender, recipient = kopf.find("x:Absender", NS), kopf.find("x:Empfaenger", NS)
    sender[:], recipient[:] = copy.deepcopy(recipient)[:], copy.deepcopy(sender)[:]
    root.append(kopf)
    for object_id, reference in (results or {}).items():
        item = etree.SubElement(root, f"{X}AusgesondertesSGO")
        etree.SubElement(item, f"{X}IDSGO").text = object_id
        etree.SubElement(item, f"{X}Erfolgreich").text = "1"
        etree.SubElement(item, f"{X}Archivkennung").text = reference
    return etree.tostring(assert_valid(root.getroottree()), xml_declaration=True,
                          encoding="UTF-8")


def test_receipts_and_the_import_confirmation_on_the_pages(due_for_offer):
    a, b = due_for_offer["A"], due_for_offer["B"]
    client = _client("datenschutz")
    transfer = _offer(client)
    offer = _body(client.get(reverse("web:transfer_offer_xml", args=[transfer.pk])))
    response = _upload(client, _answer_to(offer, "0504"), name="empfang.xml")
    assert response["Location"] == reverse("web:transfer", args=[transfer.pk])
    transfer.refresh_from_db()
    assert transfer.offer_received_at is not None
    _upload(client, _appraisal_from(offer, {a.file_reference: "A", b.file_reference: "V"}))
    client.post(reverse("web:transfer_package", args=[transfer.pk]))
    package = zipfile.ZipFile(io.BytesIO(_body(client.get(
        reverse("web:transfer_package_zip", args=[transfer.pk])))))
    ours = package.read(f"{transfer.process_id}_Aussonderung.Aussonderung.0503.xml")
    _upload(client, _answer_to(ours, "0507"), name="paket-empfangen.xml")
    a_id = str(CaseFileRetention.objects.get(case_file=a).xdomea_id)
    response = _upload(client, _answer_to(ours, "0506", results={a_id: "StA 50/2026-1"}),
                       name="import.xml")
    page = client.get(response["Location"]).content.decode()
    assert "1 übernommen, 0 hier erhalten" in page
    row = _row(page, a.file_reference)
    assert "StA 50/2026-1" in row and "vom Archiv übernommen, lokal vernichtet" in row
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CONFIRMED
    assert transfer.package_received_at is not None
    # Only what the archive took over was destroyed here; B waits for the four-eyes disposal.
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.destroyed_at is not None and b.destroyed_at is None
    assert reverse("web:transfer_offer_xml", args=[transfer.pk]) not in page


def test_what_the_archive_kassiert_goes_the_four_eyes_way_and_the_offer_then_stays_as_sent(
        due_for_offer):
    from archive.actors import actor_for_user as acting
    from archive.actors import system_actor
    from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose
    from tests.archive.helpers import staff
    from tests.conftest import user

    a, b = due_for_offer["A"], due_for_offer["B"]
    client = _client("datenschutz")
    transfer = _offer(client)
    offer = _body(client.get(reverse("web:transfer_offer_xml", args=[transfer.pk])))
    _upload(client, _appraisal_from(offer, {a.file_reference: "A", b.file_reference: "V"}))
    page = client.get(reverse("web:transfer", args=[transfer.pk])).content.decode()
    assert "1 Akte ist zu kassieren" in page and reverse("web:disposal_due") in page
    # B is due on the retention page now, and goes through a list a second officer approves.
    assert b.file_reference in client.get(reverse("web:disposal_due")).content.decode()
    staff("datenschutz-2", role="data_protection")
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[b.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    # The offer can no longer be built as it was sent, and is not offered for download.
    page = client.get(reverse("web:transfer", args=[transfer.pk])).content.decode()
    assert reverse("web:transfer_offer_xml", args=[transfer.pk]) not in page
    response = client.get(reverse("web:transfer_offer_xml", args=[transfer.pk]))
    assert response.status_code == 409
    assert "XDOMEA_MESSAGE_UNAVAILABLE" in response.content.decode()


def test_the_trail_names_a_refused_message_by_its_file(due_for_offer):
    from archive.services.trail import trail_entries

    client = _client("datenschutz")
    _offer(client)
    _upload(client, b"kein xml", name="antwort-archiv.xml")
    entry = trail_entries(Event.objects.filter(action="archive_message_refused"))[0]
    sha256 = hashlib.sha256(b"kein xml").hexdigest()
    assert entry.object_label == f"xdomea-Nachricht „antwort-archiv.xml“ (SHA-256 {sha256[:12]}…)"


def test_a_file_too_large_for_a_message_is_refused_before_it_is_read(due_for_offer,
                                                                     monkeypatch):
    from web.views import transfer as views

    monkeypatch.setattr(views, "MESSAGE_MAX_BYTES", 1024 * 1024)
    client = _client("datenschutz")
    response = client.post(reverse("web:transfer_receive"),
                           {"message": io.BytesIO(b"<" + b"x" * (1024 * 1024) + b"/>")},
                           follow=True)
    assert "(TOO_LARGE)" in response.content.decode()
    assert not Event.objects.filter(action__startswith="archive_message").exists()
