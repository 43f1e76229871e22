"""Log retention (issue 14.2): the trail keeps each kind of entry for its configured period
and then removes it in whole segments; a signed record of the removal keeps the remainder
verifiable, and tampering with the remainder or with that record is still found."""
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.checkpoints import checkpoint_write
from archive.errors import PermissionDenied
from archive.labels import EVENT_ACTIONS
from archive.models import Event, PayloadKey
from archive.services.casefiles import case_file_create
from archive.services.destruction import case_files_destroy
from archive.services.events import event_append, events_verify, trail_status
from archive.services.log_retention import log_retention_status, trail_segments_remove
from archive.trail_kinds import ACCESS, ADMIN, KIND_OF_ACTION, SEARCH, trail_kind
from tests.archive.helpers import file_document
from tests.archive.helpers import sql_as_owner as _sql
from tests.archive.tsa import tsa_start
from tests.conftest import user
from tests.vocabulary import event_actions

SCHEDULER = system_actor("scheduler", "log_retention")


@pytest.fixture(autouse=True)
def trail_dirs(own_trail, settings):
    settings.TRAIL_KEEP_ACCESS_DAYS = 30
    settings.TRAIL_KEEP_SEARCH_DAYS = 10
    settings.TRAIL_KEEP_ADMIN_DAYS = 100


def _days_ago(days: int) -> datetime:
    """Noon of a local (Berlin) day: far from any day boundary, whatever the hour now."""
    day = timezone.localdate() - timedelta(days=days)
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _entry(action: str, days: int, object_type: str = "document", object_id=1, **data):
    return event_append(action=action, object_type=object_type, object_id=object_id,
                        actor="sachbearbeitung-a", at=_days_ago(days), data=data,
                        purpose="Vertretung" if action == "viewed" else "").seq


@pytest.fixture
def aged(db):
    """Three signed segments: one 200 days old, one 50 days old, one of today."""
    seqs = {
        "old_view": _entry("viewed", 200, object_id=7001),
        "old_view_2": _entry("viewed", 200, object_id=7001),
        "old_search": _entry("searched", 200, "search", "", query="Meyer Miete"),
        "old_admin": _entry("created", 200, "unit", 3),
    }
    checkpoint_write()
    seqs |= {
        "mid_view": _entry("viewed", 50, object_id=7002),
        "mid_search": _entry("searched", 50, "search", "", query="Schulz"),
        "mid_admin": _entry("changed", 50, "unit", 3),
    }
    checkpoint_write()
    seqs |= {"new_view": _entry("viewed", 0, object_id=7003),
             "new_search": _entry("searched", 0, "search", "", query="heute")}
    checkpoint_write()
    return seqs


def _verify_command() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exit_:
        return exit_.code, err.getvalue()


def test_every_action_the_source_writes_has_a_kind():
    written = set(event_actions())
    assert "trail_segment_removed" in written and "searched" in written
    assert sorted(written - set(KIND_OF_ACTION)) == []
    assert trail_kind("viewed") == ACCESS and trail_kind("searched") == SEARCH
    assert trail_kind("destroyed") == ADMIN and trail_kind("received") == ADMIN
    assert trail_kind("created", "saved_search") == SEARCH


def test_expired_entries_go_in_whole_segments_and_the_rest_verifies(aged):
    keys_before = set(PayloadKey.objects.values_list("scope", flat=True))
    assert f"event:{aged['old_search']}" in keys_before and "document:7001" in keys_before

    removal = trail_segments_remove(actor=SCHEDULER)

    gone = {aged[name] for name in ("old_view", "old_view_2", "old_search", "old_admin",
                                    "mid_view", "mid_search")}
    left = set(Event.objects.values_list("seq", flat=True))
    assert not gone & left
    # Younger than its kind's period: the administrative entry of 50 days, today's entries.
    assert {aged["mid_admin"], aged["new_view"], aged["new_search"]} <= left
    assert removal.count == 6 and removal.kinds == {ACCESS: 3, SEARCH: 2, ADMIN: 1}
    # The newest segment is never touched, even in part.
    assert removal.segments == [(1, 4), (5, 7)]

    recorded = Event.objects.get(seq=removal.removal_seq)
    assert recorded.action == "trail_segment_removed" and "trail_segment_removed" in EVENT_ACTIONS
    assert recorded.data["removed"] == 6 and recorded.data["first_seq"] == 1
    assert recorded.data["runs"][0][:2] == [1, 6]
    assert recorded.data["before"][ACCESS] == (timezone.localdate()
                                               - timedelta(days=30)).isoformat()

    # No key outlives the entries that alone used it; today's search keeps its own.
    keys = set(PayloadKey.objects.values_list("scope", flat=True))
    assert {f"event:{aged['old_search']}", f"event:{aged['mid_search']}", "document:7001",
            "document:7002"}.isdisjoint(keys)
    assert {f"event:{aged['new_search']}", "document:7003"} <= keys
    assert Event.objects.get(seq=aged["new_search"]).clear_data["query"] == "heute"

    result = events_verify()
    assert result.ok, result.reason
    assert _verify_command()[0] == 0
    assert trail_status().ok
    # The removal is itself anchored: signed by the checkpoint written after it.
    event_append(action="viewed", object_type="document", object_id=1, actor="x")
    assert trail_status().ok and checkpoint_write() is not None and events_verify().ok


def test_a_second_run_later_removes_what_has_expired_since(aged, settings):
    trail_segments_remove(actor=SCHEDULER)
    settings.TRAIL_KEEP_ADMIN_DAYS = 40
    removal = trail_segments_remove(actor=SCHEDULER)
    assert removal.kinds == {ADMIN: 1}
    assert not Event.objects.filter(seq=aged["mid_admin"]).exists()
    assert Event.objects.filter(action="trail_segment_removed").count() == 2
    assert events_verify().ok


def test_dry_run_and_nothing_due_remove_nothing(aged, settings):
    count = Event.objects.count()
    assert trail_segments_remove(actor=SCHEDULER, dry_run=True).count == 6
    assert Event.objects.count() == count
    settings.TRAIL_KEEP_ACCESS_DAYS = settings.TRAIL_KEEP_SEARCH_DAYS = 0
    settings.TRAIL_KEEP_ADMIN_DAYS = 0  # 0: kept for ever
    assert trail_segments_remove(actor=SCHEDULER).count == 0
    assert Event.objects.count() == count


def test_the_command_prunes_and_says_so(aged):
    out = StringIO()
    call_command("audit", "prune", "--dry-run", stdout=out)
    assert "would remove 6 entries in 2 segments" in out.getvalue()
    call_command("audit", "prune", stdout=out)
    assert "removed 6 entries" in out.getvalue()
    assert _verify_command()[0] == 0


def test_only_the_officer_or_the_system_removes(aged, demo):
    with pytest.raises(PermissionDenied):
        trail_segments_remove(actor=acting(user("sachbearbeitung-a")))
    assert trail_segments_remove(actor=acting(user("datenschutz"))).count == 6


def test_tampering_with_what_remains_is_still_found(aged):
    trail_segments_remove(actor=SCHEDULER)
    _sql("UPDATE archive_event SET actor = 'verschleiert' WHERE seq = %s", [aged["mid_admin"]])
    result = events_verify()
    assert not result.ok and result.first_bad_seq == aged["mid_admin"]
    assert _verify_command()[0] != 0


def test_a_deleted_removal_record_leaves_an_unexplained_gap(aged):
    removal = trail_segments_remove(actor=SCHEDULER)
    _sql("DELETE FROM archive_event WHERE seq = %s", [removal.removal_seq])
    result = events_verify()
    assert not result.ok and result.first_bad_seq == 1
    assert "missing" in result.reason


def test_an_altered_removal_record_is_found(aged):
    removal = trail_segments_remove(actor=SCHEDULER)
    recorded = Event.objects.get(seq=removal.removal_seq)
    runs = recorded.data["runs"]
    runs[0][1] += 1  # claim that one more entry was removed
    _sql("UPDATE archive_event SET data = %s WHERE seq = %s",
         [__import__("json").dumps({**recorded.data, "runs": runs}), removal.removal_seq])
    assert not events_verify().ok


def test_a_forged_removal_without_a_signature_is_refused(aged):
    """An insider who deletes entries and appends a removal record of their own: the next
    checkpoint has not signed it, so the gap stays unexplained."""
    from archive.models import TrailCut

    hash_of_2 = Event.objects.get(seq=2).hash
    forged = event_append(action="trail_segment_removed", object_type="trail", object_id="1-2",
                          actor="x", data={"runs": [[1, 2, hash_of_2]]})
    TrailCut.objects.create(removal_seq=forged.seq, first_seq=1, last_seq=2, last_hash=hash_of_2)
    Event.objects.filter(seq__in=[1, 2]).delete()  # the cut lets it through
    result = events_verify()
    assert not result.ok and "not signed by a checkpoint" in result.reason


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's own triggers; "
                    "PostgreSQL's are tested as the application role in test_postgres")
def test_the_triggers_still_refuse_every_other_delete(aged):
    trail_segments_remove(actor=SCHEDULER)
    for statement in ("DELETE FROM archive_event",
                      f"DELETE FROM archive_event WHERE seq = {aged['mid_admin']}",
                      "UPDATE archive_event SET actor = 'x'",
                      "DELETE FROM archive_trailcut", "UPDATE archive_trailcut SET last_seq = 99"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert events_verify().ok


def test_a_case_files_history_and_receipts_stay_while_they_are_needed(demo, settings):
    case_file = demo["A"]
    document = file_document(case_file, "Antrag auf Wohngeld")
    history = _entry("changed", 200, "case_file", case_file.pk)
    read = _entry("viewed", 200, "case_file", case_file.pk)
    sha = document.versions.get().original_sha256
    receipt = _entry("received", 200, "ingest_job", 1, sha256=sha)
    stray_receipt = _entry("received", 200, "ingest_job", 2, sha256="0" * 64)
    checkpoint_write()
    _entry("viewed", 0)
    checkpoint_write()
    trail_segments_remove(actor=SCHEDULER)
    left = set(Event.objects.values_list("seq", flat=True))
    assert {history, receipt} <= left  # the file exists, the bytes are held
    assert read not in left and stray_receipt not in left
    assert events_verify().ok


def test_a_held_files_reads_stay_past_their_period_until_the_hold_is_lifted(demo):
    """A legal hold preserves the file's history, and who read it may be what the court asks."""
    from retention.services.holds import hold_lift, hold_place
    held, free = demo["A"], demo["B"]
    document = file_document(held, "Antrag auf Wohngeld")
    officer = acting(user("datenschutz"))
    hold = hold_place(actor=officer, case_file=held, reason="Klage", mandate="S 12 SO 34/26")
    kept = {_entry("viewed", 200, "case_file", held.pk),
            _entry("viewed", 200, "document", document.pk)}
    other = _entry("viewed", 200, "case_file", free.pk)
    checkpoint_write()
    _entry("viewed", 0)
    checkpoint_write()

    trail_segments_remove(actor=SCHEDULER)
    left = set(Event.objects.values_list("seq", flat=True))
    assert kept <= left and other not in left
    assert events_verify().ok

    hold_lift(actor=officer, hold=hold, reason="Verfahren beendet")
    _entry("viewed", 0)
    checkpoint_write()
    trail_segments_remove(actor=SCHEDULER)
    assert not kept & set(Event.objects.values_list("seq", flat=True))
    assert events_verify().ok


def test_verify_passes_after_removal_destruction_and_timestamping(demo, settings, tmp_path):
    authority, server = tsa_start(tmp_path / "tsa")
    settings.TSA_URL, settings.TSA_CA_FILE = authority.url, str(authority.ca_file)
    try:
        doomed = case_file_create(plan_unit=demo["A"].plan_unit, unit=demo["A"].unit,
                                  actor=system_actor(name="test"), title="Altakte")
        file_document(doomed, "Gutachten Altakte", store=True)
        _entry("viewed", 200, "case_file", doomed.pk)
        _entry("searched", 200, "search", "", query="Altakte")
        checkpoint_write()
        _entry("viewed", 0)
        checkpoint_write()
        assert trail_segments_remove(actor=SCHEDULER).count >= 2
        case_files_destroy(case_file_ids=[doomed.pk], actor=acting(user("datenschutz")),
                           approval={"list": 1, "proposed_by": "datenschutz",
                                     "approved_by": "datenschutz-2"})
        checkpoint_write()
        result = events_verify()
        assert result.ok, result.reason
        assert result.timestamped >= 3
        assert _verify_command()[0] == 0
    finally:
        server.shutdown()


def test_the_status_names_periods_oldest_last_removal_and_next_due(aged):
    status = log_retention_status()
    assert status.days == {ACCESS: 30, SEARCH: 10, ADMIN: 100}
    assert status.oldest.seq == 1 and status.last_removal is None
    assert status.next_due == timezone.localdate()  # overdue: the next run
    removal = trail_segments_remove(actor=SCHEDULER)
    status = log_retention_status()
    assert status.last_removal.seq == removal.removal_seq
    assert status.oldest.seq == aged["mid_admin"]
    # Next: today's search, ten days on (the admin entry of 50 days is due in 51).
    assert status.next_due == timezone.localdate() + timedelta(days=11)
