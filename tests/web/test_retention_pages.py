"""The data-protection officer's retention pages (issue 12.8): schedules, holds, disposal with
four eyes and its protocol, erasure requests. The officer can do each on the page and it is
in the trail; nobody else sees any of it."""
import re
from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.models import CaseFile, Event
from archive.selectors import events_for_object
from archive.services.casefiles import case_file_close
from retention.models import (
    CaseFileRetention,
    DisposalList,
    DisposalState,
    ErasureRequest,
    LegalHold,
    RetentionSchedule,
)
from retention.services.schedules import retention_recompute
from search.backends import get_backend
from tests.archive.helpers import staff
from tests.conftest import user

pytestmark = pytest.mark.django_db

OTHERS = ["sachbearbeitung-a", "sachbearbeitung-b", "poststelle", "admin"]


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


@pytest.fixture
def second_officer(demo):
    return staff("datenschutz-2", role="data_protection")


def _close_long_ago(case_file, year=2010):
    owner = "sachbearbeitung-a" if case_file.unit.code == "A" else "sachbearbeitung-b"
    case_file_close(actor=acting(user(owner)), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(year, 6, 1)))
    case_file = CaseFile.objects.get(pk=case_file.pk)
    retention_recompute(case_file=case_file)
    return case_file


def _unmasked(body: bytes) -> bytes:
    # The CSRF token of the logout form differs on every response, by design.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- schedules ------------------------------------------------------------------------------

SCHEDULE = {"name": "Wohngeldakte, 6 Jahre nach zdA", "trigger": "closed", "years": "6",
            "months": "0", "days": "0", "trigger_offset_years": "0", "year_end_cutoff": "on",
            "action": "destroy", "legal_basis": "§ 84 Abs. 2 SGB X"}


def test_the_officer_creates_a_schedule_and_it_is_logged(demo):
    client = _client("datenschutz")
    response = client.post("/datenschutz/aufbewahrungsfristen/anlegen",
                           {**SCHEDULE, "key": "WOHNGELD-6J"})
    schedule = RetentionSchedule.objects.get(key="WOHNGELD-6J")
    assert response.status_code == 302
    assert (schedule.years, schedule.year_end_cutoff, schedule.action) == (6, True, "destroy")
    event = events_for_object("retention_schedule", schedule.pk).get()
    assert (event.action, event.actor, event.data["key"]) == ("created", "datenschutz",
                                                             "WOHNGELD-6J")
    page = client.get("/datenschutz/aufbewahrungsfristen/").content.decode()
    assert "WOHNGELD-6J" in page and "§ 84 Abs. 2 SGB X" in page
    # The shipped schedule names the plan units that use it.
    row = page[page.index('data-schedule="SGB-10J-ZDA"'):]
    assert "50.20.1 Laufende Leistungen" in row[:row.index("</tr>")]


def test_a_refused_schedule_comes_back_with_the_german_reason(demo):
    client = _client("datenschutz")
    missing_basis = client.post("/datenschutz/aufbewahrungsfristen/anlegen",
                                {**SCHEDULE, "key": "OHNE-GRUND", "legal_basis": " "})
    taken = client.post("/datenschutz/aufbewahrungsfristen/anlegen",
                        {**SCHEDULE, "key": "sgb-10j-zda"})
    no_period = client.post("/datenschutz/aufbewahrungsfristen/anlegen",
                            {**SCHEDULE, "key": "OHNE-DAUER", "years": "0"})
    assert missing_basis.status_code == 400 and taken.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in missing_basis.content.decode()
    assert "Die Kennung „sgb-10j-zda“ ist schon vergeben." in taken.content.decode()
    assert "SCHEDULE_PERIOD_MISSING" in no_period.content.decode()
    assert 'value="OHNE-DAUER"' in no_period.content.decode()  # what was entered stays
    assert not RetentionSchedule.objects.filter(key__in=["OHNE-GRUND", "OHNE-DAUER"]).exists()


def test_changing_a_schedule_recomputes_its_case_files_and_is_logged(demo):
    case_file = _close_long_ago(demo["A"])  # 50.20.1: SGB-10J-ZDA, 10 years to year end
    assert CaseFileRetention.objects.get(case_file=case_file).end.isoformat() == "2020-12-31"
    schedule = RetentionSchedule.objects.get(key="SGB-10J-ZDA")
    response = _client("datenschutz").post(
        f"/datenschutz/aufbewahrungsfristen/{schedule.pk}/speichern",
        {**SCHEDULE, "name": schedule.name, "years": "30", "legal_basis": schedule.legal_basis})
    assert response.status_code == 302
    assert CaseFileRetention.objects.get(case_file=case_file).end.isoformat() == "2040-12-31"
    event = events_for_object("retention_schedule", schedule.pk).get(action="changed")
    assert event.actor == "datenschutz" and event.data["changes"]["years"] == [10, 30]
    assert event.data["case_files_recomputed"] >= 1
    edit = _client("datenschutz").get(f"/datenschutz/aufbewahrungsfristen/{schedule.pk}/")
    assert "Jahre" in edit.content.decode() and "geändert" in edit.content.decode()


@pytest.mark.parametrize("username", OTHERS)
def test_nobody_else_sees_or_changes_schedules(demo, username):
    client = _client(username)
    schedule = RetentionSchedule.objects.get(key="SGB-10J-ZDA")
    assert client.get("/datenschutz/aufbewahrungsfristen/").status_code == 404
    assert client.get(f"/datenschutz/aufbewahrungsfristen/{schedule.pk}/").status_code == 404
    created = client.post("/datenschutz/aufbewahrungsfristen/anlegen",
                          {**SCHEDULE, "key": "FREMD-1"})
    assert created.status_code == 404
    assert not RetentionSchedule.objects.filter(key="FREMD-1").exists()


# --- holds ----------------------------------------------------------------------------------

def test_the_officer_places_and_lifts_a_hold_with_reasons(demo):
    client = _client("datenschutz")
    reference = demo["A"].file_reference
    client.post("/datenschutz/sperren/neu", {"file_reference": reference,
                                             "reason": "Klage vor dem Sozialgericht",
                                             "mandate": "S 12 SO 34/26"})
    hold = LegalHold.objects.get(case_file=demo["A"])
    assert hold.placed_by == "datenschutz" and hold.lifted_at is None
    active = client.get("/datenschutz/sperren/").content.decode()
    assert "Klage vor dem Sozialgericht" in active and "S 12 SO 34/26" in active

    refused = client.post(f"/datenschutz/sperren/{hold.pk}/aufheben", {"reason": " "},
                          follow=True)
    assert "REASON_REQUIRED" in _messages(refused)
    hold.refresh_from_db()
    assert hold.lifted_at is None

    client.post(f"/datenschutz/sperren/{hold.pk}/aufheben", {"reason": "Klage zurückgenommen"})
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == ("datenschutz", "Klage zurückgenommen")
    assert "Klage vor dem Sozialgericht" not in client.get("/datenschutz/sperren/").content.decode()
    lifted = client.get("/datenschutz/sperren/", {"status": "aufgehoben"}).content.decode()
    assert "Klage zurückgenommen" in lifted and reference in lifted
    actions = [(e.action, e.actor, e.clear_purpose) for e in events_for_object(
        "case_file", demo["A"].pk).filter(action__in=["hold_placed", "hold_lifted"])]
    assert actions == [("hold_placed", "datenschutz", "Klage vor dem Sozialgericht"),
                       ("hold_lifted", "datenschutz", "Klage zurückgenommen")]


@pytest.mark.parametrize("username", OTHERS)
def test_nobody_else_sees_or_places_holds(demo, username):
    LegalHold.objects.create(case_file=demo["B"], reason="Prüfung des Rechnungsamts",
                             mandate="RPA 1", placed_by="datenschutz")
    client = _client(username)
    assert client.get("/datenschutz/sperren/").status_code == 404
    response = client.post("/datenschutz/sperren/neu", {
        "file_reference": demo["A"].file_reference, "reason": "x", "mandate": "y"})
    assert response.status_code == 404
    assert not LegalHold.objects.filter(case_file=demo["A"]).exists()
    home = client.get("/").content.decode()
    assert "Prüfung des Rechnungsamts" not in home and "/datenschutz/sperren/" not in home


# --- disposal -------------------------------------------------------------------------------

def test_a_held_file_is_not_offered_for_disposal(demo):
    a, b = _close_long_ago(demo["A"]), _close_long_ago(demo["B"])
    LegalHold.objects.create(case_file=b, reason="Klage", mandate="SG 1",
                             placed_by="datenschutz")
    client = _client("datenschutz")
    due = client.get("/datenschutz/aussonderung/").content.decode()
    assert a.file_reference in due
    assert b.file_reference not in due and f'value="{b.pk}"' not in due
    refused = client.post("/datenschutz/aussonderung/vorschlagen", {"case_file": [b.pk]},
                          follow=True)
    assert "NOT_DUE" in _messages(refused)
    assert not DisposalList.objects.exists()


def test_four_eyes_on_the_pages_propose_refuse_approve_execute_protocol(demo, second_officer):
    case_file = _close_long_ago(demo["A"])
    officer = _client("datenschutz")
    proposed = officer.post("/datenschutz/aussonderung/vorschlagen",
                            {"case_file": [case_file.pk]})
    disposal = DisposalList.objects.get()
    assert proposed.status_code == 302
    assert proposed.url == f"/datenschutz/aussonderung/{disposal.pk}/"
    assert disposal.proposed_by == "datenschutz"

    # The proposer is told beforehand and refused if they try.
    own = officer.get(f"/datenschutz/aussonderung/{disposal.pk}/").content.decode()
    assert 'id="four-eyes-note"' in own and "/genehmigen" not in own
    refused = officer.post(f"/datenschutz/aussonderung/{disposal.pk}/genehmigen", follow=True)
    assert "Vier-Augen-Prinzip: Wer vorschlägt, genehmigt nicht selbst. (FOUR_EYES)" in \
        _messages(refused)
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.PROPOSED

    second = _client("datenschutz-2")
    assert "/genehmigen" in second.get(f"/datenschutz/aussonderung/{disposal.pk}/").content.decode()
    second.post(f"/datenschutz/aussonderung/{disposal.pk}/genehmigen")
    disposal.refresh_from_db()
    assert (disposal.state, disposal.approved_by) == (DisposalState.APPROVED, "datenschutz-2")

    # Destruction asks for a confirmation first.
    unconfirmed = officer.post(f"/datenschutz/aussonderung/{disposal.pk}/vollziehen", follow=True)
    assert "CONFIRMATION_REQUIRED" in _messages(unconfirmed)
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is None
    officer.post(f"/datenschutz/aussonderung/{disposal.pk}/vollziehen", {"confirm": "1"})
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.EXECUTED
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is not None

    pdf = officer.get(f"/datenschutz/aussonderung/{disposal.pk}/protokoll.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    protocol = officer.get(f"/datenschutz/aussonderung/{disposal.pk}/protokoll.json").json()
    assert protocol["approved_by"] == "datenschutz-2"
    assert [item["file_reference"] for item in protocol["case_files"]] == [case_file.file_reference]

    trail = list(events_for_object("disposal", disposal.pk).order_by("seq")
                 .values_list("action", "actor"))
    assert trail == [("disposal_proposed", "datenschutz"), ("disposal_approved", "datenschutz-2"),
                     ("disposal_executed", "datenschutz"), ("downloaded", "datenschutz"),
                     ("downloaded", "datenschutz")]
    lists = officer.get("/datenschutz/aussonderung/listen/").content.decode()
    assert "vollzogen" in lists and "genehmigt von datenschutz-2" in lists
    detail = officer.get(f"/datenschutz/aussonderung/{disposal.pk}/").content.decode()
    assert "Aussonderung genehmigt" in detail and "datenschutz-2" in detail


def test_a_second_officer_rejects_a_list_and_its_file_is_due_again(demo, second_officer):
    case_file = _close_long_ago(demo["A"])
    _client("datenschutz").post("/datenschutz/aussonderung/vorschlagen",
                                {"case_file": [case_file.pk]})
    disposal = DisposalList.objects.get()
    due = _client("datenschutz").get("/datenschutz/aussonderung/").content.decode()
    assert f"schon auf Liste Nr. {disposal.pk}" in due  # not proposed twice
    second = _client("datenschutz-2")
    refused = second.post(f"/datenschutz/aussonderung/{disposal.pk}/ablehnen", {"reason": ""},
                          follow=True)
    assert "REASON_REQUIRED" in _messages(refused)
    second.post(f"/datenschutz/aussonderung/{disposal.pk}/ablehnen",
                {"reason": "Akte wird für Widerspruch gebraucht"})
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.REJECTED
    event = events_for_object("disposal", disposal.pk).get(action="disposal_rejected")
    assert (event.actor, event.purpose) == ("datenschutz-2", "Akte wird für Widerspruch gebraucht")
    due = _client("datenschutz").get("/datenschutz/aussonderung/").content.decode()
    assert f'value="{case_file.pk}"' in due and "schon auf Liste" not in due


@pytest.mark.parametrize("username", OTHERS)
def test_nobody_else_sees_disposal(demo, username):
    case_file = _close_long_ago(demo["A"])
    disposal = DisposalList.objects.create(proposed_by="datenschutz")
    disposal.case_files.set([case_file])
    client = _client(username)
    for path in ("/datenschutz/aussonderung/", "/datenschutz/aussonderung/listen/",
                 f"/datenschutz/aussonderung/{disposal.pk}/",
                 f"/datenschutz/aussonderung/{disposal.pk}/protokoll.pdf"):
        assert client.get(path).status_code == 404, path
    unknown = client.get("/datenschutz/aussonderung/987654/")
    known = client.get(f"/datenschutz/aussonderung/{disposal.pk}/")
    assert _unmasked(unknown.content) == _unmasked(known.content)  # denied looks like unknown
    client.post(f"/datenschutz/aussonderung/{disposal.pk}/genehmigen")
    client.post("/datenschutz/aussonderung/vorschlagen", {"case_file": [case_file.pk]})
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.PROPOSED and DisposalList.objects.count() == 1


# --- erasure requests -----------------------------------------------------------------------

def _erasure(client, case_file, note="Antrag per Brief") -> ErasureRequest:
    client.post("/datenschutz/loeschantraege/neu", {
        "file_reference": case_file.file_reference,
        "received_on": timezone.localdate().isoformat(), "note": note})
    return ErasureRequest.objects.get(case_file=case_file, note=note)


def test_an_erasure_request_is_recorded_and_refused_with_a_reason(demo):
    client = _client("datenschutz")
    request = _erasure(client, demo["A"])
    listed = client.get("/datenschutz/loeschantraege/").content.decode()
    assert demo["A"].file_reference in listed and "offen" in listed
    page = client.get(f"/datenschutz/loeschantraege/{request.pk}/").content.decode()
    # Open case file: retention has not begun, so erasing would restrict instead.
    assert "Löschen ist derzeit nicht zulässig" in page
    no_reason = client.post(f"/datenschutz/loeschantraege/{request.pk}/entscheiden",
                            {"outcome": "refuse", "reason": ""}, follow=True)
    assert "REASON_REQUIRED" in _messages(no_reason)
    client.post(f"/datenschutz/loeschantraege/{request.pk}/entscheiden",
                {"outcome": "refuse", "reason": "Antrag nicht von der betroffenen Person"})
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == ("refused", "datenschutz")
    assert not CaseFile.objects.get(pk=demo["A"].pk).restricted
    history = client.get(f"/datenschutz/loeschantraege/{request.pk}/").content.decode()
    assert "Löschantrag erfasst" in history and "über Löschantrag entschieden" in history
    assert "Antrag nicht von der betroffenen Person" in history
    decided = Event.objects.get(action="erasure_decided", object_id=str(demo["A"].pk))
    assert decided.data["decision"] == "refused" and decided.actor == "datenschutz"


def test_erasure_restricts_by_choice_or_erases_when_nothing_forbids_it(demo):
    client = _client("datenschutz")
    restrict = _erasure(client, demo["B"], note="bitte einschränken")
    client.post(f"/datenschutz/loeschantraege/{restrict.pk}/entscheiden",
                {"outcome": "restrict", "reason": "Person bestreitet die Richtigkeit"})
    restrict.refresh_from_db()
    assert restrict.decision == "restricted" and CaseFile.objects.get(pk=demo["B"].pk).restricted

    case_file = _close_long_ago(demo["A"])  # ended 2020, destroy: nothing forbids erasure
    erase = _erasure(client, case_file)
    page = client.get(f"/datenschutz/loeschantraege/{erase.pk}/").content.decode()
    assert "Der Löschung steht derzeit nichts entgegen" in page
    client.post(f"/datenschutz/loeschantraege/{erase.pk}/entscheiden",
                {"outcome": "erase", "reason": "Art. 17 DSGVO"})
    erase.refresh_from_db()
    assert erase.decision == "erased"
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is not None


@pytest.mark.parametrize("username", OTHERS)
def test_nobody_else_sees_erasure_requests(demo, username):
    request = ErasureRequest.objects.create(case_file=demo["A"], received_on=timezone.localdate(),
                                            note="Vermerk nur für den Datenschutz",
                                            recorded_by="datenschutz")
    client = _client(username)
    assert client.get("/datenschutz/loeschantraege/").status_code == 404
    assert client.get(f"/datenschutz/loeschantraege/{request.pk}/").status_code == 404
    client.post(f"/datenschutz/loeschantraege/{request.pk}/entscheiden",
                {"outcome": "refuse", "reason": "x"})
    request.refresh_from_db()
    assert request.decision == ""
