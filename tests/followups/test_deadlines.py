"""The deadline watch: receipt from the trail, rules by type, risk, responsibility, marking
done, the desk source, the pages, the command line; and nothing for another unit."""
import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.actors import actor_for_user as acting
from archive.desk_sources import DeskScope, desk_sources
from archive.errors import NotFound
from archive.models import CaseFile, Document, Event, Unit
from archive.services.casefiles import case_file_close
from archive.services.documents import document_type_set
from followups.deadlines import DUE_SOON, OK, OVERDUE, deadlines_open
from followups.models import DeadlineRule
from followups.rules import deadline_done
from tests.archive.helpers import file_document, grant
from tests.conftest import DEMO_PASSWORD, user

from .helpers import berlin, received_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def antrag(demo):
    CaseFile.objects.filter(pk=demo["A"].pk).update(responsible=user("sachbearbeitung-a"))
    # 22:30 UTC on 30 August is 00:30 on 31 August in Berlin: the local date counts.
    return received_document(demo["A"], text="Antrag auf Wohngeld von Frau Muster",
                             at=datetime(2026, 8, 30, 22, 30, tzinfo=UTC))


def _mine(username, today, **extra):
    person = user(username)
    return deadlines_open(person, user_ids=[person.pk], today=today, **extra)


def test_the_receipt_is_the_trails_local_date_and_the_rule_gives_the_end(antrag):
    deadlines = [d for d in _mine("sachbearbeitung-a", date(2026, 9, 1))
                 if d.document == antrag]
    assert [d.rule.label for d in deadlines] == [
        "Antrag unbeschieden: Untätigkeitsklage möglich"]
    deadline = deadlines[0]
    received = Event.objects.get(action="received", object_type="ingest_job",
                                 data__sha256=antrag.versions.get().original_sha256)
    assert deadline.receipt.seq == received.seq and deadline.receipt.from_trail
    assert deadline.receipt.day == date(2026, 8, 31)
    # 31 Aug + 6 months = 28 Feb 2027, a Sunday: the next working day (§ 64 Abs. 3 SGG).
    assert deadline.unmoved_end == date(2027, 2, 28)
    assert deadline.end == date(2027, 3, 1)
    assert deadline.moved_because == "Sonntag"
    assert deadline.rule.legal_basis.startswith("§ 88 Abs. 1 SGG")


@pytest.mark.parametrize(("today", "risk"), [
    (date(2026, 12, 1), OK), (date(2027, 2, 20), DUE_SOON), (date(2027, 3, 1), DUE_SOON),
    (date(2027, 3, 2), OVERDUE)])
def test_risk_levels(antrag, today, risk, settings):
    settings.DEADLINE_WARN_DAYS = 14
    assert [d.risk for d in _mine("sachbearbeitung-a", today) if d.document == antrag] == [risk]


def test_without_a_trail_arrival_the_filing_entry_counts(demo, antrag):
    document = file_document(demo["A"], text="Widerspruch gegen den Bescheid")
    Document.objects.filter(pk=document.pk).update(document_type="widerspruch")
    filed = Event.objects.get(action="filed", object_type="document", object_id=str(document.pk))
    deadline = next(d for d in _mine("sachbearbeitung-a", date(2026, 1, 1))
                    if d.document.pk == document.pk)
    assert deadline.receipt.seq == filed.seq and deadline.rule.months == 3


def test_unclassified_post_has_the_unclassified_rule_until_a_type_is_set(demo, antrag):
    document = file_document(demo["A"], text="Ein Schreiben ohne erkennbaren Typ")
    labels = {d.rule.label for d in _mine("sachbearbeitung-a", date(2026, 1, 1))
              if d.document.pk == document.pk}
    assert labels == {"Post ohne Dokumenttyp: Typ bestimmen (könnte ein Widerspruch sein)"}
    document_type_set(actor=acting(user("sachbearbeitung-a")), document_id=document.pk,
                      key="widerspruch")
    labels = {d.rule.label for d in _mine("sachbearbeitung-a", date(2026, 1, 1))
              if d.document.pk == document.pk}
    assert labels == {"Widerspruch unbeschieden: Untätigkeitsklage möglich"}


def test_a_closed_file_and_a_deadline_marked_done_have_no_open_deadline(demo, antrag):
    caseworker = user("sachbearbeitung-a")
    rule = DeadlineRule.objects.get(document_type="antrag")
    deadline_done(actor=acting(caseworker), document_id=antrag.pk, rule_id=rule.pk)
    assert Event.objects.filter(action="deadline_done", object_type="document",
                                object_id=str(antrag.pk), data__rule=rule.pk).exists()
    assert not [d for d in _mine("sachbearbeitung-a", date(2027, 3, 2)) if d.document == antrag]
    other = received_document(demo["A"], text="Zweiter Antrag", at=berlin(2026, 1, 5, 9))
    assert [d for d in _mine("sachbearbeitung-a", date(2027, 3, 2)) if d.document == other]
    case_file_close(actor=acting(caseworker), case_file=demo["A"])
    assert _mine("sachbearbeitung-a", date(2027, 3, 2)) == []


def test_another_unit_may_not_mark_it_done(antrag):
    rule = DeadlineRule.objects.get(document_type="antrag")
    with pytest.raises(NotFound):
        deadline_done(actor=acting(user("sachbearbeitung-b")), document_id=antrag.pk,
                      rule_id=rule.pk)


def test_whose_deadlines_follow_the_responsible_caseworker(demo, antrag):
    a = user("sachbearbeitung-a")
    unit = Unit.objects.get(code="A")
    CaseFile.objects.filter(pk=demo["A"].pk).update(responsible=None)
    # No caseworker and no default: the unit's shared desk.
    assert not [d for d in _mine("sachbearbeitung-a", date(2027, 3, 2)) if d.document == antrag]
    shared = deadlines_open(a, unit_ids=[unit.pk], today=date(2027, 3, 2))
    assert antrag in [d.document for d in shared]
    unit.default_caseworker = a
    unit.save()
    assert antrag in [d.document for d in _mine("sachbearbeitung-a", date(2027, 3, 2))]
    CaseFile.objects.filter(pk=demo["A"].pk).update(responsible=user("admin"))
    assert antrag not in [d.document for d in _mine("sachbearbeitung-a", date(2027, 3, 2))]


def test_desk_source_gives_warnings_and_another_unit_sees_none(demo, antrag):
    a, b = user("sachbearbeitung-a"), user("sachbearbeitung-b")
    source = desk_sources()["deadline"]
    entries = source(DeskScope(user=a, today=date(2027, 3, 2), user_ids=(a.pk,)))
    entry = next(e for e in entries if e.document_id == antrag.pk)
    assert entry.overdue and entry.due == date(2027, 3, 1) and entry.kind == "deadline"
    assert entry.url == reverse("web:document", args=[antrag.pk])
    assert entry.detail == (f"Eingang 31.08.2026, Fristende 01.03.2027 "
                            f"({demo['A'].file_reference}), Beispielregel")
    # Not yet a warning months before its end.
    early = source(DeskScope(user=a, today=date(2026, 9, 1), user_ids=(a.pk,)))
    assert antrag.pk not in [e.document_id for e in early]
    # B, even asking for A's items, is given nothing of A's files.
    assert source(DeskScope(user=b, today=date(2027, 3, 2), user_ids=(a.pk, b.pk),
                            unit_ids=tuple(Unit.objects.values_list("pk", flat=True)))) == []


def test_desk_source_answers_in_a_fixed_number_of_queries(demo, antrag):
    a = user("sachbearbeitung-a")
    source = desk_sources()["deadline"]
    scope = DeskScope(user=a, today=date(2030, 1, 1), user_ids=(a.pk,))
    received_document(demo["A"], text="Antrag eins", at=berlin(2026, 1, 5, 9))
    source(scope)  # the user's profile is then cached, as on any page
    with CaptureQueriesContext(connection) as one:
        first = source(scope)
    for n in range(5):
        received_document(demo["A"], text=f"Antrag Nummer {n}", at=berlin(2026, 2, 5 + n, 9))
    with CaptureQueriesContext(connection) as six:
        more = source(scope)
    assert len(more) == len(first) + 5
    assert len(six.captured_queries) == len(one.captured_queries)


def _client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_deadlines_page_shows_the_derivation_and_logs_the_list(demo, antrag):
    page = _client("sachbearbeitung-a").get(reverse("web:deadlines")).content.decode()
    assert "Antrag unbeschieden: Untätigkeitsklage möglich" in page
    assert "31.08.2026 00:30" in page and "01.03.2027" in page
    assert "manipulationsgeschützt" in page and "§ 88 Abs. 1 SGG" in page
    assert "Beispiel – von der Rechtsabteilung zu bestätigen" in page
    listed = Event.objects.filter(action="listed", object_type="deadline_list").last()
    assert antrag.pk in listed.data["documents"]
    other = _client("sachbearbeitung-b").get(reverse("web:deadlines")).content.decode()
    assert demo["A"].file_reference not in other and "Keine offenen Fristen." in other


def test_unit_view_needs_the_permission(demo, antrag):
    assert _client("sachbearbeitung-a").get(reverse("web:deadlines_unit")).status_code == 404
    grant("sachbearbeitung-a", "view_unit_deadlines")
    grant("sachbearbeitung-b", "view_unit_deadlines")
    page = _client("sachbearbeitung-a").get(reverse("web:deadlines_unit")).content.decode()
    assert antrag.title in page and demo["A"].file_reference in page
    other = _client("sachbearbeitung-b").get(reverse("web:deadlines_unit")).content.decode()
    assert demo["A"].file_reference not in other


def test_command_prints_json(demo, antrag):
    out = StringIO()
    call_command("deadlines", "--user", "sachbearbeitung-a", "--json", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    record = next(r for r in records if r["document"] == antrag.pk)
    assert record["receipt"] == "2026-08-31" and record["end"] == "2027-03-01"
    assert record["moved_from"] == "2027-02-28" and record["receipt_from_trail"] is True
    assert record["file_reference"] == demo["A"].file_reference
    out = StringIO()
    call_command("deadlines", "--user", "sachbearbeitung-b", "--json", stdout=out)
    assert out.getvalue() == ""


def test_own_list_includes_the_units_unassigned_deadlines(demo, antrag):
    CaseFile.objects.filter(pk=demo["A"].pk).update(responsible=None)
    out = StringIO()
    call_command("deadlines", "--user", "sachbearbeitung-a", "--json", stdout=out)
    assert antrag.pk in [json.loads(line)["document"] for line in out.getvalue().splitlines()]
    CaseFile.objects.filter(pk=demo["A"].pk).update(responsible=user("admin"))
    out = StringIO()
    call_command("deadlines", "--user", "sachbearbeitung-a", "--json", stdout=out)
    assert antrag.pk not in [json.loads(line)["document"] for line in out.getvalue().splitlines()]


def test_the_administrator_grants_the_unit_view(demo, antrag):
    from archive.services.staff import user_update
    from web.admin_forms import permission_choices

    assert ("view_unit_deadlines", "Fristen der Organisationseinheit einsehen") in (
        permission_choices())
    user_update(actor=acting(user("admin")), user=user("sachbearbeitung-a"),
                permissions=["view_unit_deadlines"])
    page = _client("sachbearbeitung-a").get(reverse("web:deadlines_unit"))
    assert page.status_code == 200 and antrag.title in page.content.decode()
    user_update(actor=acting(user("admin")), user=user("sachbearbeitung-a"), permissions=[])
    assert _client("sachbearbeitung-a").get(reverse("web:deadlines_unit")).status_code == 404


def test_settled_post_is_not_loaded_and_a_second_rule_stays_open(demo, antrag):
    """Speed (issue 13.10): a desk reads only documents with a deadline not yet done; most
    post of a file is long settled. A document with two rules keeps the one not done."""
    from django.db.models.signals import post_init

    caseworker = user("sachbearbeitung-a")
    rule = DeadlineRule.objects.get(document_type="antrag")
    settled = [received_document(demo["A"], text=f"Erledigter Antrag {n}",
                                 at=berlin(2026, 1, 5 + n, 9)) for n in range(6)]
    for document in settled:
        deadline_done(actor=acting(caseworker), document_id=document.pk, rule_id=rule.pk)
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=Document, weak=False)
    try:
        shown = _mine("sachbearbeitung-a", date(2027, 3, 2))
    finally:
        post_init.disconnect(count, sender=Document)
    assert [d.document.pk for d in shown] == [antrag.pk]
    assert not set(loaded) & {document.pk for document in settled}

    second = DeadlineRule.objects.create(document_type="antrag", months=0, days=14,
                                         label="Zweite Frist", legal_basis="Test")
    both = _mine("sachbearbeitung-a", date(2027, 3, 2))
    assert {(d.document.pk, d.rule.pk) for d in both} == (
        {(antrag.pk, rule.pk), (antrag.pk, second.pk)}
        | {(document.pk, second.pk) for document in settled})
