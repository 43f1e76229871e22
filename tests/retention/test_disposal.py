"""Holds block every destruction path; disposal needs two different people; destruction
leaves nothing of the document anywhere, only a residual record, and answers 410."""
import json
from datetime import datetime
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core import serializers
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from archive.actors import actor_for_user as acting
from archive.actors import system_actor
from archive.errors import Conflict, PermissionDenied
from archive.models import CaseFile, Event
from archive.services.destruction import case_files_destroy
from archive.services.events import events_verify
from retention.models import DisposalList, DisposalState
from retention.services.disposal import (
    disposal_approve,
    disposal_execute,
    disposal_execute_approved,
    disposal_propose,
    retention_due,
)
from retention.services.holds import hold_lift, hold_place
from search.backends import get_backend
from search.indexing import documents_index
from search.services import documents_search
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD, user

pytestmark = pytest.mark.django_db
TOKEN = "vernichtungsprobe7q3x"


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield settings.SEARCH_INDEX_DIR
    get_backend.cache_clear()


def _close_long_ago(case_file, year=2010):
    from archive.services.casefiles import case_file_close

    owner = "sachbearbeitung-a" if case_file.unit.code == "A" else "sachbearbeitung-b"
    case_file_close(actor=acting(user(owner)), case_file=case_file)
    CaseFile.objects.filter(pk=case_file.pk).update(
        closed_at=timezone.make_aware(datetime(year, 6, 1)))
    return CaseFile.objects.get(pk=case_file.pk)


@pytest.fixture
def approved(schedules, index_dir):
    case_file = schedules["A"]
    document = file_document(case_file, text=f"Bescheid für Herrn Müller, Kennung {TOKEN}",
                             title=f"Bescheid {TOKEN}", store=True)
    documents_index([document.pk])
    case_file = _close_long_ago(case_file)
    assert [item.case_file.pk for item in retention_due()] == [case_file.pk]
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    return {"case_file": case_file, "document": document, "disposal": disposal}


def test_four_eyes_the_proposer_cannot_approve(schedules):
    case_file = _close_long_ago(schedules["A"])
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    with pytest.raises(PermissionDenied) as refused:
        disposal_approve(actor=acting(user("datenschutz")), disposal=disposal)
    assert refused.value.code == "FOUR_EYES"
    with pytest.raises(PermissionDenied):
        disposal_propose(actor=acting(user("sachbearbeitung-a")), case_file_ids=[case_file.pk])
    with pytest.raises(Conflict):  # not approved: nothing happens
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))


def _paths(disposal_id):
    """Every way to ask for destruction; each returns normally or raises."""
    def web():
        client = Client()
        client.login(username="datenschutz", password=DEMO_PASSWORD)
        client.post(f"/datenschutz/aussonderung/{disposal_id}/vollziehen")

    def api():
        client = APIClient()
        client.login(username="datenschutz", password=DEMO_PASSWORD)
        response = client.post(f"/api/disposals/{disposal_id}/execute/")
        assert response.status_code == 409 and response.json()["code"] == "HELD"

    def command():
        with pytest.raises(CommandError, match="HELD"):
            call_command("disposal", "execute", str(disposal_id), "--user", "datenschutz",
                         stdout=StringIO())

    def scheduled():
        assert disposal_execute_approved(actor=system_actor("scheduler")) == []

    def kernel():
        with pytest.raises(Conflict):
            case_files_destroy(case_file_ids=list(DisposalList.objects.get(pk=disposal_id)
                                                  .case_files.values_list("pk", flat=True)),
                               approval={"list": "kernel", "proposed_by": "a",
                                         "approved_by": "b"},
                               actor=system_actor("scheduler"))

    return {"web": web, "api": api, "command": command, "scheduled": scheduled,
            "kernel": kernel}


@pytest.mark.parametrize("path", ["web", "api", "command", "scheduled", "kernel"])
def test_a_held_case_file_is_destroyed_by_no_path(approved, path):
    case_file = approved["case_file"]
    hold_place(actor=acting(user("datenschutz")), case_file=case_file, reason="Klage vor dem SG",
               mandate="SG München S 46 SO 123/26")
    _paths(approved["disposal"].pk)[path]()
    case_file.refresh_from_db()
    assert case_file.destroyed_at is None and case_file.documents.get().destroyed_at is None
    assert DisposalList.objects.get(pk=approved["disposal"].pk).state == DisposalState.APPROVED


def test_there_is_no_admin_path():
    assert "django.contrib.admin" not in django_settings.INSTALLED_APPS


def test_a_bulk_list_with_one_held_file_destroys_nothing(schedules, index_dir):
    first = _close_long_ago(schedules["A"])
    second = _close_long_ago(schedules["B"])
    from retention.models import CaseFileRetention

    CaseFileRetention.objects.filter(case_file=second).update(archive_decision="destroy")
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[first.pk,
                                                                                  second.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    hold_place(actor=acting(user("datenschutz")), case_file=second, reason="Prüfung Rechnungshof",
               mandate="RPA 2026/17")
    with pytest.raises(Conflict):
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    assert not CaseFile.objects.filter(destroyed_at__isnull=False).exists()


def test_lifting_one_of_two_holds_still_blocks(approved):
    case_file = approved["case_file"]
    first = hold_place(actor=acting(user("datenschutz")), case_file=case_file, reason="Klage",
                       mandate="SG 1")
    hold_place(actor=acting(user("datenschutz")), case_file=case_file, reason="Prüfung",
               mandate="RPA 2")
    with pytest.raises(PermissionDenied):
        hold_lift(actor=acting(user("sachbearbeitung-a")), hold=first, reason="erledigt")
    hold_lift(actor=acting(user("datenschutz")), hold=first, reason="Klage erledigt")
    with pytest.raises(Conflict) as refused:
        disposal_execute(disposal_id=approved["disposal"].pk, actor=system_actor("scheduler"))
    assert refused.value.code == "HELD"


def test_offered_files_wait_for_the_archive_decision(schedules):
    case_file = _close_long_ago(schedules["B"])  # 50.30.1: offer to the archive
    disposal = disposal_propose(actor=acting(user("datenschutz")), case_file_ids=[case_file.pk])
    disposal_approve(actor=acting(user("datenschutz-2")), disposal=disposal)
    with pytest.raises(Conflict) as refused:
        disposal_execute(disposal_id=disposal.pk, actor=system_actor("scheduler"))
    assert refused.value.code == "AWAITING_ARCHIVE"


def _database_dump() -> str:
    """Every row of every table this database has (some exist only on PostgreSQL)."""
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    objects = [obj for model in apps.get_models() if model._meta.db_table in tables
               for obj in model.objects.all()]
    return serializers.serialize("json", objects)


def _indexed(token: str) -> int:
    return documents_search(user=user("sachbearbeitung-a"), query=token, log=False).count


def _bytes_under(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.rglob("*") if p.is_file())


def test_destruction_leaves_nothing_but_the_residual_record(approved, index_dir):
    document, case_file = approved["document"], approved["case_file"]
    assert TOKEN in _database_dump()
    assert TOKEN.encode() in _bytes_under(django_settings.BLOB_DIR)
    # The thumbnail is a picture of the page: it holds no searchable token, so by its name.
    from archive.blobstore import blob_path

    thumbnail = blob_path(document.versions.get().thumbnail_sha256)
    assert thumbnail.exists()
    # The index's term dictionary is compressed: its presence is shown by searching (unlogged:
    # a logged search would itself put the token into the trail).
    assert _indexed(TOKEN) == 1
    disposal = disposal_execute(disposal_id=approved["disposal"].pk,
                                actor=acting(user("datenschutz")))

    # Nowhere: database, blob store, index files.
    from archive.services.destruction import destruction_finish
    from search.tasks import purge_documents

    destruction_finish()  # on_commit does not fire inside a test transaction
    purge_documents()  # what the index worker runs next: every trace out of the index
    assert TOKEN not in _database_dump()
    assert "Müller" not in json.dumps(CaseFile.objects.get(pk=case_file.pk).residual)
    assert TOKEN.encode() not in _bytes_under(django_settings.BLOB_DIR)
    assert not thumbnail.exists()
    assert TOKEN.encode() not in _bytes_under(index_dir)
    assert _indexed(TOKEN) == 0

    # The residual record, and 410 for whoever could have seen it.
    document.refresh_from_db()
    residual = document.residual
    assert residual["file_reference"] == case_file.file_reference
    assert residual["approval"] == {"list": disposal.pk, "proposed_by": "datenschutz",
                                    "approved_by": "datenschutz-2"}
    client = Client()
    client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    response = client.get(f"/dokumente/{document.pk}/")
    assert response.status_code == 410 and case_file.file_reference in response.content.decode()
    api = APIClient()
    api.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    gone = api.get(f"/api/documents/{document.pk}/")
    assert gone.status_code == 410 and gone.json()["residual"]["id"] == document.pk
    other = Client()
    other.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    assert other.get(f"/dokumente/{document.pk}/").status_code == 404

    # The protocol: JSON and PDF/A, its hash in the audit chain.
    executed = Event.objects.get(action="disposal_executed")
    assert executed.data["protocol_sha256"] == disposal.protocol_sha256
    from archive.blobstore import blob_open

    with blob_open(disposal.protocol_sha256) as handle:
        protocol = json.loads(handle.read())
    assert protocol["case_files"][0]["file_reference"] == case_file.file_reference
    assert protocol["documents"] == [document.pk]
    import pikepdf

    from archive.blobstore import blob_path

    with pikepdf.open(blob_path(disposal.protocol_pdf_sha256)) as pdf, \
            pdf.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "2"
    # Validated after it was made, and the verdict is in the trail beside its hash.
    assert executed.data["protocol_pdf_pdfa"] == {"check": "pass"}
    assert events_verify().ok
