"""Co-signing and sign-off: an ordered route, refusal back to the author and a second round,
a sign-off that freezes the version by its SHA-256, no signing of one's own draft, signing
authority with a unit's limit, and nothing of it for another unit."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.models import Event, Unit
from archive.services.documents import version_add
from archive.services.events import events_verify
from ingest.redaction_jobs import Box, redaction_request
from signoff.models import RouteState, SigningLimit, SigningRoute, StepState
from signoff.routes import (
    signing_limit_set,
    signoff_route_start,
    signoff_route_withdraw,
    signoff_step_refuse,
    signoff_step_sign,
)
from tests.archive.helpers import content, grant, staff
from tests.conftest import DEMO_PASSWORD, user
from tests.web.test_permission_matrix import _unmasked

from .conftest import acting, desk_of

pytestmark = pytest.mark.django_db


def _start(draft, cosigners=("kollegin-a",), final="leitung-a", **kwargs):
    return signoff_route_start(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                               cosigners=list(cosigners), final_signer=final, **kwargs)


def _events(draft, action):
    return list(Event.objects.filter(object_type="document", object_id=str(draft.pk),
                                     action=action).order_by("seq"))


def test_a_refusal_returns_the_draft_and_the_second_round_passes(draft):
    first = _start(draft)
    assert [entry.key for entry in desk_of("kollegin-a")] == [
        f"signoff_step:{first.steps.get(position=1).pk}"]
    assert desk_of("leitung-a") == []  # not their turn yet
    signoff_step_refuse(actor=acting("kollegin-a"), route_id=first.pk,
                        comment="Rechtsbehelfsbelehrung fehlt.")
    first.refresh_from_db()
    assert first.state == RouteState.REFUSED
    returned = desk_of("sachbearbeitung-a")
    assert [entry.key for entry in returned] == [f"signoff_returned:{first.pk}"]
    assert returned[0].document_id == draft.pk
    assert returned[0].url == f"/dokumente/{draft.pk}/#zeichnung"
    assert desk_of("kollegin-a") == []

    # The author revises: a new version is taken again, and round 2 goes out.
    revised = version_add(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                          content=content("Entwurf Bescheid mit Rechtsbehelfsbelehrung"))
    second = _start(draft)
    assert (second.round, second.version_number, second.version_sha256) == (
        2, 2, revised.original_sha256)
    assert desk_of("sachbearbeitung-a") == []  # taken up by the new round
    signoff_step_sign(actor=acting("kollegin-a"), route_id=second.pk, comment="")
    signoff_step_sign(actor=acting("leitung-a"), route_id=second.pk, comment="Einverstanden.")
    second.refresh_from_db()
    assert second.state == RouteState.SIGNED_OFF
    # The first round stays as it was, refusal and comment included.
    first.refresh_from_db()
    refusal = first.steps.get(position=1)
    assert (first.state, refusal.state, refusal.comment, refusal.acted_by.username) == (
        RouteState.REFUSED, StepState.REFUSED, "Rechtsbehelfsbelehrung fehlt.", "kollegin-a")
    assert [e.clear_data["round"] for e in _events(draft, "signoff_route_started")] == [1, 2]
    [refused] = _events(draft, "signoff_refused")
    assert refused.clear_purpose == "Rechtsbehelfsbelehrung fehlt."
    assert refused.clear_data["version"] == 1


def test_the_sign_off_freezes_exactly_that_version(draft):
    route = _start(draft)
    signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    signoff_step_sign(actor=acting("leitung-a"), route_id=route.pk)
    version = draft.versions.get()
    [signed] = _events(draft, "signed_off")
    [cosigned] = _events(draft, "cosigned")
    for event in (signed, cosigned):
        assert event.data["version_sha256"] == version.original_sha256
        assert event.data["rendition_sha256"] == version.rendition_sha256
    assert signed.actor == "leitung-a" and events_verify().ok
    route.refresh_from_db()
    assert (route.state, route.version_sha256) == (RouteState.SIGNED_OFF,
                                                   version.original_sha256)
    # No new version by any path: the service, the upload, a redaction, a new route.
    with pytest.raises(Conflict) as refused:
        version_add(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                    content=content("Nachträglich geändert"))
    assert refused.value.code == "DOCUMENT_SIGNED_OFF"
    client = Client()
    assert client.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    response = client.post(f"/dokumente/{draft.pk}/neue-version",
                           {"file": SimpleUploadedFile("neu.txt", b"Neu")}, follow=True)
    assert "DOCUMENT_SIGNED_OFF" in response.content.decode()
    with pytest.raises(Conflict) as refused:
        redaction_request(user=user("sachbearbeitung-a"), document_id=draft.pk, version=1,
                          boxes=[Box(page=1, x=10, y=10, width=20, height=5)],
                          reason="Bankdaten")
    assert refused.value.code == "DOCUMENT_SIGNED_OFF"
    with pytest.raises(Conflict) as refused:
        _start(draft)
    assert refused.value.code == "DOCUMENT_SIGNED_OFF"
    assert list(draft.versions.values_list("number", "original_sha256")) == [
        (1, version.original_sha256)]


def test_no_one_signs_their_own_draft(draft):
    with pytest.raises(InvalidInput) as refused:
        _start(draft, cosigners=("sachbearbeitung-a",))
    assert refused.value.code == "OWN_DRAFT"
    # A unit step names the author's own unit: the author is still not the one to sign.
    route = _start(draft, cosigners=("A",))
    assert all(entry.document_id != draft.pk for entry in desk_of("sachbearbeitung-a"))
    with pytest.raises(PermissionDenied) as refused:
        signoff_step_sign(actor=acting("sachbearbeitung-a"), route_id=route.pk)
    assert refused.value.code == "OWN_DRAFT"
    # Nor who filed the version in the route, though someone else started it.
    signoff_route_withdraw(actor=acting("sachbearbeitung-a"), route_id=route.pk)
    version_add(actor=acting("kollegin-a"), document_id=draft.pk, content=content("Fassung 2"))
    route = signoff_route_start(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                                cosigners=["kollegin-a"], final_signer="leitung-a")
    with pytest.raises(PermissionDenied) as refused:
        signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    assert refused.value.code == "OWN_DRAFT"
    assert not _events(draft, "cosigned")


def test_steps_go_in_order_and_only_to_whom_they_name(draft):
    staff("dritte-a", unit_code="A")
    route = _start(draft, cosigners=("kollegin-a", "dritte-a"))
    for username in ("dritte-a", "leitung-a"):
        with pytest.raises(PermissionDenied) as refused:
            signoff_step_sign(actor=acting(username), route_id=route.pk)
        assert refused.value.code == "NOT_YOUR_STEP"
    signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    assert [e.document_id for e in desk_of("dritte-a")] == [draft.pk]


def test_the_signer_needs_signing_authority_within_the_units_limit(draft):
    with pytest.raises(InvalidInput) as refused:
        _start(draft, cosigners=(), final="kollegin-a")
    assert refused.value.code == "SIGNING_AUTHORITY_MISSING"
    signing_limit_set(actor=acting("admin"), unit_code="A", max_amount="1000")
    route = _start(draft, cosigners=(), final="leitung-a", amount="4500,00")
    with pytest.raises(PermissionDenied) as refused:
        signoff_step_sign(actor=acting("leitung-a"), route_id=route.pk)
    assert refused.value.code == "SIGNING_LIMIT_EXCEEDED"
    route.refresh_from_db()
    assert route.state == RouteState.OPEN and not _events(draft, "signed_off")
    # A higher limit for this person: within it, the sign-off goes through.
    signing_limit_set(actor=acting("admin"), unit_code="A", username="leitung-a",
                      max_amount="5000")
    signoff_step_sign(actor=acting("leitung-a"), route_id=route.pk)
    route.refresh_from_db()
    assert route.state == RouteState.SIGNED_OFF and route.amount == Decimal("4500.00")
    assert SigningLimit.objects.filter(unit=Unit.objects.get(code="A")).count() == 2


def test_a_unit_step_is_signed_by_a_member_without_the_permission_check(draft):
    """Co-signing needs no signing authority; the final signer of a unit step does."""
    route = _start(draft, cosigners=("A",), final="A")
    signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    with pytest.raises(PermissionDenied) as refused:
        signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    assert refused.value.code == "SIGNING_AUTHORITY_MISSING"
    signoff_step_sign(actor=acting("leitung-a"), route_id=route.pk)
    assert SigningRoute.objects.get(pk=route.pk).state == RouteState.SIGNED_OFF


def test_a_document_on_its_way_takes_no_new_version_until_withdrawn(draft):
    route = _start(draft)
    with pytest.raises(Conflict) as refused:
        version_add(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                    content=content("Zwischendurch"))
    assert refused.value.code == "DOCUMENT_ON_ROUTE"
    with pytest.raises(PermissionDenied):
        signoff_route_withdraw(actor=acting("kollegin-a"), route_id=route.pk)
    signoff_route_withdraw(actor=acting("sachbearbeitung-a"), route_id=route.pk)
    version_add(actor=acting("sachbearbeitung-a"), document_id=draft.pk,
                content=content("Nach dem Rückzug"))
    assert draft.versions.count() == 2 and desk_of("kollegin-a") == []


def test_another_units_caseworker_sees_none_of_it(draft):
    with pytest.raises(InvalidInput) as refused:
        _start(draft, cosigners=("sachbearbeitung-b",))
    assert refused.value.code == "ROUTE_MEMBER_CANNOT_READ"
    route = _start(draft, cosigners=("kollegin-a", "B"))  # a unit that cannot read it
    assert desk_of("sachbearbeitung-b") == []
    for service in (signoff_step_sign, signoff_step_refuse):
        with pytest.raises(NotFound):
            service(actor=acting("sachbearbeitung-b"), route_id=route.pk, comment="x")
    with pytest.raises(NotFound):
        signoff_route_start(actor=acting("sachbearbeitung-b"), document_id=draft.pk,
                            cosigners=[], final_signer="leitung-a")
    client = Client()
    assert client.login(username="sachbearbeitung-b", password=DEMO_PASSWORD)
    assert client.get(f"/dokumente/{draft.pk}/").status_code == 404
    for path in (f"/umlauf/{route.pk}/zeichnen", f"/umlauf/{route.pk}/ablehnen",
                 f"/umlauf/{route.pk}/zurueckziehen"):
        foreign, missing = client.post(path, {"comment": "x"}), client.post(
            "/umlauf/987654/zeichnen", {"comment": "x"})
        assert foreign.status_code == missing.status_code == 404
        assert _unmasked(foreign.content) == _unmasked(missing.content)
    page = client.get("/zeichnung/").content.decode()
    assert draft.title not in page and "Nichts wartet auf Ihre Zeichnung." in page
    # The caseworker of A sees the same page with the item.
    own = Client()
    assert own.login(username="kollegin-a", password="x" * 12)
    assert draft.title in own.get("/zeichnung/").content.decode()


def test_the_pages_start_co_sign_refuse_and_show_the_rounds(draft):
    author, colleague = Client(), Client()
    assert author.login(username="sachbearbeitung-a", password=DEMO_PASSWORD)
    assert colleague.login(username="kollegin-a", password="x" * 12)
    page = author.get(f"/dokumente/{draft.pk}/").content.decode()
    assert f'action="/dokumente/{draft.pk}/umlauf"' in page
    response = author.post(f"/dokumente/{draft.pk}/umlauf", {
        "cosigners": "kollegin-a\n", "final_signer": "leitung-a", "amount": "",
        "note": "Bitte bis Freitag"}, follow=True)
    assert "Das Dokument ist im Umlauf." in response.content.decode()
    route = SigningRoute.objects.get(document=draft)
    listing = colleague.get("/zeichnung/").content.decode()
    assert f'href="/dokumente/{draft.pk}/#zeichnung"' in listing
    assert Event.objects.filter(action="listed", object_id="signing_awaiting",
                                actor="kollegin-a", data__documents=[draft.pk]).exists()
    panel = colleague.get(f"/dokumente/{draft.pk}/").content.decode()
    assert f'action="/umlauf/{route.pk}/zeichnen"' in panel
    # A refusal without a reason is refused; with one, the round ends.
    colleague.post(f"/umlauf/{route.pk}/ablehnen", {"comment": ""})
    assert SigningRoute.objects.get(pk=route.pk).state == RouteState.OPEN
    colleague.post(f"/umlauf/{route.pk}/ablehnen", {"comment": "Betrag prüfen"})
    assert SigningRoute.objects.get(pk=route.pk).state == RouteState.REFUSED
    shown = author.get(f"/dokumente/{draft.pk}/").content.decode()
    assert "Betrag prüfen" in shown and "Runde 1" in shown
    assert "Abgelehnt und an Sie zurückgegeben" in author.get("/zeichnung/").content.decode()


def test_signing_limits_are_the_administrators(draft):
    with pytest.raises(NotFound):
        signing_limit_set(actor=acting("leitung-a"), unit_code="A", max_amount="99999")
    assert not SigningLimit.objects.exists()
    grant("admin", "sign_off")  # the permission alone does not make an administrator sign
    assert SigningLimit.objects.count() == 0


def test_the_administration_grants_signing_authority_like_the_other_permissions(draft):
    from archive.services.staff import staff_set

    with pytest.raises(InvalidInput):
        _start(draft, cosigners=(), final="kollegin-a")
    staff_set(actor=acting("admin"), username="kollegin-a", grant=["sign_off"])
    route = _start(draft, cosigners=(), final="kollegin-a")
    signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    assert SigningRoute.objects.get(pk=route.pk).state == RouteState.SIGNED_OFF
    assert Event.objects.filter(object_type="staff", action="changed",
                                data__username="kollegin-a").exists()


def test_a_closed_case_file_stops_its_routes(draft):
    from archive.services.casefiles import case_file_close

    route = _start(draft)
    case_file_close(actor=acting("sachbearbeitung-a"), case_file=draft.case_file)
    with pytest.raises(Conflict) as refused:
        signoff_step_sign(actor=acting("kollegin-a"), route_id=route.pk)
    assert refused.value.code == "CASE_FILE_CLOSED"
    assert SigningRoute.objects.get(pk=route.pk).steps.filter(state=StepState.SIGNED).count() == 0
