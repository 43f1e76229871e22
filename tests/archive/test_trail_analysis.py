"""Four eyes before the trail is analysed beyond a single report (issue 14.2): a staff
member's activity report needs the officer's request and an administrator's approval, for
that person and period, for a limited time; every step is in the trail."""
from datetime import timedelta

import pytest
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import Conflict, NotFound, PermissionDenied
from archive.models import Event, TrailAnalysis
from archive.services.reports import Period, report_case_file, report_user
from archive.services.trail_analysis import trail_analysis_decide, trail_analysis_request
from tests.conftest import user

TODAY = timezone.localdate()
PERIOD = Period(TODAY - timedelta(days=7), TODAY)


def _request(subject="sachbearbeitung-b", period=PERIOD):
    return trail_analysis_request(actor=acting(user("datenschutz")), subject=subject,
                                  start=period.start, end=period.end,
                                  reason="Hinweis auf Missbrauch vom Montag")


def _report(period=PERIOD, subject="sachbearbeitung-b"):
    return list(report_user(actor=acting(user("datenschutz")), username=subject, period=period))


def test_without_approval_the_analysis_is_refused(demo):
    with pytest.raises(PermissionDenied) as refused:
        _report()
    assert refused.value.code == "TRAIL_ANALYSIS_NOT_APPROVED"
    _request()  # asked, not yet approved
    with pytest.raises(PermissionDenied):
        _report()
    assert not Event.objects.filter(action="report").exists()
    # A single case file's report needs no second pair of eyes.
    report_case_file(actor=acting(user("datenschutz")), file_reference=demo["A"].file_reference,
                     period=PERIOD)


def test_the_same_person_or_role_cannot_approve(demo):
    analysis = _request()
    with pytest.raises(PermissionDenied) as same:
        trail_analysis_decide(actor=acting(user("datenschutz")), analysis=analysis, approve=True)
    assert same.value.code == "TRAIL_ANALYSIS_SAME_PERSON"
    for other in ("sachbearbeitung-a", "poststelle"):
        with pytest.raises(PermissionDenied) as role:
            trail_analysis_decide(actor=acting(user(other)), analysis=analysis, approve=True)
        assert role.value.code == "TRAIL_ANALYSIS_SAME_ROLE"
    assert TrailAnalysis.objects.get().state == TrailAnalysis.State.REQUESTED


def test_with_approval_it_works_within_scope_and_every_step_is_logged(demo):
    analysis = _request()
    trail_analysis_decide(actor=acting(user("admin")), analysis=analysis, approve=True)
    events = _report()
    assert all(event.actor == "sachbearbeitung-b" for event in events)
    used = Event.objects.get(action="report")
    assert used.clear_data["approval"] == analysis.pk
    assert list(Event.objects.filter(object_type="trail_analysis")
                .values_list("action", "actor")) == [
        ("trail_analysis_requested", "datenschutz"), ("trail_analysis_approved", "admin")]
    # Outside the approved person or period, still refused.
    with pytest.raises(PermissionDenied):
        _report(subject="sachbearbeitung-a")
    with pytest.raises(PermissionDenied):
        _report(period=Period(PERIOD.start - timedelta(days=1), PERIOD.end))
    with pytest.raises(Conflict):
        trail_analysis_decide(actor=acting(user("admin")), analysis=analysis, approve=False)


def test_an_approval_expires(demo, settings):
    analysis = _request()
    trail_analysis_decide(actor=acting(user("admin")), analysis=analysis, approve=True)
    TrailAnalysis.objects.filter(pk=analysis.pk).update(
        valid_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        _report()


def test_a_refusal_is_logged_and_refuses(demo):
    analysis = _request()
    trail_analysis_decide(actor=acting(user("admin")), analysis=analysis, approve=False,
                          note="Anlass reicht nicht")
    assert Event.objects.filter(action="trail_analysis_refused", actor="admin").exists()
    with pytest.raises(PermissionDenied):
        _report()


def test_only_the_officer_asks(demo):
    for other in ("admin", "sachbearbeitung-a"):
        with pytest.raises(NotFound):
            trail_analysis_request(actor=acting(user(other)), subject="x", start=PERIOD.start,
                                   end=PERIOD.end, reason="r")
