"""Scanning the trail for misuse patterns, and the officer's work on the alerts: list
(pseudonymised), open (reveals the reader; logged), review as "geprüft" or "unbegründet" with
a note, and change a rule's settings. Only the data-protection officer sees any of it; a scan
may also run as the scheduler."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound
from archive.guards import is_data_protection_officer, require_dpo_or_system, require_person
from archive.models import CaseFile
from archive.services.events import event_append

from .models import Alert, AlertRule, AlertState, RuleKey
from .pseudonyms import pseudonym
from .rules import DEFAULTS, Finding, findings
from .trail import entries_by_seq


def _require_officer(actor: Actor):
    user = require_person(actor)
    if not is_data_protection_officer(user):
        raise NotFound()
    return user


def _merge(finding: Finding) -> Alert | None:
    """A finding becomes a new alert, or grows the open alert of the same rule, reader and
    file. Entries an alert already holds (open or reviewed) raise nothing again."""
    same = Alert.objects.filter(
        rule=finding.rule, username=finding.username, case_file_id=finding.case_file_id
    )
    known = {seq for alert in same for seq in alert.seqs}
    new = [seq for seq in finding.seqs if seq not in known]
    if not new:
        return None
    open_alert = same.filter(state=AlertState.OPEN).first()
    if open_alert is not None:
        open_alert.seqs = sorted(set(open_alert.seqs) | set(finding.seqs))
        open_alert.last_at = max(open_alert.last_at, finding.last_at)
        open_alert.details = finding.details
        open_alert.save(update_fields=["seqs", "last_at", "details"])
        return None
    return Alert.objects.create(
        rule=finding.rule,
        username=finding.username,
        case_file_id=finding.case_file_id,
        seqs=sorted(finding.seqs),
        details=finding.details,
        first_at=finding.first_at,
        last_at=finding.last_at,
    )


def alerts_scan(*, actor: Actor, now=None) -> list[Alert]:
    """Runs every active rule over its window up to now; returns the alerts newly raised.
    The scheduler, the machine's operator (`registratur alerts scan`) or the officer; a scan
    shows nothing, it only raises alerts."""
    if not actor.is_operator:
        require_dpo_or_system(actor, "Nur der Datenschutz oder der Zeitplan prüft auf Hinweise.")
    now = now or timezone.now()
    raised = []
    with transaction.atomic():
        for finding in findings(now):
            alert = _merge(finding)
            if alert is not None:
                # The trail names the pseudonym, never the reader.
                event_append(
                    action="alert_raised",
                    object_type="alert",
                    object_id=alert.pk,
                    actor=actor,
                    data={"rule": alert.rule, "pseudonym": pseudonym(alert.username)},
                )
                raised.append(alert)
    return raised


def alerts_for_officer(*, actor: Actor, state: str = "") -> QuerySet[Alert]:
    _require_officer(actor)
    alerts = Alert.objects.all()
    if state:
        alerts = alerts.filter(state=state)
    return alerts


def alerts_open_count(user) -> int:
    """The dashboard's count: only the officer has any."""
    if not is_data_protection_officer(user):
        return 0
    return Alert.objects.filter(state=AlertState.OPEN).count()


@dataclass
class OpenedAlert:
    alert: Alert
    reader: str  # user name and full name, now revealed
    case_file: CaseFile | None
    seqs: list[int]


def alert_open(*, actor: Actor, alert_id) -> OpenedAlert:
    """The officer opens an alert: the reader is revealed, and the opening is logged (each
    time)."""
    _require_officer(actor)
    alert = Alert.objects.filter(pk=alert_id).first() if str(alert_id).isdigit() else None
    if alert is None:
        raise NotFound()
    with transaction.atomic():
        if alert.opened_at is None:
            alert.opened_at, alert.opened_by = timezone.now(), actor.label
            alert.save(update_fields=["opened_at", "opened_by"])
        event_append(
            action="alert_opened",
            object_type="alert",
            object_id=alert.pk,
            actor=actor,
            data={"rule": alert.rule},
        )
    user = get_user_model().objects.filter(username=alert.username).first()
    name = (user.get_full_name().strip() if user else "") or ""
    reader = f"{name} ({alert.username})" if name else alert.username
    case_file = (
        CaseFile.objects.filter(pk=alert.case_file_id).first() if alert.case_file_id else None
    )
    return OpenedAlert(alert, reader, case_file, [e.seq for e in entries_by_seq(alert.seqs)])


OUTCOMES = {"confirmed": AlertState.CONFIRMED, "unfounded": AlertState.UNFOUNDED}


def alert_review(*, actor: Actor, alert_id, outcome: str, note: str) -> Alert:
    """ "geprüft" (the pattern was looked into; a case for the officer's follow-up) or
    "unbegründet" (there was a cause), always with a note. The note stays on the alert; the
    trail records the outcome."""
    _require_officer(actor)
    alert = Alert.objects.filter(pk=alert_id).first() if str(alert_id).isdigit() else None
    if alert is None:
        raise NotFound()
    if outcome not in OUTCOMES:
        raise InvalidInput("Bitte „geprüft“ oder „unbegründet“ wählen.", code="ALERT_OUTCOME")
    if not note.strip():
        raise InvalidInput("Die Prüfung braucht einen Vermerk.", code="REASON_REQUIRED")
    if alert.state != AlertState.OPEN:
        raise Conflict("Dieser Hinweis ist schon geprüft.", code="ALERT_REVIEWED")
    if alert.opened_at is None:
        raise Conflict("Ein Hinweis wird erst geöffnet, dann geprüft.", code="ALERT_NOT_OPENED")
    with transaction.atomic():
        alert.state = OUTCOMES[outcome]
        alert.reviewed_by, alert.reviewed_at = actor.label, timezone.now()
        alert.review_note = note.strip()[:1000]
        alert.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        event_append(
            action="alert_reviewed",
            object_type="alert",
            object_id=alert.pk,
            actor=actor,
            data={"rule": alert.rule, "outcome": alert.state},
        )
    return alert


def alert_rule_set(
    *,
    actor: Actor,
    key: str,
    threshold: int | None = None,
    window_hours: int | None = None,
    active: bool | None = None,
    params: dict | None = None,
) -> AlertRule:
    """The officer changes a rule's threshold, window, further settings or switches it off."""
    _require_officer(actor)
    if key not in RuleKey.values:
        raise InvalidInput(f"Unbekannte Regel {key!r}.", code="ALERT_RULE_UNKNOWN")
    for value in (threshold, window_hours):
        if value is not None and value < 1:
            raise InvalidInput(
                "Schwelle und Zeitfenster sind mindestens 1.", code="ALERT_RULE_INVALID"
            )
    default = DEFAULTS[key]
    with transaction.atomic():
        rule, _ = AlertRule.objects.get_or_create(
            key=key,
            defaults={
                "threshold": default["threshold"],
                "window_hours": default["window_hours"],
                "params": {},
            },
        )
        before = {
            "threshold": rule.threshold,
            "window_hours": rule.window_hours,
            "active": rule.active,
            "params": rule.params,
        }
        if threshold is not None:
            rule.threshold = threshold
        if window_hours is not None:
            rule.window_hours = window_hours
        if active is not None:
            rule.active = active
        if params:
            rule.params = {**rule.params, **params}
        rule.save()
        after = {
            "threshold": rule.threshold,
            "window_hours": rule.window_hours,
            "active": rule.active,
            "params": rule.params,
        }
        event_append(
            action="alert_rule_changed",
            object_type="alert_rule",
            object_id=key,
            actor=actor,
            data={
                "changes": {
                    name: [before[name], after[name]]
                    for name in after
                    if before[name] != after[name]
                }
            },
        )
    return rule
