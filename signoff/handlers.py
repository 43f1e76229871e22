"""Receivers of the archive's signals (connected in apps.py)."""
from archive.errors import Conflict

from .models import RouteState, RouteStep, SigningRoute
from .routes import signed_off_refusal


def veto_new_version(sender, *, document_id: int, **_):
    """version_adding: a signed-off document keeps the version that was signed; one on an
    open round keeps the version its signers are reading."""
    states = set(SigningRoute.objects.filter(
        document_id=document_id, state__in=[RouteState.OPEN, RouteState.SIGNED_OFF])
        .values_list("state", flat=True))
    if RouteState.SIGNED_OFF in states:
        raise signed_off_refusal()
    if RouteState.OPEN in states:
        raise Conflict("Das Dokument ist im Zeichnungsumlauf. Ziehen Sie den Umlauf zurück, "
                       "bevor Sie eine neue Version ablegen.", code="DOCUMENT_ON_ROUTE")


def routes_of_destroyed(sender, *, document_ids: list[int], **_):
    """documents_destroyed: comments may name what the document said; they go with it. The
    trail keeps each step's event and the version's hashes."""
    SigningRoute.objects.filter(document_id__in=document_ids).update(note="")
    RouteStep.objects.filter(route__document_id__in=document_ids).update(comment="")
