"""Need-to-know: caseworkers read their own unit's documents, the mailroom reads the inbox,
nobody else reads anything; every read writes exactly one access event."""
import pytest

from archive.actors import system_actor
from archive.errors import NotFound
from archive.models import Event
from archive.selectors import access_events_for_document, documents_visible_to
from archive.services.access import document_read, document_read_with_grant
from archive.services.documents import VersionContent, document_file_new
from tests.conftest import user

CONTENT = VersionContent(
    original_sha256="a" * 64, original_size=10, original_name="brief.pdf",
    original_mime="application/pdf", rendition_sha256="b" * 64, rendition_is_pdfa=True,
    text="Antrag auf Wohngeld", text_sha256="c" * 64, page_count=1,
)


@pytest.fixture
def filed(demo):
    from django.utils import timezone

    return document_file_new(content=CONTENT, case_file=demo["A"], title="Antrag",
                             received_at=timezone.now(), actor=system_actor(name="test"))


@pytest.fixture
def unfiled(demo):
    from django.utils import timezone

    return document_file_new(content=CONTENT, case_file=None, title="Unbekannt",
                             received_at=timezone.now(), actor=system_actor(name="test"))


def test_reading_writes_exactly_one_event_with_purpose(filed):
    reader = user("sachbearbeitung-a")
    document_read(user=reader, document_id=filed.pk)
    events = list(access_events_for_document(filed.pk))
    assert len(events) == 1
    assert events[0].actor == "sachbearbeitung-a"
    assert events[0].clear_purpose == f"Akte {filed.case_file.file_reference}"


@pytest.mark.parametrize("username", ["sachbearbeitung-b", "poststelle", "datenschutz", "admin"])
def test_others_cannot_read_a_unit_document_and_leave_a_refused_read(filed, username):
    with pytest.raises(NotFound):
        document_read(user=user(username), document_id=filed.pk)
    assert not documents_visible_to(user(username)).filter(pk=filed.pk).exists()
    assert access_events_for_document(filed.pk).count() == 0
    # No read, but the attempt: who, what, which kind of read, in which role.
    refused = Event.objects.get(action="read_refused", object_id=str(filed.pk))
    assert refused.object_type == "document" and refused.actor == username
    assert refused.data["requested"] == "viewed"
    assert refused.data["case_file"] == filed.case_file.file_reference
    assert refused.data["role"] == user(username).staff_profile.role


def test_inbox_is_for_the_mailroom_only(unfiled):
    assert documents_visible_to(user("poststelle")).filter(pk=unfiled.pk).exists()
    for username in ("sachbearbeitung-a", "sachbearbeitung-b", "datenschutz"):
        with pytest.raises(NotFound):
            document_read(user=user(username), document_id=unfiled.pk)


def test_grant_serves_the_same_action_without_a_second_event(filed):
    reader = user("sachbearbeitung-a")
    document = document_read(user=reader, document_id=filed.pk)
    before = Event.objects.count()
    assert document_read_with_grant(user=reader, document_id=filed.pk,
                                    grant=document.access_grant).pk == filed.pk
    assert Event.objects.count() == before


def test_grant_is_bound_to_user_and_document(filed, unfiled):
    document = document_read(user=user("sachbearbeitung-a"), document_id=filed.pk)
    with pytest.raises(NotFound):
        document_read_with_grant(user=user("sachbearbeitung-b"), document_id=filed.pk,
                                 grant=document.access_grant)
    with pytest.raises(NotFound):
        document_read_with_grant(user=user("sachbearbeitung-a"), document_id=unfiled.pk,
                                 grant=document.access_grant)
    with pytest.raises(NotFound):
        document_read_with_grant(user=user("sachbearbeitung-a"), document_id=filed.pk,
                                 grant=document.access_grant + "x")


def test_listing_the_inbox_and_printing_a_cover_sheet_are_logged_reads(unfiled, demo):
    from django.test import Client

    from tests.conftest import DEMO_PASSWORD

    mailroom = Client()
    mailroom.login(username="poststelle", password=DEMO_PASSWORD)
    assert mailroom.get("/posteingang/").status_code == 200
    listed = Event.objects.filter(action="listed", object_type="inbox").get()
    assert listed.actor == "poststelle" and listed.data["documents"] == [unfiled.pk]
    caseworker = Client()
    caseworker.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert caseworker.get(f"/akten/{demo['A'].pk}/deckblatt.pdf").status_code == 200
    assert Event.objects.filter(action="exported", object_type="case_file",
                                object_id=str(demo["A"].pk)).count() == 1
