"""The data-protection officer changes one case file's retention end with a reason, on the
retention page and on the command line; it is logged with old and new end, an earlier end
waits for a legal hold to be lifted, and nobody else reaches the page."""
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from archive.actors import actor_for_user as acting
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_close
from retention.models import CaseFileRetention
from retention.services.holds import hold_place
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
URL = "/datenschutz/aufbewahrung/fristende"


def _end(case_file):
    return CaseFileRetention.objects.get(case_file=case_file).end


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def closed(schedules):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    return case_file


def test_the_dpo_changes_the_end_on_the_retention_page(closed):
    computed = _end(closed)
    client = _client("datenschutz")
    page = client.get("/datenschutz/aufbewahrung/").content.decode()
    assert f'action="{URL}"' in page and 'name="reason"' in page
    response = client.post(URL, {"file_reference": closed.file_reference, "until": "2030-06-30",
                                 "reason": "Löschpflicht nach § 84 Abs. 2 SGB X"}, follow=True)
    assert "Das Fristende wurde geändert." in response.content.decode()
    assert _end(closed) == date(2030, 6, 30)
    event = events_for_object("case_file", closed.pk).get(action="retention_shortened")
    assert event.actor == "datenschutz" and event.clear_purpose.startswith("Löschpflicht")
    assert event.clear_data["changes"]["retention_end"] == [computed.isoformat(), "2030-06-30"]
    listed = client.get("/datenschutz/aufbewahrung/").content.decode()
    assert closed.file_reference in listed and "30.06.2030" in listed


def test_the_page_refuses_bad_input_and_shortening_under_a_hold(closed):
    computed = _end(closed)
    client = _client("datenschutz")
    for data, code in [({"until": "demnächst", "reason": "x"}, "DATE_REQUIRED"),
                       ({"until": "2030-01-01", "reason": " "}, "REASON_REQUIRED"),
                       ({"until": computed.isoformat(), "reason": "x"}, "NO_CHANGE")]:
        response = client.post(URL, {"file_reference": closed.file_reference, **data},
                                follow=True)
        assert code in response.content.decode(), code
    hold_place(actor=acting(user("datenschutz")), case_file=closed, reason="Klage", mandate="SG 1")
    response = client.post(URL, {"file_reference": closed.file_reference, "until": "2030-01-01",
                                 "reason": "Löschpflicht"}, follow=True)
    assert "HELD" in response.content.decode()
    assert _end(closed) == computed
    assert client.post(URL, {"file_reference": "50.20.1-1999-999999", "until": "2030-01-01",
                             "reason": "x"}).status_code == 404


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "sachbearbeitung-b", "admin"])
def test_nobody_else_reaches_the_page(closed, username):
    computed = _end(closed)
    response = _client(username).post(URL, {"file_reference": closed.file_reference,
                                            "until": "2099-12-31", "reason": "x"})
    assert response.status_code == 404
    assert _end(closed) == computed


def _cli(*args):
    out = StringIO()
    call_command("retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_line_extends_for_the_unit_and_shortens_for_the_dpo(closed):
    computed = _end(closed)
    later = date(computed.year + 2, 12, 31)
    result = json.loads(_cli("set-end", closed.file_reference, later.isoformat(), "--reason",
                             "Klageverfahren", "--user", "sachbearbeitung-a"))
    assert result["retention_end"] == later.isoformat() and _end(closed) == later
    with pytest.raises(CommandError, match="DPO_ONLY"):
        _cli("set-end", closed.file_reference, "2030-01-01", "--reason", "x",
             "--user", "sachbearbeitung-a")
    with pytest.raises(CommandError, match="NOT_FOUND"):
        _cli("set-end", closed.file_reference, "2099-01-01", "--reason", "x",
             "--user", "sachbearbeitung-b")
    with pytest.raises(CommandError, match="REASON_REQUIRED"):
        _cli("set-end", closed.file_reference, "2030-01-01", "--user", "datenschutz")
    _cli("set-end", closed.file_reference, "2030-01-01", "--reason", "Widerruf der Einwilligung",
         "--user", "datenschutz")
    assert _end(closed) == date(2030, 1, 1)
    actions = [e.action for e in events_for_object("case_file", closed.pk)
               if e.action.startswith("retention_") and e.action != "retention_changed"]
    assert actions == ["retention_extended", "retention_shortened"]
