"""Role x object state x action, for every URL, API endpoint and CLI command.

The list of URLs comes from the resolver: a new URL without a row here fails the test. A
caseworker of Sachgebiet B gets 404 for an A object, byte-identical to an unknown id."""
import json
import re
import uuid
from dataclasses import replace
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.blobstore import blob_put_bytes, blob_put_file
from archive.models import (
    BreakGlass,
    CaseFile,
    DocumentType,
    FilePlanUnit,
    Process,
    ScanCheck,
    ScanResult,
)
from archive.services.casefiles import case_file_close
from archive.services.documents import document_file_new
from archive.services.staff import password_link_parts, user_create
from archive.services.trail_analysis import trail_analysis_request
from desk.models import Absence, Deputy
from followups.models import DeadlineRule
from followups.services import follow_up_create
from identity.tokens import token_create
from ingest.models import IngestJob, JobState, RedactionJob
from oversight.models import Alert
from retention.models import (
    CaseFileRetention,
    DisclosureJob,
    DisposalList,
    DisposalState,
    ErasureRequest,
    LegalHold,
    RetentionSchedule,
    Transfer,
    TransferItem,
    TransferItemState,
    TransferState,
)
from retention.services.disclosure_jobs import package_path
from search.models import SavedSearch
from signoff.notes import file_note_write
from signoff.routes import signoff_route_start
from tests.archive.helpers import content, file_document, grant, staff
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db
USERS = ["poststelle", "sachbearbeitung-a", "sachbearbeitung-b", "datenschutz", "admin", None]
LOGIN = 302  # anonymous web requests are sent to the login page


def _only(allowed: dict, default: int, anonymous: int = LOGIN) -> dict:
    return {username: allowed.get(username, default) for username in USERS[:-1]} | {
        None: anonymous}


EVERYONE = _only({}, 200)
A_ONLY = _only({"sachbearbeitung-a": 200}, 404)
A_ACTS = _only({"sachbearbeitung-a": 302}, 404)
CASEWORKERS = _only({"sachbearbeitung-a": 200, "sachbearbeitung-b": 200}, 404)
CASEWORKERS_ACT = _only({"sachbearbeitung-a": 302, "sachbearbeitung-b": 302}, 404)
MAILROOM = _only({"poststelle": 200}, 404)
DPO = _only({"datenschutz": 200}, 404)
DPO_ACTS = _only({"datenschutz": 302}, 404)
ADMIN = _only({"admin": 200}, 404)
ADMIN_ACTS = _only({"admin": 302}, 404)
MAILROOM_ACTS = _only({"poststelle": 302}, 404)
UPLOADERS = _only({"poststelle": 200, "sachbearbeitung-a": 200, "sachbearbeitung-b": 200,
                   "admin": 200}, 404)
API_ANON = {401, 403}


def _matrix(objects) -> dict:
    doc, case_file, plan_unit, opening = (objects["document"], objects["case_file"],
                                          objects["plan_unit"], objects["opening"])
    target = objects["file_reference"]
    disposal, hold = objects["disposal"], objects["hold"]
    return {
        "web:home": [("get", (), {}, EVERYONE)],
        "web:login": [("get", (), {}, EVERYONE | {None: 200})],
        "web:logout": [("post", (), {}, _only({}, 302, anonymous=302))],
        # OpenID Connect: off unless configured, then public like the login page
        # (tests/identity/test_oidc_login.py drives it against a real provider).
        "web:oidc_login": [("get", (), {}, _only({}, 404, anonymous=404))],
        "web:oidc_callback": [("get", (), {}, _only({}, 404, anonymous=404))],
        # The accessibility statement is public, like the login page.
        "web:accessibility": [("get", (), {}, EVERYONE | {None: 200})],
        # Monitoring: the health summary is public; the metrics answer the test client
        # (127.0.0.1) whoever is signed in, and other hosts only with the bearer token
        # (tests/web/test_health.py).
        "web:healthz": [("get", (), {}, _only({}, 200, anonymous=200))],
        "web:metrics": [("get", (), {}, _only({}, 200, anonymous=200))],
        "web:search": [("get", (), {"q": "Antrag"}, EVERYONE)],
        # Anyone signed in keeps searches of their own; another user's is "not found".
        "web:saved_search_save": [("post", (), {"q": "Antrag", "name": "Meine Suche"},
                                   _only({}, 302))],
        "web:saved_search_run": [("get", (objects["saved_search"],), {}, A_ACTS)],
        "web:saved_search_remove": [("post", (objects["saved_search"],), {}, A_ACTS)],
        "web:document": [("get", (doc,), {}, A_ONLY)],
        "web:rendition": [("get", (doc,), {}, A_ONLY)],
        "web:original": [("get", (doc,), {}, A_ONLY)],
        "web:document_move": [("post", (doc,), {"file_reference": target}, A_ACTS)],
        "web:document_edit": [("post", (doc,), {"title": "Neuer Titel"}, A_ACTS)],
        "web:document_correct": [("post", (doc,), {"document_type": "bescheid"}, A_ACTS)],
        # An invalid form: the refusal comes back as a message, the status as a redirect.
        "web:document_redact": [("post", (doc,), {"page": "x"}, A_ACTS)],
        # Only the requester sees a redaction's state; colleagues of the same unit get 404.
        "web:document_redaction": [("get", (doc, objects["redaction"]), {}, A_ONLY)],
        "web:document_version": [("get", (doc, 1), {}, A_ONLY)],
        "web:thumbnail": [("get", (doc,), {}, A_ONLY)],
        "web:version_thumbnail": [("get", (doc, 1), {}, A_ONLY)],
        "web:document_version_upload": [("post", (doc,), {}, A_ACTS)],
        # The viewer's page pictures, the redaction preview, the text comparison and the
        # drawn redaction (a page picture needs a real rendition: the born-digital letter).
        "web:page_image": [("get", (objects["pdf_document"], 1), {}, A_ONLY)],
        "web:redaction_preview": [("get", (objects["pdf_document"], 1), {"boxes": "[]"},
                                   A_ONLY)],
        "web:version_diff": [("get", (doc,), {"alt": "1", "neu": "1"}, A_ONLY)],
        "web:document_redact_drawn": [("post", (doc,), {"boxes": "x"}, A_ACTS)],
        "web:case_file_export": [("get", (case_file,), {}, A_ONLY)],
        # Inspection and court packages (issue 15.6): who works on the file (the officer
        # only for a restricted file she may read). An empty selection comes back as a
        # message (302); the full build is in tests/retention/test_disclosure.py.
        "web:disclosure": [("get", (case_file,), {}, A_ONLY)],
        "web:disclosure_package": [("post", (case_file,), {}, A_ACTS)],
        # A package's status page, its polling and the finished zip: only the person who
        # asked for it (tests/retention/test_disclosure_jobs.py: a colleague of A gets 404 too).
        "web:disclosure_job": [("get", (case_file, objects["disclosure_job"]), {}, A_ONLY)],
        "web:disclosure_job_status": [("get", (case_file, objects["disclosure_job"]), {},
                                       A_ONLY)],
        "web:disclosure_download": [("get", (case_file, objects["disclosure_job"]), {},
                                     A_ONLY)],
        "web:case_files": [("get", (), {}, EVERYONE)],
        "web:case_file_new": [("get", (), {}, CASEWORKERS)],
        "web:case_file": [("get", (case_file,), {}, A_ONLY)],
        "web:case_file_action": [("post", (case_file, "vorgang"), {"title": "Neu"}, A_ACTS)],
        # The zdA question; a POST without confirm=1 only leads back to it (closes nothing).
        "web:case_file_close": [("get", (case_file,), {}, A_ONLY),
                                ("post", (case_file,), {}, A_ACTS)],
        "web:break_glass": [("get", (), {}, EVERYONE)],
        "web:file_plan": [("get", (), {}, ADMIN)],
        "web:file_plan_xdomea": [("get", (), {}, _only({"admin": 200, "datenschutz": 200}, 404))],
        "web:file_plan_create": [("post", (), {"code": "50.20.9", "title": "Test",
                                               "retention_schedule": "SGB-10J-ZDA"},
                                  ADMIN_ACTS)],
        "web:file_plan_schedule": [("post", (plan_unit,),
                                    {"retention_schedule": "SGB-10J-ZDA"}, ADMIN_ACTS)],
        "web:file_plan_toggle": [("post", (plan_unit,), {}, ADMIN_ACTS)],
        "web:file_plan_edit": [("get", (plan_unit,), {}, ADMIN)],
        "web:file_plan_update": [("post", (plan_unit,), {"title": "Einzelfälle"}, ADMIN_ACTS)],
        # Administration: administrators only; everyone else gets the 404 of an unknown page.
        "web:admin_home": [("get", (), {}, ADMIN)],
        "web:admin_users": [("get", (), {"sortierung": "-rolle"}, ADMIN)],
        "web:admin_user_new": [("get", (), {}, ADMIN)],
        "web:admin_user_create": [("post", (), {
            "username": "neue-kraft", "role": "caseworker", "units": ["A"], "clearance": "0",
            "password": "ein-langes-kennwort", "password_repeat": "ein-langes-kennwort"},
            ADMIN_ACTS)],
        "web:admin_user_edit": [("get", (objects["staff"],), {}, ADMIN)],
        "web:admin_user_update": [("post", (objects["staff"],), {
            "role": "caseworker", "units": ["B"], "clearance": "0"}, ADMIN_ACTS)],
        "web:admin_user_status": [("post", (objects["staff"],), {}, ADMIN_ACTS)],
        # The one-time link is the proof: whoever holds it may set the password, once.
        "web:password_set": [("get", objects["password_link"], {}, EVERYONE | {None: 200})],
        "web:password_set_save": [("post", objects["password_link"], {
            "password": "ein-eigenes-kennwort", "password_repeat": "ein-eigenes-kennwort"},
            _only({}, 302, anonymous=302))],
        # After the rows above: a new link ends the one they use.
        "web:admin_user_password_link": [("post", (objects["newcomer"],), {}, ADMIN_ACTS)],
        # The second factor: the code page answers those with a device (the administrator
        # and the officer, tests/second_factor.py); the others are sent on to the setup.
        "web:otp_verify": [("get", (), {}, _only({"datenschutz": 200, "admin": 200}, 302))],
        "web:otp_verify_check": [("post", (), {"code": "000000"}, _only({}, 400))],
        "web:otp_setup": [("get", (), {}, EVERYONE)],
        "web:otp_confirm": [("post", (), {"code": "000000"}, _only({}, 400))],
        "web:admin_user_second_factor_reset": [("post", (objects["staff"],), {}, ADMIN_ACTS)],
        "web:admin_tokens": [("get", (), {}, ADMIN)],
        "web:admin_token_create": [("post", (), {
            "name": "fachverfahren", "account": "sachbearbeitung-a", "units": ["A"],
            "actions": ["search", "read"], "expires": "2099-12-31"},
            ADMIN)],
        "web:admin_token_revoke": [("post", (objects["token"],), {}, ADMIN_ACTS)],
        "web:admin_webhooks": [("get", (), {}, ADMIN)],
        "web:admin_webhook_create": [("post", (), {
            "name": "fachverfahren-hook", "url": "https://fachverfahren.example/hook",
            "events": ["document.filed"], "units": ["A"]}, ADMIN)],
        "web:admin_webhook_deactivate": [("post", (objects["webhook"],), {}, ADMIN_ACTS)],
        "web:admin_webhook_resend": [("post", (objects["webhook_delivery"],), {}, ADMIN_ACTS)],
        "web:admin_units": [("get", (), {"sortierung": "bezeichnung"}, ADMIN)],
        "web:admin_unit_new": [("get", (), {}, ADMIN)],
        "web:admin_unit_create": [("post", (), {"code": "C", "name": "Sachgebiet C"},
                                   ADMIN_ACTS)],
        "web:admin_unit_edit": [("get", (objects["unit"],), {}, ADMIN)],
        "web:admin_unit_update": [("post", (objects["unit"],),
                                   {"code": "A", "name": "Sachgebiet A"}, ADMIN_ACTS)],
        "web:admin_doctypes": [("get", (), {"seite": "2"}, ADMIN)],
        "web:admin_doctype_new": [("get", (), {}, ADMIN)],
        "web:admin_doctype_create": [("post", (), {"key": "pruef-typ", "name": "Prüftyp",
                                                   "priority": "0", "active": "on"},
                                      ADMIN_ACTS)],
        "web:admin_doctype_edit": [("get", (objects["document_type"],), {}, ADMIN)],
        "web:admin_doctype_update": [("post", (objects["document_type"],), {
            "name": "Antrag", "rule": "Antrag", "priority": "10", "active": "on"}, ADMIN_ACTS)],
        "web:data_protection": [("get", (), {}, DPO)],
        "web:break_glass_review": [("post", (opening,), {"note": "ok"}, DPO_ACTS)],
        "web:report": [("get", (), {}, DPO)],
        # The officer's retention pages (issue 12.8): the data-protection officer only.
        "web:retention": [("get", (), {}, DPO)],
        "web:retention_end": [("post", (), {"file_reference": target, "until": "2045-12-31",
                                             "reason": "Klageverfahren"}, DPO_ACTS)],
        "web:schedules": [("get", (), {}, DPO)],
        "web:schedule_new": [("get", (), {}, DPO)],
        "web:schedule_create": [("post", (), {
            "key": "PRUEF-5J", "name": "Prüffrist", "trigger": "closed", "years": "5",
            "months": "0", "days": "0", "trigger_offset_years": "0", "action": "destroy",
            "legal_basis": "§ 84 SGB X"}, DPO_ACTS)],
        "web:schedule_edit": [("get", (objects["schedule"],), {}, DPO)],
        "web:schedule_update": [("post", (objects["schedule"],), {
            "name": "Sozialleistungsakte", "trigger": "closed", "years": "10", "months": "0",
            "days": "0", "trigger_offset_years": "0", "year_end_cutoff": "on",
            "action": "destroy", "legal_basis": "§ 84 Abs. 2 SGB X"}, DPO_ACTS)],
        "web:holds": [("get", (), {"status": "alle", "sortierung": "akte"}, DPO)],
        "web:hold_place": [("post", (), {"file_reference": target, "reason": "Klage",
                                         "mandate": "SG 1"}, DPO_ACTS)],
        "web:hold_lift": [("post", (hold,), {"reason": "erledigt"}, DPO_ACTS)],
        "web:disposal_due": [("get", (), {"sortierung": "-fristende"}, DPO)],
        "web:disposal_propose": [("post", (), {"case_file": []}, DPO_ACTS)],
        "web:disposal_lists": [("get", (), {"status": "proposed"}, DPO)],
        "web:disposal": [("get", (disposal,), {}, DPO)],
        "web:disposal_reject": [("post", (objects["proposed"],), {"reason": "Akte fehlt"},
                                 DPO_ACTS)],
        "web:disposal_approve": [("post", (disposal,), {}, DPO_ACTS)],
        "web:disposal_execute": [("post", (disposal,), {"confirm": "1"}, DPO_ACTS)],
        "web:disposal_protocol": [("get", (objects["executed"], "pdf"), {}, DPO)],
        "web:erasure": [("get", (), {"status": "alle"}, DPO)],
        "web:erasure_new": [("post", (), {"file_reference": target, "received_on": "2026-11-01"},
                             DPO_ACTS)],
        "web:erasure_request": [("get", (objects["erasure"],), {}, DPO)],
        "web:erasure_decide": [("post", (objects["erasure"],), {"reason": "geprüft"}, DPO_ACTS)],
        "web:restriction_lift": [("post", (case_file,), {"reason": "Grund entfallen"},
                                  DPO_ACTS)],
        "web:subject_access": [("get", (), {"person": "Müller"}, DPO)],
        "web:subject_access_csv": [("get", (), {"person": "Müller"}, DPO)],
        # Misuse alerts: the officer's alone; a caseworker of another unit sees nothing.
        "web:alerts": [("get", (), {}, DPO)],
        # Four eyes before a staff member's activity is analysed: the officer asks, an
        # administrator decides; both see the requests, nobody else anything.
        "web:trail_analyses": [("get", (), {}, _only({"datenschutz": 200, "admin": 200}, 404))],
        "web:trail_analysis_request": [("post", (), {
            "subject": "sachbearbeitung-a", "start": objects["today"], "end": objects["today"],
            "reason": "Hinweis auf Missbrauch"}, DPO_ACTS)],
        "web:trail_analysis_decide": [("post", (objects["trail_analysis"],),
                                       {"decision": "refuse"}, ADMIN_ACTS)],
        "web:alert": [("get", (objects["alert"],), {}, DPO)],
        "web:alert_review": [("post", (objects["alert"],), {"outcome": "unfounded",
                                                            "note": "Vertretung"}, DPO_ACTS)],
        "web:transfers": [("get", (), {}, DPO)],
        # The hand-over to the archive. The posts find nothing to do (nothing due, no file,
        # already packaged) and come back with the reason; the downloads are of a packaged
        # transfer of A's file.
        "web:transfer": [("get", (objects["transfer"],), {}, DPO)],
        "web:transfer_offer": [("post", (), {}, DPO_ACTS)],
        "web:transfer_receive": [("post", (), {}, DPO_ACTS)],
        "web:transfer_package": [("post", (objects["transfer"],), {}, DPO_ACTS)],
        "web:transfer_offer_xml": [("get", (objects["transfer"],), {}, DPO)],
        "web:transfer_receipt_xml": [("get", (objects["transfer"],), {}, DPO)],
        "web:transfer_package_zip": [("get", (objects["transfer"],), {}, DPO)],
        # Without a file, those who may upload are sent back with the reason (NO_FILE).
        "web:intake_upload": [("get", (), {}, UPLOADERS),
                              ("post", (), {}, _only({"poststelle": 302, "sachbearbeitung-a": 302,
                                                      "sachbearbeitung-b": 302, "admin": 302},
                                                     404))],
        "web:separator_sheet": [("get", (), {}, UPLOADERS)],
        "web:cover_sheet": [("get", (case_file,), {}, A_ONLY)],
        "web:intake_review": [("get", (), {}, MAILROOM)],
        "web:intake_review_file": [("post", (objects["inbox_document"],),
                                    {"file_reference": target}, MAILROOM_ACTS)],
        # One inbox document beside its page picture: shown, then filed (and gone from the
        # mailroom's sight); everyone else gets the 404 of an unknown id.
        "web:intake_review_document": [("get", (objects["review_document"],), {}, MAILROOM),
                                       ("post", (objects["review_document"],),
                                        {"file_reference": target}, MAILROOM_ACTS)],
        "web:inbox": [("get", (), {}, MAILROOM)],
        "web:inbox_file": [("post", (), {"dokument": [objects["inbox_document"]],
                                         "file_reference": target}, MAILROOM_ACTS)],
        "web:new_post": [("get", (), {}, CASEWORKERS)],
        # The desk (issue 13): caseworkers only; what is A's is 404 for everyone else.
        "web:desk": [("get", (), {}, CASEWORKERS)],
        "web:desk_done": [("post", (), {"key": f"new_post:{doc}"}, A_ACTS)],
        "web:desk_deputies": [("get", (), {}, CASEWORKERS)],
        "web:deputy_add": [("post", (), {"username": "sachbearbeitung-b"}, CASEWORKERS_ACT)],
        "web:deputy_remove": [("post", (objects["deputy"],), {}, A_ACTS)],
        "web:absence_add": [("post", (), {"starts_on": "2026-12-01", "ends_on": "2026-12-02"},
                             CASEWORKERS_ACT)],
        "web:absence_remove": [("post", (objects["absence"],), {}, A_ACTS)],
        "web:desk_digest": [("post", (), {"enabled": "on", "email": "a@amt.example.org"},
                             CASEWORKERS_ACT)],
        "web:case_file_responsible": [("post", (case_file,), {"username": "sachbearbeitung-a"},
                                       A_ACTS)],
        # Handing to B, who may not read A's file: refused with a message (302) for A.
        "web:case_file_handover": [("post", (case_file,), {"username": "sachbearbeitung-b"},
                                    A_ACTS)],
        "web:document_handover": [("post", (doc,), {"username": "sachbearbeitung-b"}, A_ACTS)],
        "web:quarantine": [("get", (), {}, MAILROOM)],
        # Replacement scanning: the mailroom's visual check and paper release; the decision
        # on a sampled scan is the mailroom's alone (a refusal is a message: 302).
        "web:scan_qa": [("get", (), {}, MAILROOM)],
        "web:scan_qa_decide": [("post", (objects["scan_check"],),
                                {"ergebnis": "abgelehnt", "grund": "unscharf"}, MAILROOM_ACTS)],
        "web:paper_release": [("get", (), {}, MAILROOM)],
        "web:paper_release_action": [("post", (), {"dokument": objects["inbox_document"]},
                                      MAILROOM_ACTS)],
        "web:quarantine_retry": [("post", (objects["quarantined"][0],), {}, MAILROOM_ACTS)],
        "web:quarantine_release": [("post", (objects["quarantined"][1],),
                                    {"reason": "Testseite"}, MAILROOM_ACTS)],
        # File notes and signing routes (signoff app). The route is a colleague's draft whose
        # first co-signature is A's; B, and everyone who cannot read the file, get 404.
        "web:file_note_new": [("post", (case_file,), {"kind": "telefonat", "text": "Anruf",
                                                      "noted_on": "2026-01-02"}, A_ACTS)],
        "web:file_note_correct": [("post", (doc,), {}, A_ACTS)],
        "web:signing_route_start": [("post", (doc,), {}, A_ACTS)],
        "web:signing_sign": [("post", (objects["route"],), {}, A_ACTS)],
        "web:signing_refuse": [("post", (objects["route"],), {"comment": "x"}, A_ACTS)],
        "web:signing_withdraw": [("post", (objects["route"],), {}, A_ACTS)],
        "web:signing_awaiting": [("get", (), {}, EVERYONE)],
        "web:quarantine_hand": [("post", (objects["quarantined"][2],),
                                 {"unit": "A", "note": "Kennwort beim Kunden erfragen"},
                                 MAILROOM_ACTS)],
        # Follow-ups and deadlines (issue 13): caseworkers see their own lists; acting on
        # A's file is A's; the unit view needs its permission (granted to A only here).
        "web:follow_ups": [("get", (), {}, CASEWORKERS)],
        "web:follow_up_new": [("post", ("akte", case_file), {
            "due": objects["today"], "reason": "Prüfen", "for_whom": objects["for_a"]},
            A_ACTS)],
        "web:follow_up_move": [("post", (objects["follow_up"],), {"due": objects["today"]},
                                A_ACTS)],
        "web:follow_up_close": [("post", (objects["follow_up"],), {}, A_ACTS)],
        "web:deadlines": [("get", (), {}, CASEWORKERS)],
        "web:deadlines_unit": [("get", (), {}, A_ONLY)],
        "web:deadline_done": [("post", (objects["pdf_document"], objects["unclassified_rule"]), {},
                                A_ACTS)],
        "web:admin_deadline_rules": [("get", (), {}, ADMIN)],
        "web:admin_deadline_rule_create": [("post", (), {
            "document_type": "antrag", "months": "2", "days": "0", "label": "Prüffrist",
            "active": "on"}, ADMIN_ACTS)],
        "web:admin_deadline_rule_edit": [("get", (objects["unclassified_rule"],), {}, ADMIN)],
        "web:admin_deadline_rule_update": [("post", (objects["unclassified_rule"],), {
            "document_type": "", "months": "3", "days": "0", "label": "Ohne Typ",
            "active": "on"}, ADMIN_ACTS)],
        "api:schema": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:search": [("get", (), {"q": "Antrag"}, _only({}, 200, anonymous=API_ANON))],
        "api:document": [("get", (doc,), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                   anonymous=API_ANON)),
                         # The type corrected through the API: whoever works on the file.
                         ("patch", (doc,), {"document_type": "bescheid"},
                          _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:search_suggestions": [("get", (), {"prefix": "Antr"},
                                    _only({}, 200, anonymous=API_ANON))],
        # No file attached: those who may upload hear why (400), everyone else 404.
        "api:ingest": [("post", (), {}, _only({"poststelle": 400, "sachbearbeitung-a": 400,
                                               "sachbearbeitung-b": 400, "admin": 400}, 404,
                                              anonymous=API_ANON))],
        "api:job": [("get", (objects["job"],), {}, _only({"poststelle": 200}, 404,
                                                         anonymous=API_ANON))],
        # API v1 (issue 15): reference data for everyone signed in; case files and documents
        # of A for A's caseworker only (404 alike for the rest); holds for the officer.
        "api:index": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:docs": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-index": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-file-plan": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-units": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-document-types": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-correspondents": [("get", (), {}, _only({}, 200, anonymous=API_ANON))],
        "api:v1-case-files": [("get", (), {}, _only({}, 200, anonymous=API_ANON)),
                              ("post", (), {"plan_unit": "50.20.1", "unit": "A",
                                            "title": "Neu"},
                               _only({"sachbearbeitung-a": 201, "admin": 201}, 404,
                                     anonymous=API_ANON))],
        "api:v1-case-file": [("get", (case_file,), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                             anonymous=API_ANON))],
        "api:v1-case-file-processes": [
            ("get", (case_file,), {}, _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON)),
            ("post", (case_file,), {"title": "Vorgang"},
             _only({"sachbearbeitung-a": 201}, 404, anonymous=API_ANON))],
        "api:v1-case-file-documents": [("get", (case_file,), {}, _only(
            {"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-case-file-follow-ups": [("get", (case_file,), {}, _only(
            {"sachbearbeitung-a": 200}, 404, anonymous=API_ANON)),
            ("post", (case_file,), {"due": objects["today"], "reason": "Prüfen"},
             _only({"sachbearbeitung-a": 201}, 404, anonymous=API_ANON))],
        # The API's follow-ups, file notes and process close: A's, 404 for everyone else
        # (moved first, then closed; the rows run in order).
        "api:v1-document-follow-ups": [("post", (doc,), {"due": objects["today"],
                                                         "reason": "Prüfen"},
                                        _only({"sachbearbeitung-a": 201}, 404,
                                              anonymous=API_ANON))],
        "api:v1-follow-up-move": [("post", (objects["api_follow_up"],), {"due": objects["today"]},
                                   _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-follow-up-close": [("post", (objects["api_follow_up"],), {},
                                    _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-case-file-file-notes": [("post", (case_file,), {
            "kind": "telefonat", "text": "Anruf", "noted_on": "2026-01-02"},
            _only({"sachbearbeitung-a": 201}, 404, anonymous=API_ANON))],
        "api:v1-file-note-correct": [("post", (objects["file_note"],), {
            "kind": "telefonat", "text": "Anruf, berichtigt", "noted_on": "2026-01-02",
            "reason": "Tippfehler"}, _only({"sachbearbeitung-a": 201}, 404, anonymous=API_ANON))],
        "api:v1-process-close": [("post", (case_file, objects["process"]), {},
                                  _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-process-reopen": [("post", (case_file, objects["closed_process"]),
                                   {"reason": "Nachforderung"},
                                   _only({"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-search": [("get", (), {"q": "Antrag"}, _only({}, 200, anonymous=API_ANON))],
        # A spare file of A closed, a closed one reopened (A holds the reopen permission here).
        "api:v1-case-file-close": [("post", (objects["spare_file"],), {}, _only(
            {"sachbearbeitung-a": 200}, 404, anonymous=API_ANON))],
        "api:v1-case-file-reopen": [("post", (objects["closed_file"],), {"reason": "Widerspruch"},
                                     _only({"sachbearbeitung-a": 200}, 404,
                                           anonymous=API_ANON))],
        # No file attached: 400 for everyone signed in (the upload's own check comes later).
        "api:v1-documents": [("post", (), {}, _only({}, 400, anonymous=API_ANON))],
        "api:v1-document": [("get", (doc,), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                      anonymous=API_ANON))],
        "api:v1-document-versions": [("post", (doc,), {}, _only({}, 400, anonymous=API_ANON))],
        "api:v1-version": [("get", (doc, 1), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                       anonymous=API_ANON))],
        "api:v1-version-original": [("get", (doc, 1), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                                anonymous=API_ANON))],
        "api:v1-version-pdf": [("get", (doc, 1), {}, _only({"sachbearbeitung-a": 200}, 404,
                                                           anonymous=API_ANON))],
        "api:v1-holds": [("get", (), {}, _only({"datenschutz": 200}, 403, anonymous=API_ANON))],
        "api:v1-job": [("get", (objects["job"],), {}, _only({"poststelle": 200}, 404,
                                                            anonymous=API_ANON))],
        # Executed already by the page row above, so the data-protection officer gets 409.
        "api:disposal_execute": [("post", (disposal,), {}, _only({"datenschutz": 409}, 404,
                                                                 anonymous=API_ANON))],
    }


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def objects(demo, tmp_path):
    document = file_document(demo["A"], text="Antrag auf Leistungen, nur für A", store=True).pk
    pdf = born_digital_pdf(tmp_path / "brief.pdf", ["Brief an A"])
    stored = blob_put_file(pdf)
    pdf_document = document_file_new(
        content=replace(content("Brief an A"), original_sha256=stored.sha256,
                        original_size=stored.size, rendition_sha256=stored.sha256),
        case_file=demo["A"], title="Brief", received_at=timezone.now(),
        actor=system_actor(name="test")).pk
    # An expired break-glass opening by B on A's file, waiting for the DPO's review.
    opening = BreakGlass.objects.create(user=user("sachbearbeitung-b"), case_file=demo["A"],
                                        reason="Vertretung", expires_at=demo["A"].created_at)
    # An empty disposal list by another officer, and a hold, for the retention rows.
    disposal = DisposalList.objects.create(proposed_by="datenschutz-vertretung")
    hold = LegalHold.objects.create(case_file=demo["B"], reason="Prüfung", mandate="RPA 1",
                                    placed_by="datenschutz")
    # A second proposal to reject, and an executed list whose protocol can be downloaded.
    proposed = DisposalList.objects.create(proposed_by="datenschutz-vertretung")
    executed = DisposalList.objects.create(
        proposed_by="datenschutz-vertretung", approved_by="datenschutz",
        state=DisposalState.EXECUTED, approved_at=timezone.now(), executed_at=timezone.now(),
        protocol_sha256=blob_put_bytes(b"{}").sha256,
        protocol_pdf_sha256=blob_put_bytes(b"%PDF-1.7 Protokoll").sha256)
    erasure = ErasureRequest.objects.create(case_file=demo["B"], received_on=date(2026, 11, 1),
                                            recorded_by="datenschutz")
    inbox_document = file_document(None, text="Unzugeordneter Brief").pk
    # Post in the inbox with a real rendition and what recognition found, for the review of
    # one document beside its page picture.
    review_pdf = blob_put_file(born_digital_pdf(tmp_path / "eingang.pdf", ["Antrag auf Wohngeld"]))
    review_document = document_file_new(
        content=replace(content("Antrag auf Wohngeld"), original_sha256=review_pdf.sha256,
                        original_size=review_pdf.size, rendition_sha256=review_pdf.sha256,
                        provenance={"recognition": {
                            "file_reference": {"value": demo["A"].file_reference,
                                               "confidence": 0.81, "reason": "Aktenzeichen"},
                            "sender": {"value": "Jobcenter Leipzig", "confidence": 0.9},
                            "document_type": {"value": "antrag", "confidence": 0.62,
                                              "model_version": "m-1"},
                            "person": {"value": "Erika Mustermann", "client_number": "K-1",
                                       "confidence": 0.71}}}),
        case_file=None, title="Antrag", received_at=timezone.now(), document_type="antrag",
        sender="Jobcenter Leipzig", actor=system_actor(name="test")).pk
    job = IngestJob.objects.create(source="upload", original_name="brief.pdf",
                                   original_sha256="0" * 64, original_size=1,
                                   submitted_by="poststelle")
    quarantined = [str(IngestJob.objects.create(
        source="upload", original_name=f"kaputt-{n}.pdf", original_sha256=f"{n}" * 64,
        original_size=1, submitted_by="poststelle", state=JobState.REFUSED,
        code="PDF_ENCRYPTED", message="verschlüsselt").pk) for n in range(1, 4)]
    # A newcomer created without a password, who sets one through the one-time link.
    newcomer = user_create(actor=acting(user("admin")), username="neu-im-amt",
                           role="caseworker", units=["A"])
    token, _ = token_create(actor=acting(user("admin")), name="scanner",
                            username="poststelle", actions=["ingest"])
    redaction = RedactionJob.objects.create(document_id=document,
                                            requested_by=user("sachbearbeitung-a"), version=1,
                                            reason="Bankdaten")
    # A finished inspection package of A's file, waiting for its download.
    disclosure_job = DisclosureJob.objects.create(
        case_file=demo["A"], requested_by=user("sachbearbeitung-a"), recipient="Gericht",
        basis="sgg_65d", purpose="Klage", document_ids=[document], state="done",
        expires_at=timezone.now() + timedelta(days=1))
    package_path(disclosure_job).parent.mkdir(parents=True, exist_ok=True)
    package_path(disclosure_job).write_bytes(b"PK\x05\x06" + bytes(18))
    saved_search = SavedSearch.objects.create(owner=user("sachbearbeitung-a"), name="Anträge",
                                              parameters={"q": ["Antrag"]})
    follow_up = follow_up_create(actor=acting(user("sachbearbeitung-a")),
                                 due=timezone.localdate(), reason="Prüfen",
                                 case_file_id=demo["A"].pk, assignee=user("sachbearbeitung-a"))
    grant("sachbearbeitung-a", "view_unit_deadlines")
    # A transfer of A's file to the archive, appraised and packaged, for the hand-over rows.
    transfer = Transfer.objects.create(process_id=uuid.uuid4(), created_by="datenschutz",
                                       state=TransferState.PACKAGED,
                                       appraised_at=timezone.now(), packaged_at=timezone.now())
    TransferItem.objects.create(transfer=transfer, case_file=demo["A"],
                                state=TransferItemState.PACKAGED)
    CaseFileRetention.objects.get_or_create(case_file=demo["A"])
    # A colleague in A sends a draft on a route whose first co-signer is sachbearbeitung-a.
    staff("verfasser-a", unit_code="A")
    route = signoff_route_start(actor=acting(user("verfasser-a")),
                                document_id=file_document(demo["A"], text="Entwurf",
                                                          store=True).pk,
                                cosigners=["sachbearbeitung-a"], final_signer="A")
    # A webhook subscriber with a given-up delivery (the administration's rows).
    webhook = Subscription.objects.create(name="hook", url="https://example.invalid/h",
                                          secret="s", events=["document.filed"],
                                          created_by="admin")
    webhook.units.set([demo["A"].unit])
    resent = Subscription.objects.create(name="hook-2", url="https://example.invalid/h2",
                                         secret="s", events=["document.filed"],
                                         created_by="admin")  # not the one deactivated
    webhook_delivery = Delivery.objects.create(subscription=resent, event="document.filed",
                                               payload={}, state="dead", attempts=10)
    # A's deputy and absence (the desk's rows): only A may remove them.
    deputy = Deputy.objects.create(absentee=user("sachbearbeitung-a"),
                                   deputy=user("sachbearbeitung-b"))
    absence = Absence.objects.create(user=user("sachbearbeitung-a"),
                                     starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3))
    # A misuse alert about B's break-glass openings, for the officer's rows.
    alert = Alert.objects.create(rule="break_glass_repeated", username="sachbearbeitung-b",
                                 seqs=[], first_at=timezone.now(), last_at=timezone.now())
    # Two more files of A for the API's close and reopen rows.
    spare_file = CaseFile.objects.create(file_reference="50.20.1-2026-990001", unit=demo["A"].unit,
                                         plan_unit=demo["A"].plan_unit, title="Ersatz")
    closed_file = CaseFile.objects.create(file_reference="50.20.1-2026-990002",
                                          unit=demo["A"].unit, plan_unit=demo["A"].plan_unit,
                                          title="Geschlossen", closed_at=timezone.now())
    grant("sachbearbeitung-a", "reopen_casefile")
    # A follow-up, a file note and a process of A for the API's rows.
    api_follow_up = follow_up_create(actor=acting(user("sachbearbeitung-a")),
                                     due=timezone.localdate(), reason="API",
                                     case_file_id=demo["A"].pk,
                                     assignee=user("sachbearbeitung-a"))
    file_note = file_note_write(actor=acting(user("sachbearbeitung-a")),
                                case_file_id=demo["A"].pk, kind="telefonat",
                                noted_on=date(2026, 1, 2), text="Anruf")
    process = Process.objects.create(case_file=demo["A"], title="Vorgang der API")
    closed_process = Process.objects.create(case_file=demo["A"], title="Erledigter Vorgang",
                                            closed_at=timezone.now(), closed_by="sachbearbeitung-a")
    # A scan drawn for the visual check, waiting in the mailroom's hands.
    held = document_file_new(content=content("Gescannter Antrag"), case_file=None,
                             title="Gescannter Antrag", received_at=timezone.now(),
                             actor=system_actor(name="test"))
    scan_check = ScanCheck.objects.create(document=held, need="hoch", sequence=1, sampled=True,
                                          result=ScanResult.OPEN, held_case_file=demo["A"])
    return {"scan_check": scan_check.pk, "api_follow_up": api_follow_up.pk,
            "file_note": file_note.pk,
            "process": process.pk, "closed_process": closed_process.pk,
            "document": document, "pdf_document": pdf_document, "route": route.pk,
            "alert": alert.pk, "spare_file": spare_file.pk, "closed_file": closed_file.pk,
            "saved_search": saved_search.pk, "transfer": transfer.pk,
            "deputy": deputy.pk, "absence": absence.pk,
            "case_file": demo["A"].pk, "erasure": erasure.pk,
            "redaction": str(redaction.pk), "disclosure_job": str(disclosure_job.pk),
            "inbox_document": inbox_document, "review_document": review_document,
            "job": str(job.pk), "quarantined": quarantined,
            "disposal": disposal.pk, "hold": hold.pk, "proposed": proposed.pk,
            "executed": executed.pk,
            "schedule": RetentionSchedule.objects.get(key="SGB-10J-ZDA").pk,
            "file_reference": demo["A"].file_reference,
            "plan_unit": FilePlanUnit.objects.get(code="50.30.1").pk, "opening": opening.pk,
            # The administration's rows: a member of staff, a unit, a document type.
            "staff": user("sachbearbeitung-b").pk, "unit": demo["A"].unit_id,
            "newcomer": newcomer.pk, "password_link": password_link_parts(newcomer),
            "document_type": DocumentType.objects.get(key="antrag").pk,
            "follow_up": follow_up.pk, "today": timezone.localdate().isoformat(),
            "for_a": f"user:{user('sachbearbeitung-a').pk}",
            "token": token.pk, "webhook": webhook.pk, "webhook_delivery": webhook_delivery.pk,
            "unclassified_rule": DeadlineRule.objects.get(document_type="").pk,
            "trail_analysis": trail_analysis_request(
                actor=acting(user("datenschutz")), subject="sachbearbeitung-b",
                start=timezone.localdate(), end=timezone.localdate(), reason="Anlass").pk}


def _client(username):
    client = Client()
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_every_url_has_a_row_in_the_matrix(objects):
    assert set(_named_urls()) == set(_matrix(objects))


@pytest.mark.parametrize("username", USERS)
def test_role_by_url(objects, username):
    from django.urls import reverse

    failures = []
    for name, rows in _matrix(objects).items():
        for method, args, data, expected in rows:
            client = _client(username)  # fresh: logout must not affect other rows
            if method == "patch":  # the API's corrections arrive as JSON
                response = client.patch(reverse(name, args=args), json.dumps(data),
                                        content_type="application/json")
            else:
                response = getattr(client, method)(reverse(name, args=args), data)
            want = expected[username]
            if response.status_code not in (want if isinstance(want, set) else {want}):
                failures.append(f"{name} {method} as {username}: {response.status_code}, "
                                f"expected {want}")
    assert failures == []


def _unmasked(body: bytes) -> bytes:
    # The CSRF token of the logout form differs on every response, by design.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_a_foreign_document_looks_exactly_like_a_missing_one(objects):
    client = _client("sachbearbeitung-b")
    for path in ("/dokumente/{}/", "/dokumente/{}/pdf", "/dokumente/{}/original",
                 "/dokumente/{}/vorschau.png", "/api/documents/{}/", "/akten/{}/",
                 "/akten/{}/einsicht/"):
        key = "case_file" if path.startswith("/akten") else "document"
        foreign = client.get(path.format(objects[key]))
        missing = client.get(path.format(987654))
        assert foreign.status_code == missing.status_code == 404
        assert _unmasked(foreign.content) == _unmasked(missing.content), path


def test_closed_case_file_refuses_changes_from_its_own_unit(demo, objects):
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=demo["A"])
    client = _client("sachbearbeitung-a")
    response = client.post(f"/akten/{demo['A'].pk}/vorgang", {"title": "Nach zdA"},
                           follow=True)
    assert "CASE_FILE_CLOSED" in response.content.decode()
    assert not demo["A"].processes.filter(title="Nach zdA").exists()


def _cli(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.parametrize("args", [
    ("casefile", "close", "{A}", "--user", "sachbearbeitung-b"),
    ("casefile", "export", "{A}", "--out", "/tmp/x.zip", "--user", "sachbearbeitung-b"),
    ("casefile", "export", "{A}", "--out", "/tmp/x.zip", "--user", "datenschutz"),
    ("casefile", "reopen", "{A}", "--user", "sachbearbeitung-a", "--reason", "x"),
    ("fileplan", "create", "50.20.8", "Test", "--user", "sachbearbeitung-a"),
    ("retention", "set-end", "{A}", "2030-01-01", "--reason", "x", "--user",
     "sachbearbeitung-b"),
    ("fileplan", "set-schedule", "50.20.1", "SGB-10J-ZDA-ANBIETEN", "--user",
     "sachbearbeitung-a"),
    ("report", "user", "sachbearbeitung-a", "--user", "sachbearbeitung-b"),
    # The officer alone may not analyse a staff member's activity: four eyes first.
    ("report", "user", "sachbearbeitung-a", "--user", "datenschutz"),
    ("audit", "prune", "--user", "sachbearbeitung-a"),
    ("alerts", "list", "--user", "sachbearbeitung-b"),
    ("alerts", "rules", "--user", "sachbearbeitung-a"),
    ("alerts", "rule", "same_name", "--threshold", "2", "--user", "sachbearbeitung-a"),
    ("signoff", "limit", "A", "1000000", "--user", "sachbearbeitung-a"),
    ("casefile", "create", "--plan", "50.20.1", "--unit", "A", "--title", "x", "--user",
     "sachbearbeitung-b"),
])
def test_cli_refuses_what_the_user_may_not_do(demo, objects, args):
    args = [a.replace("{A}", demo["A"].file_reference) for a in args]
    with pytest.raises(CommandError):
        _cli(*args)


def test_cli_search_is_trimmed_like_the_pages(demo, objects, settings, tmp_path):
    from search.backends import get_backend
    from search.indexing import documents_index

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    documents_index([objects["document"]])
    try:
        seen = json.loads(_cli("search", "Leistungen", "--user", "sachbearbeitung-a", "--json"))
        hidden = json.loads(_cli("search", "Leistungen", "--user", "sachbearbeitung-b",
                                 "--json"))
    finally:
        get_backend.cache_clear()
    assert seen["count"] == 1
    # The command reports the count fields of the page too (the search merge, issue 17.10).
    assert hidden == {"count": 0, "count_exact": True, "count_text": "0", "results": []}
