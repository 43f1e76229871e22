"""Each service checks its own permission, given an actor (person, channel, OS account), not
the view in front of it; every event records the procedure; and the command line never
supplies both halves of a four-eyes decision."""
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from archive.actors import actor_for_cli, system_actor
from archive.actors import actor_for_user as acting
from archive.errors import InvalidInput, NotFound, PermissionDenied
from archive.models import CaseFile, Event
from archive.services.casefiles import case_file_close, case_file_create
from archive.services.destruction import case_files_destroy
from archive.services.documents import document_file_new
from archive.services.exchange import case_file_export, case_file_import
from archive.services.fixity import fixity_check
from archive.services.staff import staff_set
from retention.models import DisposalList, DisposalState
from retention.services.disposal import (
    disposal_approve,
    disposal_execute,
    disposal_execute_approved,
    disposal_propose,
)
from retention.services.transfer import transfer_import, transfer_offer, transfer_package
from tests.archive.helpers import content
from tests.conftest import user

pytestmark = pytest.mark.django_db
APPROVAL = {"list": "1", "proposed_by": "datenschutz", "approved_by": "datenschutz-2"}


def _due(case_file):
    case_file_close(actor=acting(user("sachbearbeitung-a" if case_file.unit.code == "A"
                                      else "sachbearbeitung-b")), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(2010, 6, 1)))
    return CaseFile.objects.get(pk=case_file.pk)


@pytest.fixture
def approved(schedules):
    case_file = _due(schedules["A"])
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    return disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)


# --- services that used to trust the view -------------------------------------------------

def test_disposal_execute_refuses_a_caseworker_called_directly(approved):
    with pytest.raises(PermissionDenied):
        disposal_execute(disposal_id=approved.pk, actor=acting(user("sachbearbeitung-a")))
    with pytest.raises(PermissionDenied):  # nor the bare command line
        disposal_execute(disposal_id=approved.pk, actor=actor_for_cli(None, os_user="root"))
    approved.refresh_from_db()
    assert approved.state == DisposalState.APPROVED
    assert approved.case_files.get().destroyed_at is None


def test_disposal_execute_approved_is_the_schedulers_alone(approved):
    with pytest.raises(PermissionDenied):
        disposal_execute_approved(actor=acting(user("datenschutz")))
    assert disposal_execute_approved(actor=system_actor("scheduler")) == [approved.pk]


def test_case_files_destroy_refuses_anyone_but_the_dpo_and_the_scheduler(schedules):
    case_file = _due(schedules["A"])
    for actor in (acting(user("sachbearbeitung-a")), acting(user("admin")),
                  actor_for_cli(None, os_user="root")):
        with pytest.raises(PermissionDenied):
            case_files_destroy(case_file_ids=[case_file.pk], approval=APPROVAL, actor=actor)
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is None


def test_case_files_destroy_needs_a_named_approval(schedules):
    case_file = _due(schedules["A"])
    with pytest.raises(InvalidInput):
        case_files_destroy(case_file_ids=[case_file.pk], approval={},
                           actor=acting(user("datenschutz")))
    assert CaseFile.objects.get(pk=case_file.pk).destroyed_at is None


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "admin", "poststelle"])
def test_the_transfer_to_the_archive_refuses_others_called_directly(schedules, tmp_path,
                                                                    username):
    actor = acting(user(username))
    with pytest.raises(PermissionDenied):
        transfer_offer(actor=actor, out_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        transfer_import(data=b"<x/>", actor=actor, out_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        transfer_package(actor=actor, out_dir=tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "datenschutz", "poststelle"])
def test_staff_set_refuses_everyone_but_the_administrator(demo, username):
    with pytest.raises(PermissionDenied):
        staff_set(actor=acting(user(username)), username="sachbearbeitung-b", units=["A", "B"])
    assert list(user("sachbearbeitung-b").staff_profile.units.values_list("code", flat=True)) \
        == ["B"]
    staff_set(actor=acting(user("admin")), username="sachbearbeitung-b", units=["A", "B"])
    event = Event.objects.filter(object_type="staff").last()
    assert event.actor == "admin" and event.data["via"] == {"channel": "web"}


def test_case_file_import_refuses_a_caseworker(demo, tmp_path):
    package = case_file_export(actor=acting(user("sachbearbeitung-a")),
                               case_file_id=demo["A"].pk, target=tmp_path / "a.zip")
    with pytest.raises(PermissionDenied):
        case_file_import(path=package, actor=acting(user("sachbearbeitung-a")))


def test_document_file_new_refuses_a_person_outside_the_unit(demo):
    with pytest.raises(NotFound):
        document_file_new(content=content(), case_file=demo["A"], title="Untergeschoben",
                          received_at=timezone.now(), actor=acting(user("sachbearbeitung-b")))
    with pytest.raises(NotFound):  # the inbox is the mailroom's
        document_file_new(content=content(), case_file=None, title="Untergeschoben",
                          received_at=timezone.now(), actor=acting(user("sachbearbeitung-a")))
    assert not demo["A"].documents.exists()


def test_case_file_create_without_a_person_is_only_the_systems(demo):
    with pytest.raises(PermissionDenied):
        case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit, title="x",
                         actor=actor_for_cli(None, os_user="root"))
    with pytest.raises(PermissionDenied):
        case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit, title="x",
                         actor=acting(None, name="anonymous"))


def test_fixity_check_refuses_a_caseworker(demo):
    with pytest.raises(PermissionDenied):
        fixity_check(actor=acting(user("sachbearbeitung-a")))
    assert not Event.objects.filter(action="fixity_checked").exists()


# --- the procedure in every event ----------------------------------------------------------

def test_the_command_line_records_the_os_account_and_the_channel(demo):
    out = StringIO()
    call_command("casefile", "close", demo["A"].file_reference, "--user", "sachbearbeitung-a",
                 stdout=out)
    event = Event.objects.filter(action="closed", object_type="case_file").get()
    assert event.actor == "sachbearbeitung-a"
    via = event.data["via"]
    assert via["channel"] == "cli" and via["os_user"] and via["invocation"]
    import getpass

    assert via["os_user"] == getpass.getuser()


def test_web_api_and_scheduler_record_their_channel(approved):
    from django.test import Client

    from tests.conftest import DEMO_PASSWORD

    client = Client()
    client.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    client.get("/akten/")
    listed = Event.objects.filter(action="listed", actor="sachbearbeitung-b").get()
    assert listed.data["via"] == {"channel": "web"}
    disposal_execute_approved(actor=system_actor("scheduler"))
    executed = Event.objects.filter(action="disposal_executed").get()
    assert executed.actor == "scheduler" and executed.data["via"] == {"channel": "scheduler"}


def test_events_with_via_still_verify(approved):
    from archive.services.events import events_verify

    assert Event.objects.filter(data__via__channel="web").exists()
    assert events_verify().ok


# --- four eyes on the command line ---------------------------------------------------------

def _propose_by_command(case_file) -> DisposalList:
    call_command("disposal", "propose", case_file.file_reference, "--user", "datenschutz",
                 stdout=StringIO())
    return DisposalList.objects.get()


def test_the_proposer_never_approves_through_the_service(schedules):
    case_file = _due(schedules["A"])
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    with pytest.raises(PermissionDenied) as refused:
        disposal_approve(actor=acting(user("datenschutz")), disposal=disposal)
    assert refused.value.code == "FOUR_EYES"


def test_the_same_os_account_cannot_approve_under_another_user_name(schedules):
    case_file = _due(schedules["A"])
    disposal = _propose_by_command(case_file)
    # Same machine account, second user name: still one person at the keyboard.
    with pytest.raises(CommandError, match="FOUR_EYES_SAME_OS_ACCOUNT"):
        call_command("disposal", "approve", str(disposal.pk), "--user", "datenschutz-2",
                     stdout=StringIO())
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.PROPOSED
    # Another account (here: the second officer at their own login) may.
    disposal_approve(actor=actor_for_cli(user("datenschutz-2"), os_user="dsb2"),
                     disposal=disposal)
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.APPROVED and disposal.approved_by == "datenschutz-2"


def test_one_invocation_never_gives_both_halves(schedules):
    case_file = _due(schedules["A"])
    run = "one-run"
    disposal = disposal_propose(
        actor=actor_for_cli(user("datenschutz"), os_user="dsb1", invocation=run),
        case_file_ids=[case_file.pk])
    with pytest.raises(PermissionDenied) as refused:
        disposal_approve(
            actor=actor_for_cli(user("datenschutz-2"), os_user="dsb2", invocation=run),
            disposal=disposal)
    assert refused.value.code == "FOUR_EYES_SAME_INVOCATION"
    assert DisposalList.objects.get(pk=disposal.pk).state == DisposalState.PROPOSED


def test_the_web_approval_of_a_command_line_proposal_is_fine(schedules):
    case_file = _due(schedules["A"])
    disposal = _propose_by_command(case_file)
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    assert DisposalList.objects.get(pk=disposal.pk).state == DisposalState.APPROVED
