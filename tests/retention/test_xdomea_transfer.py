"""The Aussonderung with the public archive end to end: 0501 offer, 0502 appraisal answered by
0505, 0503 package, 0506 import confirmation; every generated message validated with lxml
against the official 3.0.0 schemas."""
import json
import zipfile

import pytest
from django.utils import timezone
from lxml import etree

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import CaseFile, Document, Event, FilePlanUnit, Version
from archive.services.events import event_append
from archive.services.processes import process_create
from archive.services.reports import Period, report_case_file
from retention.models import (
    CaseFileRetention,
    Transfer,
    TransferItem,
    TransferItemState,
    TransferState,
)
from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose
from retention.services.holds import hold_place
from retention.services.transfer import transfer_import, transfer_offer, transfer_package
from tests.archive.helpers import file_document
from tests.conftest import user

from .xdomea_helpers import (
    NS,
    X,
    appraisal_0502,
    assert_valid,
    close_long_ago,
    confirmation_0506,
    needs_samples,
    sha256,
)

pytestmark = [pytest.mark.django_db, needs_samples]


@pytest.fixture
def offered_files(schedules):
    """Both demo case files due with the action "offer" (B by its plan unit, A re-planned),
    with stored documents; one of B's documents sits in a Vorgang."""
    FilePlanUnit.objects.filter(pk=schedules["A"].plan_unit_id).update(
        retention_schedule="SGB-10J-ZDA-ANBIETEN")
    file_document(schedules["A"], text="Antrag Meier", title="Antrag", store=True)
    file_document(schedules["B"], text="Bescheid Schulz", title="Bescheid", store=True)
    in_process = file_document(schedules["B"], text="Widerspruch Schulz", title="Widerspruch",
                               store=True)
    process = process_create(actor=acting(user("sachbearbeitung-b")), case_file=schedules["B"],
                             title="Widerspruchsverfahren")
    Document.objects.filter(pk=in_process.pk).update(process=process)
    return {"A": close_long_ago(schedules["A"], "sachbearbeitung-a"),
            "B": close_long_ago(schedules["B"], "sachbearbeitung-b")}


def _xdomea_id(case_file) -> str:
    return str(CaseFileRetention.objects.get(case_file=case_file).xdomea_id)


def _offer(tmp_path):
    transfer, path = transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path / "out")
    return transfer, str(transfer.process_id), path


def test_offer_lists_what_is_due_for_the_archive_as_metadata_only(offered_files, tmp_path):
    transfer, process_id, path = _offer(tmp_path)
    assert path.name == f"{process_id}_Aussonderung.Anbieteverzeichnis.0501.xml"
    tree = assert_valid(etree.parse(str(path)))
    assert tree.findtext("x:Kopf/x:ProzessID", namespaces=NS) == process_id
    assert tree.findtext("x:Kopf/x:Nachrichtentyp/code", namespaces=NS) == "0501"
    akten = tree.findall("x:Schriftgutobjekt/x:Akte", NS)
    by_reference = {a.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS): a
                    for a in akten}
    assert set(by_reference) == {c.file_reference for c in offered_files.values()}
    akte = by_reference[offered_files["B"].file_reference]
    assert akte.findtext("x:Identifikation/x:ID", namespaces=NS) == _xdomea_id(offered_files["B"])
    assert akte.findtext("x:AllgemeineMetadaten/x:Betreff", namespaces=NS) == \
        offered_files["B"].title
    assert akte.findtext("x:Laufzeit/x:Ende", namespaces=NS) == "2010-06-01"
    retention = akte.find("x:ArchivspezifischeMetadaten", NS)
    assert retention.findtext("x:Aufbewahrungsdauer/x:AnzahlJahre", namespaces=NS) == "10"
    code = retention.find("x:Aussonderungsart/x:Aussonderungsart", NS)
    assert code.findtext("code") == "B"  # to be appraised by the archive
    assert code.get("listURI") == "urn:xoev-de:xdomea:codeliste:aussonderungsart"
    titles = [d.findtext("x:AllgemeineMetadaten/x:Betreff", namespaces=NS)
              for d in akte.iter(f"{X}Dokument")]
    assert sorted(titles) == ["Bescheid", "Widerspruch"]
    assert akte.find("x:Akteninhalt/x:Vorgang/x:Dokument", NS) is not None
    assert not list(tree.iter(f"{X}Primaerdokument"))  # metadata only
    assert set(transfer.items.values_list("case_file_id", flat=True)) == \
        {c.pk for c in offered_files.values()}
    # Offered once: a second run finds nothing new to offer.
    assert transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path / "again") is None


def test_offer_leaves_out_files_to_destroy_and_files_not_due(schedules, tmp_path):
    close_long_ago(schedules["A"], "sachbearbeitung-a")  # schedule "destroy"
    assert transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path) is None
    close_long_ago(schedules["B"], "sachbearbeitung-b")
    transfer, _ = transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path)
    assert list(transfer.items.values_list("case_file_id", flat=True)) == [schedules["B"].pk]


def test_appraisal_records_each_decision_and_answers_with_0505(offered_files, tmp_path):
    transfer, process_id, _ = _offer(tmp_path)
    unknown = "00000000-0000-4000-8000-000000000000"
    message = appraisal_0502(process_id, {_xdomea_id(offered_files["A"]): "A",
                                          _xdomea_id(offered_files["B"]): "V", unknown: "A"})
    report = transfer_import(data=message, actor=acting(user("datenschutz")),
                             out_dir=tmp_path / "answers")
    assert report["archive"] == [offered_files["A"].file_reference]
    assert report["destroy"] == [offered_files["B"].file_reference]
    assert report["unknown"] == [unknown]
    decisions = dict(CaseFileRetention.objects.filter(case_file__in=offered_files.values())
                     .values_list("case_file_id", "archive_decision"))
    assert decisions == {offered_files["A"].pk: "archive", offered_files["B"].pk: "destroy"}
    assert Event.objects.filter(action="archive_appraised").count() == 2
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.APPRAISED
    receipt = assert_valid(etree.parse(report["receipt"]))
    assert etree.QName(receipt.getroot()).localname == \
        "Aussonderung.BewertungEmpfangBestaetigen.0505"
    assert receipt.findtext("x:Kopf/x:ProzessID", namespaces=NS) == process_id
    assert receipt.findtext("x:Kopf/x:Nachrichtentyp/code", namespaces=NS) == "0505"


def test_offered_files_wait_for_the_decision_and_a_destroy_decision_frees_them(
        offered_files, tmp_path):
    case_file = offered_files["B"]
    transfer, process_id, _ = _offer(tmp_path)
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    with pytest.raises(Conflict) as refused:
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    assert refused.value.code == "AWAITING_ARCHIVE"
    # "B" (still to be appraised) is no decision.
    transfer_import(data=appraisal_0502(process_id, {_xdomea_id(case_file): "B"}),
                    actor=acting(user("datenschutz")), out_dir=tmp_path)
    with pytest.raises(Conflict):
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    transfer_import(data=appraisal_0502(process_id, {_xdomea_id(case_file): "V"}),
                    actor=acting(user("datenschutz")), out_dir=tmp_path)
    disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is not None


def _appraised(offered_files, tmp_path, decisions):
    transfer, process_id, offer_path = _offer(tmp_path)
    transfer_import(data=appraisal_0502(process_id, {
        _xdomea_id(offered_files[key]): code for key, code in decisions.items()}),
        actor=acting(user("datenschutz")), out_dir=tmp_path)
    return transfer, process_id, offer_path


def test_package_holds_the_pdfa_renditions_under_the_names_and_checksums_the_xml_states(
        offered_files, tmp_path):
    transfer, process_id, offer_path = _appraised(offered_files, tmp_path, {"A": "V", "B": "A"})
    [path] = transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    assert path.name == f"{process_id}_Aussonderung.Aussonderung.0503.zip"
    with zipfile.ZipFile(path) as package:
        members = {name: package.read(name) for name in package.namelist()}
    xml_name = f"{process_id}_Aussonderung.Aussonderung.0503.xml"
    tree = assert_valid(members.pop(xml_name))
    assert tree.findtext("x:Kopf/x:ProzessID", namespaces=NS) == process_id
    assert tree.findtext("x:Kopf/x:Importbestaetigung", namespaces=NS) == "1"
    [akte] = tree.findall("x:Schriftgutobjekt/x:Akte", NS)  # A was to be destroyed
    assert akte.findtext("x:Identifikation/x:ID", namespaces=NS) == _xdomea_id(offered_files["B"])
    stated = {}
    for document in akte.iter(f"{X}Dokument"):
        sums = {f.findtext("x:Name", namespaces=NS): f.findtext("x:Wert", namespaces=NS)
                for f in document.findall("x:AnwendungsspezifischeErweiterung/x:Feld", NS)}
        for fmt in document.findall("x:Version/x:Format", NS):
            assert fmt.findtext("x:Name/code", namespaces=NS) == "044"  # PDF/A
            name = fmt.findtext("x:Primaerdokument/x:Dateiname", namespaces=NS)
            stated[name] = sums[name]
    assert set(stated) == set(members)  # exactly the files the XML names, nothing else
    renditions = set(Version.objects.filter(document__case_file=offered_files["B"])
                     .values_list("rendition_sha256", flat=True))
    assert {sha256(data) for data in members.values()} == renditions
    for name, data in members.items():
        assert sha256(data) == stated[name]
        assert data.startswith(b"%PDF")
    # The ids of the offer run through the transfer.
    offered = etree.parse(str(offer_path))
    assert {e.text for e in offered.iter(f"{X}ID")} >= \
        {e.text for e in tree.iter(f"{X}ID")}
    assert TransferItem.objects.get(case_file=offered_files["B"]).state == \
        TransferItemState.PACKAGED
    assert transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg2") == []


def test_import_confirmation_destroys_only_what_the_archive_took_over(
        offered_files, tmp_path, django_capture_on_commit_callbacks):
    transfer, process_id, _ = _appraised(offered_files, tmp_path, {"A": "A", "B": "A"})
    transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    taken, refused = offered_files["A"], offered_files["B"]
    blobs = set(Version.objects.filter(document__case_file=taken)
                .values_list("rendition_sha256", flat=True))
    message = confirmation_0506(process_id, {
        _xdomea_id(taken): (True, "StA 4711/2026"),
        _xdomea_id(refused): (False, "Primärdokument nicht lesbar")})
    with django_capture_on_commit_callbacks(execute=True):
        report = transfer_import(data=message, actor=acting(user("datenschutz")), out_dir=tmp_path)
    assert report["archived"] == [taken.file_reference]
    assert report["kept"] == [{"file_reference": refused.file_reference,
                               "reason": "Primärdokument nicht lesbar"}]
    gone = CaseFile.objects.get(pk=taken.pk)
    assert gone.destroyed_at is not None
    assert gone.residual["approval"]["list"] == f"xdomea:{process_id}"
    from archive.blobstore import blob_exists

    assert not any(blob_exists(sha) for sha in blobs)
    kept = CaseFile.objects.get(pk=refused.pk)
    assert kept.destroyed_at is None and kept.title
    item = TransferItem.objects.get(case_file=refused)
    assert item.state == TransferItemState.FAILED and "nicht lesbar" in item.note
    assert TransferItem.objects.get(case_file=taken).archive_reference == "StA 4711/2026"
    assert Event.objects.filter(action="archive_import_failed", object_id=str(refused.pk)).exists()
    assert Transfer.objects.get(pk=transfer.pk).state == TransferState.CONFIRMED
    # A destruction protocol names the transfer; its hashes are in the audit chain.
    from archive.blobstore import blob_open

    hashes = report["protocol_sha256"]
    protocol = json.loads(blob_open(hashes["json"]).read())
    assert protocol["list"] == f"xdomea:{process_id}"
    assert [c["file_reference"] for c in protocol["case_files"]] == [taken.file_reference]
    assert blob_open(hashes["pdf"]).read().startswith(b"%PDF")
    assert Event.objects.filter(action="archive_transfer_protocol",
                                data__protocol_sha256=hashes).exists()
    # What the archive did not take over still cannot be destroyed here.
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[refused.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    with pytest.raises(Conflict) as blocked:
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    assert blocked.value.code == "AWAITING_ARCHIVE"


def test_a_hold_placed_after_the_transfer_still_keeps_the_local_copy(offered_files, tmp_path):
    transfer, process_id, _ = _appraised(offered_files, tmp_path, {"B": "A"})
    transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    hold_place(actor=acting(user("datenschutz")), case_file=offered_files["B"], reason="Klage",
               mandate="SG 3")
    report = transfer_import(data=confirmation_0506(process_id, {
        _xdomea_id(offered_files["B"]): (True, "StA 1")}), actor=acting(user("datenschutz")),
        out_dir=tmp_path)
    assert report["archived"] == [] and len(report["kept"]) == 1
    assert CaseFile.objects.get(pk=offered_files["B"].pk).destroyed_at is None
    assert Event.objects.filter(action="archive_destruction_blocked").exists()


def test_messages_out_of_order_or_for_unknown_processes_are_refused(offered_files, tmp_path):
    transfer, process_id, _ = _offer(tmp_path)
    confirmation = confirmation_0506(process_id, {_xdomea_id(offered_files["A"]): (True, "x")})
    with pytest.raises(Conflict) as early:
        transfer_import(data=confirmation, actor=system_actor("scheduler"), out_dir=tmp_path)
    assert early.value.code == "XDOMEA_NOT_PACKAGED"
    stranger = appraisal_0502("11111111-2222-4333-8444-555555555555",
                              {_xdomea_id(offered_files["A"]): "A"})
    with pytest.raises(InvalidInput) as unknown:
        transfer_import(data=stranger, actor=system_actor("scheduler"), out_dir=tmp_path)
    assert unknown.value.code == "XDOMEA_UNKNOWN_PROCESS"
    assert CaseFileRetention.objects.get(case_file=offered_files["A"]).archive_decision == ""


def test_nothing_is_handed_over_incomplete(offered_files, tmp_path):
    """A document without its PDF/A rendition, or whose stored file is gone, stops the package
    instead of leaving a package that lacks it."""
    _appraised(offered_files, tmp_path, {"A": "A", "B": "A"})
    file_document(offered_files["A"], text="ohne Fassung", title="Nachtrag")  # no rendition
    with pytest.raises(Conflict) as refused:
        transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    assert refused.value.code == "XDOMEA_NO_RENDITION"
    assert offered_files["A"].file_reference in refused.value.message
    Document.objects.filter(title="Nachtrag").update(case_file=None)
    from archive.blobstore import blob_path

    lost = Version.objects.filter(document__case_file=offered_files["B"]).first()
    blob_path(lost.rendition_sha256).unlink()
    with pytest.raises(NotFound):
        transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    assert not list((tmp_path / "pkg").iterdir())  # no zip, not even a partial one
    assert not TransferItem.objects.filter(state=TransferItemState.PACKAGED).exists()


def test_what_the_archive_failed_to_import_is_offered_again(offered_files, tmp_path):
    transfer, process_id, _ = _appraised(offered_files, tmp_path, {"A": "V", "B": "A"})
    transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    transfer_import(data=confirmation_0506(process_id, {
        _xdomea_id(offered_files["B"]): (False,
                                         "Prüfsumme falsch")}), actor=acting(user("datenschutz")),
        out_dir=tmp_path)
    again, path = transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path / "again")
    assert again.process_id != transfer.process_id
    # Only the failed file; the one to destroy awaits the four-eyes disposal, not the archive.
    assert list(again.items.values_list("case_file_id", flat=True)) == [offered_files["B"].pk]
    ids = {e.text for e in assert_valid(etree.parse(str(path))).iter(f"{X}ID")}
    assert _xdomea_id(offered_files["B"]) in ids  # the same identity as before


def test_the_dpo_report_on_a_case_file_shows_its_handover_to_the_archive(
        offered_files, tmp_path):
    _appraised(offered_files, tmp_path, {"A": "V", "B": "A"})
    transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    today = timezone.localdate()
    period = Period(today, today)

    def handovers(case_file):
        return [e for e in report_case_file(actor=acting(user("datenschutz")),
                                            file_reference=case_file.file_reference,
                                            period=period)
                if e.action == "archive_handed_over"]

    [handover] = handovers(offered_files["B"])
    assert handover.actor == "datenschutz"
    packaged = Version.objects.filter(document__case_file=offered_files["B"]).count()
    assert len(handover.data["files"]) == packaged >= 2
    assert handovers(offered_files["A"]) == []  # to be destroyed, not handed over


def test_package_carries_history_decision_confidentiality_and_marks(offered_files, tmp_path):
    """Issue 14.11: the 0503 carries the file's and the documents' history from the trail
    (not the reads), the Aussonderungsart the archive decided in its 0502, the retention
    period, the confidentiality from the xdomea code list and the restriction and dispute
    marks; and it is valid against the official schema."""
    case_file = offered_files["B"]
    CaseFile.objects.filter(pk=case_file.pk).update(
        confidentiality=1, disputed_note="Anschrift wird bestritten")
    event_append(action="changed", object_type="case_file", object_id=case_file.pk,
                 actor="sachbearbeitung-b", data={"changes": {"title": ["Alt", "Neu"]}})
    event_append(action="viewed", object_type="case_file", object_id=case_file.pk,
                 actor="sachbearbeitung-b", purpose="Lesen")
    _appraised(offered_files, tmp_path, {"A": "V", "B": "A"})
    [path] = transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    with zipfile.ZipFile(path) as package:
        xml = next(package.read(n) for n in package.namelist() if n.endswith(".xml"))
    tree = assert_valid(xml)
    [akte] = tree.findall("x:Schriftgutobjekt/x:Akte", NS)
    assert akte.findtext("x:ArchivspezifischeMetadaten/x:Aussonderungsart/"
                         "x:Aussonderungsart/code", namespaces=NS) == "A"
    assert akte.findtext("x:ArchivspezifischeMetadaten/x:Aufbewahrungsdauer/x:AnzahlJahre",
                         namespaces=NS) == "10"
    stufe = akte.find("x:AllgemeineMetadaten/x:Vertraulichkeitsstufe", NS)
    assert stufe.get("listURI") == "urn:xoev-de:xdomea:codeliste:vertraulichkeitsstufe"
    assert stufe.findtext("code") == "005"  # Vertraulich, from the official code list
    assert "Anschrift wird bestritten" in akte.findtext("x:AllgemeineMetadaten/x:Bemerkung",
                                                        namespaces=NS)
    marks = {f.findtext("x:Name", namespaces=NS): f.findtext("x:Wert", namespaces=NS)
             for f in akte.findall("x:AnwendungsspezifischeErweiterung/x:Feld", NS)}
    assert marks == {"Richtigkeit bestritten": "Anschrift wird bestritten"}
    history = akte.findall("x:HistorienProtokollInformation", NS)
    actions = [h.findtext("x:Aktion", namespaces=NS) for h in history]
    assert "angelegt" in actions and "geschlossen (zdA)" in actions
    assert "angesehen" not in " ".join(actions).lower()
    [change] = [h for h in history if h.findtext("x:MetadatumName", namespaces=NS) == "title"]
    assert (change.findtext("x:MetadatumAlterWert", namespaces=NS),
            change.findtext("x:MetadatumNeuerWert", namespaces=NS)) == ("Alt", "Neu")
    assert all(h.findtext("x:Akteur", namespaces=NS) for h in history)
    documents = akte.findall(".//x:Dokument", NS)
    assert documents and all(d.findall("x:HistorienProtokollInformation", NS)
                             for d in documents)


def test_a_restricted_file_is_marked_in_the_package(offered_files, tmp_path):
    CaseFile.objects.filter(pk=offered_files["B"].pk).update(restricted=True, confidentiality=2)
    _appraised(offered_files, tmp_path, {"A": "V", "B": "A"})
    [path] = transfer_package(actor=acting(user("datenschutz")), out_dir=tmp_path / "pkg")
    with zipfile.ZipFile(path) as package:
        xml = next(package.read(n) for n in package.namelist() if n.endswith(".xml"))
    [akte] = assert_valid(xml).findall("x:Schriftgutobjekt/x:Akte", NS)
    marks = {f.findtext("x:Name", namespaces=NS)
             for f in akte.findall("x:AnwendungsspezifischeErweiterung/x:Feld", NS)}
    assert marks == {"Verarbeitung eingeschraenkt", "Vertraulichkeit"}
    assert "Art. 18" in akte.findtext("x:AllgemeineMetadaten/x:Bemerkung", namespaces=NS)
