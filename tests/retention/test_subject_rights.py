"""Data-subject rights: erasure where allowed, restriction where not (hidden from caseworkers,
in search too, overseen by the DPO), the disputed mark, and the Art. 15 access report."""
from datetime import date, datetime

import pikepdf
import pytest
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user as acting
from archive.errors import NotFound
from archive.models import CaseFile
from archive.selectors import documents_visible_to
from archive.services.access import document_read
from archive.services.casefiles import case_file_close
from archive.services.subject_rights import case_file_mark_disputed
from retention.models import ErasureDecision
from retention.services.erasure import erasure_decide, erasure_request_record
from retention.services.holds import hold_place
from retention.services.subject_access import subject_access_report
from search.backends import get_backend
from search.indexing import documents_index
from search.services import documents_search
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
TOKEN = "einschraenkungsprobe41"


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield
    get_backend.cache_clear()


def _request(case_file):
    return erasure_request_record(actor=acting(user("datenschutz")), case_file=case_file,
                                  received_on=date(2026, 11, 2), note="Schreiben vom 30.10.")


def test_erasure_during_retention_restricts_processing_instead(schedules, index_dir):
    case_file = schedules["A"]
    document = file_document(case_file, text=f"Antrag, Kennung {TOKEN}")
    documents_index([document.pk])
    assert documents_search(user=user("sachbearbeitung-a"), query=TOKEN, log=False).count == 1

    decided = erasure_decide(actor=acting(user("datenschutz")), request=_request(case_file),
                             reason="Antrag geprüft")
    assert decided.decision == ErasureDecision.RESTRICTED
    assert "Aufbewahrungsfrist" in decided.reason
    documents_index([document.pk])  # the signal queues this; run it here
    # Hidden from caseworkers, also in search; visible to the DPO.
    assert not documents_visible_to(user("sachbearbeitung-a")).filter(pk=document.pk).exists()
    with pytest.raises(NotFound):
        document_read(user=user("sachbearbeitung-a"), document_id=document.pk)
    assert documents_search(user=user("sachbearbeitung-a"), query=TOKEN, log=False).count == 0
    assert documents_search(user=user("datenschutz"), query=TOKEN, log=False).count == 1
    client = Client()
    client.login(username="datenschutz", password=DEMO_PASSWORD)
    page = client.get(f"/dokumente/{document.pk}/").content.decode()
    assert "Verarbeitung eingeschränkt" in page


def test_erasure_after_retention_erases(schedules):
    case_file = schedules["A"]
    document = file_document(case_file, text="Alter Antrag")
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(2010, 6, 1)))
    decided = erasure_decide(actor=acting(user("datenschutz")), request=_request(case_file),
                             reason="ok")
    assert decided.decision == ErasureDecision.ERASED, decided.reason
    document.refresh_from_db()
    assert document.destroyed_at is not None and document.title == ""


def test_a_hold_turns_erasure_into_restriction(schedules):
    case_file = schedules["A"]
    case_file_close(actor=acting(user("sachbearbeitung-a")), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(2010, 6, 1)))
    hold_place(actor=acting(user("datenschutz")), case_file=case_file, reason="Klage",
               mandate="SG 7")
    decided = erasure_decide(actor=acting(user("datenschutz")), request=_request(case_file),
                             reason="")
    assert decided.decision == ErasureDecision.RESTRICTED and "sperre" in decided.reason.lower()


def test_only_the_dpo_records_and_decides(schedules):
    with pytest.raises(NotFound):
        erasure_request_record(actor=acting(user("sachbearbeitung-a")), case_file=schedules["A"],
                               received_on=date(2026, 1, 1))


def test_disputed_mark_is_shown_where_the_data_appears(schedules):
    case_file = schedules["A"]
    document = file_document(case_file, store=True)
    case_file_mark_disputed(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                            note="Einkommen laut Betroffener falsch erfasst")
    client = Client()
    client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    for path in (f"/akten/{case_file.pk}/", f"/dokumente/{document.pk}/"):
        assert "Einkommen laut Betroffener falsch erfasst" in client.get(path).content.decode()
    with pytest.raises(NotFound):
        case_file_mark_disputed(actor=acting(user("sachbearbeitung-b")), case_file=case_file,
                                note="x")


def test_art15_report_lists_files_documents_and_accesses(schedules, tmp_path):
    case_file = schedules["A"]
    document = file_document(case_file, title="Bewilligungsbescheid")
    document_read(user=user("sachbearbeitung-a"), document_id=document.pk,
                  purpose="Prüfung Weiterbewilligung")
    pdf = subject_access_report(actor=acting(user("datenschutz")), person="Jürgen Müller")
    path = tmp_path / "auskunft.pdf"
    path.write_bytes(pdf)
    with pikepdf.open(path) as opened, opened.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "2"
    import subprocess

    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True).stdout.split())  # table cells may wrap
    assert case_file.file_reference in text and "Bewilligungsbescheid" in text
    assert "Prüfung Weiterbewilligung" in text and "sachbearbeitung-a" not in text
    with pytest.raises(NotFound):
        subject_access_report(actor=acting(user("sachbearbeitung-a")), person="Jürgen Müller")


def test_search_hits_carry_the_disputed_mark(schedules, index_dir):
    case_file = schedules["A"]
    document = file_document(case_file, text=f"Einkommensnachweis {TOKEN}")
    documents_index([document.pk])
    case_file_mark_disputed(actor=acting(user("sachbearbeitung-a")), case_file=case_file,
                            note="Höhe des Einkommens bestritten")
    client = Client()
    client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    page = client.get("/suche/", {"q": TOKEN}).content.decode()
    assert "Höhe des Einkommens bestritten" in page
    api = client.get("/api/search/", {"q": TOKEN}).json()
    assert api["results"][0]["disputed"] == "Höhe des Einkommens bestritten"


def test_only_the_dpo_lifts_a_restriction_with_a_reason_and_the_unit_sees_it_again(
        schedules, index_dir):
    from archive.errors import Conflict, InvalidInput
    from archive.models import Event
    from archive.selectors import case_files_visible_to
    from archive.services.subject_rights import case_file_restrict, case_file_restriction_lift

    case_file = schedules["A"]
    document = file_document(case_file, text=f"Antrag, Kennung {TOKEN}")
    case_file_restrict(actor=acting(user("datenschutz")), case_file=case_file,
                       reason="Richtigkeit bestritten")
    documents_index([document.pk])
    caseworker = user("sachbearbeitung-a")
    assert not case_files_visible_to(caseworker).filter(pk=case_file.pk).exists()
    assert documents_search(user=caseworker, query=TOKEN, log=False).count == 0

    for someone in ("sachbearbeitung-a", "admin", "poststelle"):
        with pytest.raises(NotFound):
            case_file_restriction_lift(actor=acting(user(someone)), case_file_id=case_file.pk,
                                       reason="weil")
    with pytest.raises(InvalidInput):
        case_file_restriction_lift(actor=acting(user("datenschutz")),
                                   case_file_id=case_file.pk, reason="  ")
    assert CaseFile.objects.get(pk=case_file.pk).restricted

    client = Client()
    client.login(username="datenschutz", password=DEMO_PASSWORD)
    page = client.get("/datenschutz/loeschantraege/").content.decode()
    assert case_file.file_reference in page and "Einschränkung aufheben" in page
    changed = []

    def record(sender, *, case_file_id, document_ids, **kwargs):
        changed.extend(document_ids)

    from archive.signals import case_file_access_changed

    case_file_access_changed.connect(record, weak=False)
    try:
        response = client.post(f"/datenschutz/einschraenkungen/{case_file.pk}/aufheben",
                               {"reason": "Richtigkeit geklärt, Person unterrichtet"})
    finally:
        case_file_access_changed.disconnect(record)
    assert response.status_code == 302
    assert not CaseFile.objects.get(pk=case_file.pk).restricted
    assert changed == [document.pk]  # the index is told
    event = Event.objects.filter(action="unrestricted", object_id=str(case_file.pk)).get()
    assert event.actor == "datenschutz"
    assert event.clear_purpose == "Richtigkeit geklärt, Person unterrichtet"
    assert event.data["via"] == {"channel": "web"}
    documents_index([document.pk])  # the signal queues this; run it here
    assert case_files_visible_to(caseworker).filter(pk=case_file.pk).exists()
    assert documents_search(user=caseworker, query=TOKEN, log=False).count == 1
    # Another unit still sees nothing.
    assert not case_files_visible_to(user("sachbearbeitung-b")).filter(pk=case_file.pk).exists()
    assert documents_search(user=user("sachbearbeitung-b"), query=TOKEN, log=False).count == 0
    with pytest.raises(Conflict):
        case_file_restriction_lift(actor=acting(user("datenschutz")),
                                   case_file_id=case_file.pk, reason="nochmal")
