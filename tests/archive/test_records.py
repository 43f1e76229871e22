"""The record model: file plan, file references, changes with old and new values, closing
and reopening, moving, processes and versions."""
import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import Conflict, IntegrityFailure, InvalidInput, NotFound, PermissionDenied
from archive.models import FilePlanUnit
from archive.selectors import events_for_object
from archive.services.casefiles import (
    case_file_close,
    case_file_create,
    case_file_reopen,
    case_file_update,
)
from archive.services.documents import document_move, document_update, version_add
from archive.services.fileplan import plan_unit_create, plan_unit_update
from archive.services.processes import (
    process_close,
    process_create,
    process_move,
    process_reopen,
)
from tests.archive.helpers import content, file_document, grant
from tests.conftest import user

pytestmark = pytest.mark.django_db


def test_file_plan_is_kept_by_administration_and_units_are_never_deleted(demo):
    parent = FilePlanUnit.objects.get(code="50.20")
    with pytest.raises(PermissionDenied):
        plan_unit_create(actor=acting(user("sachbearbeitung-a")), code="50.20.2", title="x",
                         parent=parent)
    unit = plan_unit_create(actor=acting(user("admin")), code="50.20.2",
                            title="Einmalige Beihilfen",
                            parent=parent, retention_schedule="SGB-10J-ZDA")
    with pytest.raises(InvalidInput):
        plan_unit_create(actor=acting(user("admin")), code="60.1", title="falsch", parent=parent)
    plan_unit_update(actor=acting(user("admin")), plan_unit=unit, active=False)
    with pytest.raises(InvalidInput) as refused:
        case_file_create(plan_unit=unit, unit=demo["A"].unit, title="Neu",
                         actor=acting(user("sachbearbeitung-a")))
    assert refused.value.code == "PLAN_UNIT_INACTIVE"
    with pytest.raises(IntegrityFailure):
        unit.delete()
    assert [e.action for e in events_for_object("plan_unit", unit.pk)] == ["created",
                                                                           "deactivated"]


def test_file_references_count_up_per_plan_unit_and_never_change(demo):
    case_file = demo["A"]
    plan_unit, unit = case_file.plan_unit, case_file.unit
    second = case_file_create(plan_unit=plan_unit, unit=unit, title="Zweite Akte",
                              actor=acting(user("sachbearbeitung-a")))
    year = timezone.localdate(second.created_at).year  # the year of the file reference is local
    assert second.file_reference == f"{plan_unit.code}-{year}-000002"
    second.file_reference = f"{plan_unit.code}-{year}-999999"
    with pytest.raises(IntegrityFailure):
        second.save()
    with pytest.raises(NotFound):  # B cannot create case files in A's unit
        case_file_create(plan_unit=plan_unit, unit=unit, title="x",
                         actor=acting(user("sachbearbeitung-b")))


def test_changes_record_old_and_new_values(demo):
    case_file = case_file_update(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"],
                                 subject_name="Jürgen Müller-Lüdenscheidt")
    changed = events_for_object("case_file", case_file.pk).get(action="changed")
    assert changed.clear_data["changes"] == {"subject_name": ["Jürgen Müller",
                                                        "Jürgen Müller-Lüdenscheidt"]}
    with pytest.raises(NotFound):
        case_file_update(actor=acting(user("sachbearbeitung-b")), case_file=demo["A"], title="x")


def test_a_closed_case_file_is_read_only_until_reopened_by_permission(demo):
    case_file, document = demo["A"], file_document(demo["A"])
    worker = user("sachbearbeitung-a")
    case_file_close(actor=acting(worker), case_file=case_file)
    closed = events_for_object("case_file", case_file.pk).get(action="closed")
    assert closed.actor == "sachbearbeitung-a" and case_file.closed_at is not None
    for attempt in (
        lambda: case_file_update(actor=acting(worker), case_file=case_file, title="geändert"),
        lambda: document_update(actor=acting(worker), document_id=document.pk, title="geändert"),
        lambda: version_add(actor=acting(worker), document_id=document.pk, content=content("neu")),
        lambda: process_create(actor=acting(worker), case_file=case_file, title="neu"),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "CASE_FILE_CLOSED"
    with pytest.raises(PermissionDenied):
        case_file_reopen(actor=acting(worker), case_file=case_file,
                         reason="Widerspruch eingegangen")
    lead = grant("sachbearbeitung-a", "reopen_casefile")
    with pytest.raises(InvalidInput):
        case_file_reopen(actor=acting(lead), case_file=case_file, reason=" ")
    case_file_reopen(actor=acting(lead), case_file=case_file, reason="Widerspruch eingegangen")
    assert not case_file.is_closed
    reopened = events_for_object("case_file", case_file.pk).get(action="reopened")
    assert reopened.clear_purpose == "Widerspruch eingegangen"


def test_moving_a_document_keeps_its_id_and_history(demo):
    worker = user("sachbearbeitung-a")
    other = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Zweite Akte", actor=acting(worker))
    document = file_document(demo["A"])
    moved = document_move(actor=acting(worker), document_id=document.pk, case_file=other)
    assert moved.pk == document.pk and moved.case_file == other
    history = list(events_for_object("document", document.pk))
    assert [e.action for e in history] == ["filed", "moved"]
    assert history[1].data["from"] == demo["A"].file_reference
    assert history[1].data["to"] == other.file_reference
    with pytest.raises(NotFound):  # B neither sees nor moves it
        document_move(actor=acting(user("sachbearbeitung-b")), document_id=document.pk,
                      case_file=demo["B"])


def test_the_mailroom_files_inbox_post_but_cannot_move_filed_documents(demo):
    unfiled = file_document(None)
    document_move(actor=acting(user("poststelle")), document_id=unfiled.pk, case_file=demo["B"],
                  reason="Aktenzeichen auf dem Umschlag")
    with pytest.raises(NotFound):
        document_move(actor=acting(user("poststelle")), document_id=unfiled.pk, case_file=demo["A"])


def test_processes_group_documents_and_move_with_them(demo):
    worker = user("sachbearbeitung-a")
    process = process_create(actor=acting(worker), case_file=demo["A"],
                             title="Widerspruchsverfahren")
    document = file_document(demo["A"])
    document_move(actor=acting(worker), document_id=document.pk, case_file=demo["A"],
                  process=process)
    other = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                             title="Neue Akte", actor=acting(worker))
    process_move(actor=acting(worker), process=process, target=other)
    document.refresh_from_db()
    assert document.case_file == other and document.process == process
    assert events_for_object("process", process.pk).filter(action="moved").exists()
    process_close(actor=acting(worker), process=process)
    with pytest.raises(Conflict) as refused:
        document_update(actor=acting(worker), document_id=document.pk, title="x")
    assert refused.value.code == "PROCESS_CLOSED"


def test_a_closed_process_is_reopened_with_a_reason_by_who_works_on_the_file(demo):
    worker, outsider = user("sachbearbeitung-a"), user("sachbearbeitung-b")
    process = process_create(actor=acting(worker), case_file=demo["A"], title="Antrag 2027")
    with pytest.raises(Conflict) as refused:
        process_reopen(actor=acting(worker), process=process, reason="versehentlich")
    assert refused.value.code == "PROCESS_NOT_CLOSED"
    process_close(actor=acting(worker), process=process)
    with pytest.raises(InvalidInput) as refused:
        process_reopen(actor=acting(worker), process=process, reason="  ")
    assert refused.value.code == "REASON_REQUIRED"
    with pytest.raises((NotFound, PermissionDenied)):
        process_reopen(actor=acting(outsider), process=process, reason="Nachforderung")
    process.refresh_from_db()
    assert process.closed_at is not None
    process_reopen(actor=acting(worker), process=process, reason="Nachforderung des Gerichts")
    process.refresh_from_db()
    assert process.closed_at is None and process.closed_by == ""
    reopened = events_for_object("process", process.pk).get(action="reopened")
    # The reason is personal: sealed under the case file's key, readable through the accessor.
    assert reopened.clear_purpose == "Nachforderung des Gerichts"
    assert "Nachforderung" not in reopened.purpose + str(reopened.data)
    # A document can go into it again.
    document = file_document(demo["A"])
    document_move(actor=acting(worker), document_id=document.pk, case_file=demo["A"],
                  process=process)


def test_a_new_version_never_changes_an_old_one(demo):
    document = file_document(demo["A"], text="Erste Fassung")
    first = document.versions.get(number=1)
    before = (first.text, first.original_sha256, first.text_sha256)
    second = version_add(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                         content=content("Zweite Fassung"))
    first.refresh_from_db()
    assert second.number == 2 and (first.text, first.original_sha256, first.text_sha256) == before
    first.text = "überschrieben"
    with pytest.raises(IntegrityFailure):
        first.save()
