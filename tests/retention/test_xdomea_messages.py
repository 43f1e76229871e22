"""The official sample messages parse and import; wrong, broken and schema-invalid input is
refused with stable codes, on the command line too; the code values are the published ones."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from archive.actors import system_actor
from archive.errors import InvalidInput
from retention.models import Transfer
from retention.services.transfer import transfer_import
from retention.xdomea import codes
from retention.xdomea.parse import message_parse

from .xdomea_helpers import CODE_LISTS, SAMPLES, appraisal_0502, close_long_ago, needs_samples

SAMPLE_PROCESS = "242f44e8-bebf-4503-a086-db252c6a4277"


def _sample_bytes(code: str) -> bytes:
    return next(SAMPLES.glob(f"*.{code}.xml")).read_bytes()


@needs_samples
@pytest.mark.parametrize("code", ["0501", "0502", "0503", "0504"])
def test_every_official_sample_parses(code):
    message = message_parse(_sample_bytes(code))
    # The samples' header Nachrichtentyp is not always right (0502 says 0503): the root decides.
    assert message.code == code
    assert message.process_id == SAMPLE_PROCESS


@needs_samples
def test_sample_contents_are_read():
    assert message_parse(_sample_bytes("0501")).objects == ["cbdbfccc-72e5-44b2-9e71-937e6f4f8ce9"]
    [appraisal] = message_parse(_sample_bytes("0502")).appraisals
    assert (appraisal.object_id, appraisal.code) == ("cbdbfccc-72e5-44b2-9e71-937e6f4f8ce9", "A")


@needs_samples
@pytest.mark.django_db
def test_sample_appraisal_imports_and_reports_objects_unknown_here(tmp_path):
    with pytest.raises(InvalidInput) as refused:
        transfer_import(data=_sample_bytes("0502"), actor=system_actor("scheduler"),
                        out_dir=tmp_path)
    assert refused.value.code == "XDOMEA_UNKNOWN_PROCESS"
    Transfer.objects.create(process_id=SAMPLE_PROCESS, created_by="x")
    report = transfer_import(data=_sample_bytes("0502"), actor=system_actor("scheduler"),
                             out_dir=tmp_path)
    assert report["unknown"] == ["cbdbfccc-72e5-44b2-9e71-937e6f4f8ce9"]
    assert report["archive"] == report["destroy"] == []
    assert Path(report["receipt"]).is_file()  # the sample asks for a receipt
    report = transfer_import(data=_sample_bytes("0504"), actor=system_actor("scheduler"),
                             out_dir=tmp_path)
    assert Transfer.objects.get(process_id=SAMPLE_PROCESS).offer_received_at is not None


@needs_samples
@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0501", "0503"])
def test_messages_this_system_sends_are_not_imported(code, tmp_path):
    with pytest.raises(InvalidInput) as refused:
        transfer_import(data=_sample_bytes(code), actor=system_actor("scheduler"), out_dir=tmp_path)
    assert refused.value.code == "XDOMEA_WRONG_MESSAGE_TYPE"


@pytest.mark.parametrize("data, code", [
    (b"<kein xml", "XDOMEA_INVALID_XML"),
    (b"<Aussonderung.Bewertungsverzeichnis.0502/>", "XDOMEA_WRONG_MESSAGE_TYPE"),
    (b'<x:Abgabe.Abgabe.0401 xmlns:x="urn:xoev-de:xdomea:schema:3.0.0"/>',
     "XDOMEA_WRONG_MESSAGE_TYPE"),
])
def test_broken_or_foreign_input_is_refused(data, code):
    with pytest.raises(InvalidInput) as refused:
        message_parse(data)
    assert refused.value.code == code


@needs_samples
def test_schema_violations_are_refused_with_a_summary():
    tree = etree.fromstring(appraisal_0502(SAMPLE_PROCESS, {SAMPLE_PROCESS: "A"}))
    ns = {"x": codes.NS}
    item = tree.find("x:BewertetesObjekt", ns)
    item.remove(item.find("x:ID", ns))
    with pytest.raises(InvalidInput) as refused:
        message_parse(etree.tostring(tree))
    assert refused.value.code == "XDOMEA_SCHEMA_INVALID"
    assert "line" in refused.value.message and "Aussonderungsart" in refused.value.message


def _codes_of(list_file: str) -> tuple[set[str], str, str]:
    tree = etree.parse(str(CODE_LISTS / list_file))
    values = {row[0].findtext("{*}SimpleValue") for row in tree.iter("Row")}
    return (values, tree.findtext("Identification/CanonicalUri"),
            tree.findtext("Identification/Version"))


@pytest.mark.parametrize("list_file, used, code_list", [
    ("Aussonderungsart_1.0.xml", {codes.ARCHIVE, codes.TO_APPRAISE, codes.DESTROY},
     codes.APPRAISAL_LIST),
    ("Dateiformat_1.0.xml", {codes.PDFA, codes.PDF}, codes.FILE_FORMAT_LIST),
    ("Nachrichtentyp_2.0.xml", set(codes.MESSAGES), codes.MESSAGE_TYPE_LIST),
])
def test_code_values_are_the_published_ones(list_file, used, code_list):
    values, uri, version = _codes_of(list_file)
    assert used <= values
    assert code_list == (uri, version)


def test_message_names_are_the_published_ones():
    tree = etree.parse(str(CODE_LISTS / "Nachrichtentyp_2.0.xml"))
    names = {row[0].findtext("{*}SimpleValue"): row[1].findtext("{*}SimpleValue")
             for row in tree.iter("Row")}
    for code, element in codes.MESSAGES.items():
        assert element == f"{names[code]}.{code}"


DPO = ("--user", "datenschutz")


@needs_samples
@pytest.mark.django_db
def test_command_line_runs_the_transfer_and_names_errors(schedules, tmp_path):
    close_long_ago(schedules["B"], "sachbearbeitung-b")
    out = StringIO()
    with pytest.raises(CommandError, match="USER_REQUIRED"):
        call_command("disposal", "offer", "--out", str(tmp_path), stdout=out)
    with pytest.raises(CommandError, match="PERMISSION_DENIED"):
        call_command("disposal", "offer", "--out", str(tmp_path), "--user", "admin", stdout=out)
    call_command("disposal", "offer", "--out", str(tmp_path), *DPO, stdout=out)
    offered = json.loads(out.getvalue())
    assert offered["case_files"] == 1 and Path(offered["file"]).is_file()
    from retention.models import CaseFileRetention

    xdomea_id = str(CaseFileRetention.objects.get(case_file=schedules["B"]).xdomea_id)
    appraisal = tmp_path / "in.xml"
    appraisal.write_bytes(appraisal_0502(offered["process_id"], {xdomea_id: "A"}))
    out = StringIO()
    call_command("disposal", "import", str(appraisal), *DPO, stdout=out)
    assert json.loads(out.getvalue())["archive"] == [schedules["B"].file_reference]
    out = StringIO()
    call_command("disposal", "package", "--out", str(tmp_path / "pkg"), *DPO, stdout=out)
    [package] = json.loads(out.getvalue())["packages"]
    assert package.endswith(f"{offered['process_id']}_Aussonderung.Aussonderung.0503.zip")
    with pytest.raises(CommandError, match="XDOMEA_WRONG_MESSAGE_TYPE"):
        call_command("disposal", "import", str(next(SAMPLES.glob("*.0501.xml"))), *DPO)
    with pytest.raises(CommandError, match="XDOMEA_UNKNOWN_PROCESS"):
        call_command("disposal", "import", str(next(SAMPLES.glob("*.0502.xml"))),
                     "--out", str(tmp_path), *DPO)
    with pytest.raises(CommandError, match="--out"):
        call_command("disposal", "offer")
