"""Misuse alerts (issue #14.7): each rule has a pattern it must catch and a normal day it
must not flag. The entries are written by the services that write them in production
(reads, break-glass, closing and reopening) or, for a search's page of hits, in the exact
form the search writes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.services.access import case_file_read, document_read
from archive.services.breakglass import break_glass_open
from archive.services.casefiles import case_file_close, case_file_reopen
from archive.services.events import event_append
from oversight.models import Alert, RuleKey
from oversight.services import alert_rule_set, alerts_scan
from tests.archive.helpers import file_document, grant, staff
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _scan(now=None):
    from archive.actors import system_actor

    return alerts_scan(actor=system_actor("scheduler", "test"), now=now)


def _rule(key, **settings):
    alert_rule_set(actor=acting(user("datenschutz")), key=key, **settings)


def _named(username, last_name):
    person = user(username)
    person.last_name = last_name
    person.save()
    return person


# --- same_name ---------------------------------------------------------------------------
@pytest.mark.parametrize("surname", ["Müller", "Mueller", "MÜLLER"])
def test_reading_the_file_of_a_namesake_is_flagged(demo, surname):
    reader = _named("sachbearbeitung-a", surname)  # A's subject is Jürgen Müller
    document = file_document(demo["A"])
    document_read(user=reader, document_id=document.pk, purpose="Prüfung")
    raised = _scan()
    assert [(a.rule, a.username, a.case_file_id) for a in raised] == [
        (RuleKey.SAME_NAME, "sachbearbeitung-a", demo["A"].pk)
    ]


def test_a_normal_day_of_reading_other_peoples_files_is_not_flagged(demo):
    reader = _named("sachbearbeitung-a", "Schmidt")
    for _ in range(5):
        case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Bearbeitung")
        document_read(user=reader, document_id=file_document(demo["A"]).pk, purpose="Bearbeitung")
    assert _scan() == []


# --- break_glass_repeated ----------------------------------------------------------------
REASON = "Vertretung im Eilfall, Kollegin erkrankt"


def test_repeated_break_glass_openings_are_flagged(demo):
    for _ in range(3):
        break_glass_open(
            actor=acting(user("sachbearbeitung-b")),
            file_reference=demo["A"].file_reference,
            reason=REASON,
        )
    raised = _scan()
    assert [(a.rule, a.username, len(a.seqs)) for a in raised] == [
        (RuleKey.BREAK_GLASS_REPEATED, "sachbearbeitung-b", 3)
    ]
    # a later scan raises nothing new for the same openings
    assert _scan() == []


def test_a_single_emergency_and_old_ones_are_not_flagged(demo):
    break_glass_open(
        actor=acting(user("sachbearbeitung-b")),
        file_reference=demo["A"].file_reference,
        reason=REASON,
    )
    break_glass_open(
        actor=acting(user("sachbearbeitung-b")),
        file_reference=demo["A"].file_reference,
        reason=REASON,
    )
    assert _scan() == []
    # a third one, but the first two are outside the window by the time of the scan
    assert _scan(now=timezone.now() + timedelta(days=8)) == []


def test_the_threshold_is_configurable(demo):
    _rule(RuleKey.BREAK_GLASS_REPEATED, threshold=2)
    for _ in range(2):
        break_glass_open(
            actor=acting(user("sachbearbeitung-b")),
            file_reference=demo["A"].file_reference,
            reason=REASON,
        )
    assert [a.rule for a in _scan()] == [RuleKey.BREAK_GLASS_REPEATED]


# --- bulk_previews -----------------------------------------------------------------------
def _search_showing(username, documents):
    """A search's entry as search/services.py writes it: the page's documents and pictures."""
    event_append(
        action="searched",
        object_type="search",
        object_id="",
        actor=username,
        data={
            "query": "Antrag",
            "count": len(documents),
            "documents": [d.pk for d in documents[:2]],
            "thumbnails": sorted(d.pk for d in documents[2:]),
        },
    )


def test_bulk_previews_of_colleagues_files_are_flagged(demo):
    _rule(RuleKey.BULK_PREVIEWS, threshold=4)
    colleague = staff("kollegin-a", unit_code="A")
    demo["A"].responsible = colleague  # A's file is the colleague's, not the reader's
    demo["A"].save(update_fields=["responsible"])
    documents = [file_document(demo["A"], title=f"Antrag {n}") for n in range(4)]
    _search_showing("sachbearbeitung-a", documents[:2])
    _search_showing("sachbearbeitung-a", documents[1:])
    raised = _scan()
    assert [(a.rule, a.username, a.details["documents"]) for a in raised] == [
        (RuleKey.BULK_PREVIEWS, "sachbearbeitung-a", 4)
    ]


def test_searching_ones_own_files_all_day_is_not_flagged(demo):
    _rule(RuleKey.BULK_PREVIEWS, threshold=4)
    demo["A"].responsible = user("sachbearbeitung-a")
    demo["A"].save(update_fields=["responsible"])
    documents = [file_document(demo["A"], title=f"Antrag {n}") for n in range(6)]
    for _ in range(10):
        _search_showing("sachbearbeitung-a", documents)
    # and the unit's shared files (no responsible caseworker) count as one's own too
    demo["A"].responsible = None
    demo["A"].save(update_fields=["responsible"])
    assert _scan() == []


# --- closed_unfollowed -------------------------------------------------------------------
def test_reading_closed_files_without_any_action_is_flagged(demo):
    _rule(RuleKey.CLOSED_UNFOLLOWED, threshold=1)
    reader = user("sachbearbeitung-a")
    document = file_document(demo["A"])
    case_file_close(actor=acting(reader), case_file=demo["A"])
    document_read(user=reader, document_id=document.pk, purpose="nur mal schauen")
    # not before the time for a follow-up has passed
    assert _scan() == []
    raised = _scan(now=timezone.now() + timedelta(hours=49))
    assert [(a.rule, a.username) for a in raised] == [
        (RuleKey.CLOSED_UNFOLLOWED, "sachbearbeitung-a")
    ]


def test_reading_a_closed_file_to_reopen_it_is_not_flagged(demo):
    _rule(RuleKey.CLOSED_UNFOLLOWED, threshold=1)
    reader = user("sachbearbeitung-a")
    grant("sachbearbeitung-a", "reopen_casefile")
    document = file_document(demo["A"])
    document_read(user=reader, document_id=document.pk, purpose="Bearbeitung")  # still open
    case_file_close(actor=acting(reader), case_file=demo["A"])
    document_read(user=reader, document_id=document.pk, purpose="Widerspruch eingegangen")
    case_file_reopen(actor=acting(reader), case_file=demo["A"], reason="Widerspruch")
    assert _scan(now=timezone.now() + timedelta(hours=49)) == []


def test_the_officer_reading_restricted_files_is_exempt_by_default(demo):
    from archive.services.subject_rights import case_file_restrict

    _rule(RuleKey.CLOSED_UNFOLLOWED, threshold=1)
    officer = user("datenschutz")
    case_file_restrict(actor=acting(officer), case_file=demo["A"], reason="Art. 18")
    case_file_read(user=officer, case_file_id=demo["A"].pk, purpose="Prüfung")
    assert _scan(now=timezone.now() + timedelta(hours=49)) == []
    _rule(RuleKey.CLOSED_UNFOLLOWED, params={"exempt_roles": []})
    assert [a.username for a in _scan(now=timezone.now() + timedelta(hours=49))] == ["datenschutz"]


def test_a_switched_off_rule_raises_nothing(demo):
    _rule(RuleKey.SAME_NAME, active=False)
    reader = _named("sachbearbeitung-a", "Müller")
    case_file_read(user=reader, case_file_id=demo["A"].pk, purpose="Prüfung")
    assert _scan() == []
    assert not Alert.objects.exists()
