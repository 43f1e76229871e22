"""Which kind of entry each trail action is, for log retention (issue 14.2).

The trail is itself personal data (of the persons concerned and of staff), so each kind is
kept for its own configured period (`settings.TRAIL_KEEP_*_DAYS`):

- ACCESS: reads and sessions: who looked at what, logins. Needed to answer "who read my
  data" and to spot misuse; the staff council expects them gone after a while.
- SEARCH: search queries (and saved searches): free text that may name anybody.
- ADMIN: everything that changes a record, a right or the system, and the trail's own
  evidence: filings, receipts, closings, shares and break-glass openings, holds, disposal and
  destruction, transfers, accounts, backups, log removals. A case file's history and legal
  evidence live here; besides its longer period, `archive.services.log_retention` keeps an
  administrative entry for as long as the record it names exists.

`tests/archive/test_log_retention.py` holds this table against every action the source
writes, so a new action without a kind fails."""

ACCESS = "access"
SEARCH = "search"
ADMIN = "admin"
KINDS = (ACCESS, SEARCH, ADMIN)

_ACCESS = {
    "viewed", "previewed", "downloaded", "exported", "listed", "read_refused", "report",
    "disclosure_downloaded",
    "login", "login_failed", "logout", "login_locked", "second_factor_verified",
    "second_factor_failed", "alert_opened",
}
_SEARCH = {"searched"}
_ADMIN = {
    # records and their history (the deadline watch reads received/filed/inbox)
    "created", "changed", "moved", "filed", "inbox", "confirmed", "version_added", "closed",
    "reopened", "shared", "unshared", "person_named", "reactivated", "deactivated",
    "schedule_changed", "imported", "destroyed", "deleted", "received", "quarantined",
    "transfer_note", "quarantine_retried", "quarantine_released", "quarantine_handed",
    "disclosed", "break_glass", "break_glass_reviewed",
    # replacement scanning (TR-RESISCAN): the evidence that the scan may replace the paper
    "scan_qa_passed", "scan_qa_rejected", "rescan_received", "paper_released",
    # accounts and tokens
    "password_link_issued", "password_set", "second_factor_set_up", "second_factor_reset",
    "token_created", "token_revoked",
    # data subjects' rights, retention, disposal, the public archive
    "restricted", "unrestricted", "disputed", "dispute_settled", "erasure_requested",
    "erasure_decided", "hold_placed", "hold_lifted", "retention_changed",
    "retention_shortened", "retention_extended", "event_recorded", "disposal_due",
    "disposal_proposed", "disposal_approved", "disposal_executed", "disposal_blocked",
    "disposal_rejected", "archive_offered", "file_plan_exported", "archive_receipt",
    "archive_appraised", "archive_appraisal_received", "archive_transferred",
    "archive_handed_over", "archive_import_confirmed", "archive_import_received",
    "archive_transfer_protocol", "archive_import_failed", "archive_destruction_blocked",
    "archive_message_received", "archive_message_refused",
    # webhooks, desk, sign-off, follow-ups, oversight, the store, backups
    "webhook_subscribed", "webhook_deactivated", "webhook_resent", "responsible_changed",
    "handed_over", "desk_done", "deputy_named", "deputy_removed", "absence_recorded",
    "absence_removed", "digest_changed", "fixity_checked", "fixity_alert",
    "signoff_route_started", "cosigned", "signoff_refused", "signed_off",
    "signoff_route_withdrawn", "signing_limit_set", "follow_up_created", "follow_up_moved",
    "follow_up_closed", "deadline_done", "alert_raised", "alert_reviewed",
    "alert_rule_changed", "backup_written", "restored",
    # the trail itself and who may analyse it
    "trail_segment_removed", "trail_analysis_requested", "trail_analysis_approved",
    "trail_analysis_refused",
}
KIND_OF_ACTION = {**{a: ADMIN for a in _ADMIN}, **{a: ACCESS for a in _ACCESS},
                  **{a: SEARCH for a in _SEARCH}}
# Saved searches are created and changed like records, but hold a query and its name.
SEARCH_OBJECTS = ("saved_search",)
# Never removed: verification needs them to bridge the gaps they describe.
ANCHOR_ACTIONS = ("trail_segment_removed",)


def trail_kind(action: str, object_type: str = "") -> str:
    """The kind of an entry; an action not in the table counts as administrative, the kind
    kept longest, so that an oversight keeps rather than loses."""
    if object_type in SEARCH_OBJECTS:
        return SEARCH
    return KIND_OF_ACTION.get(action, ADMIN)


def actions_of(kind: str) -> set[str]:
    return {action for action, found in KIND_OF_ACTION.items() if found == kind}
