"""Co-signing and sign-off (Mitzeichnung, Schlusszeichnung) of one document version.

The author sends the latest version of a document in a case file they work on along an
ordered route: co-signers (people or units), then the final signer. Each step's person, or a
member of its unit, co-signs or refuses with a comment; only the first open step can act. A
refusal ends the round and returns the document to its author, who files a revised version
and starts the next round; earlier rounds stay as they were. The final sign-off freezes that
version: the route records its SHA-256, and the document takes no new version from then on
(handlers.veto_new_version, DOCUMENT_SIGNED_OFF). While a round is open the document takes no
new version either: the signers sign exactly what they read.

Every step is one event on the document in the hash-chained trail carrying the version's
number and hashes. No one signs their own draft (the route's author, or who filed the
version). The final signer needs the permission `archive.sign_off` (Zeichnungsrecht) and,
where the case file's unit set a limit (SigningLimit), an amount within it."""
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.actors import Actor
from archive.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from archive.guards import is_administrator, require_open, require_person, require_work
from archive.models import Document, Unit
from archive.selectors import document_visible_or_404, documents_visible_to, version_latest
from archive.services.events import event_append

from .models import RouteState, RouteStep, SigningLimit, SigningRoute, StepKind, StepState

SIGN_OFF_PERMISSION = "archive.sign_off"  # on StaffProfile, created by our migration
MAX_STEPS = 10
MAX_COMMENT = 2000


def _version_data(route: SigningRoute, **extra) -> dict:
    """What every event of a route carries: which round and exactly which version."""
    return {"route": route.pk, "round": route.round, "version": route.version_number,
            "version_sha256": route.version_sha256,
            "rendition_sha256": route.rendition_sha256, **extra}


def _document_in_file(user, document_id) -> Document:
    document = document_visible_or_404(user, document_id)
    if document.case_file_id is None:
        raise NotFound()  # unfiled post is the mailroom's, and goes on no route
    return document


def route_signed_off(document_id) -> SigningRoute | None:
    return SigningRoute.objects.filter(document_id=document_id,
                                       state=RouteState.SIGNED_OFF).first()


def route_open(document_id) -> SigningRoute | None:
    return SigningRoute.objects.filter(document_id=document_id, state=RouteState.OPEN).first()


def signed_off_refusal() -> Conflict:
    return Conflict("Das Dokument ist schlussgezeichnet; die gezeichnete Version bleibt, wie "
                    "sie ist, und es nimmt keine neue Version mehr an.",
                    code="DOCUMENT_SIGNED_OFF")


def _member(entry: str, *, author, document: Document):
    """A step's person (by user name) or unit (by its code)."""
    entry = entry.strip()
    person = get_user_model().objects.filter(username=entry, is_active=True,
                                             staff_profile__isnull=False).first()
    if person is not None:
        if person.pk == author.pk:
            raise InvalidInput("Niemand zeichnet den eigenen Entwurf mit.", code="OWN_DRAFT")
        if not documents_visible_to(person).filter(pk=document.pk).exists():
            raise InvalidInput(f"„{entry}“ darf dieses Dokument nicht lesen und kann es daher "
                               "nicht zeichnen.", code="ROUTE_MEMBER_CANNOT_READ")
        return person, None
    unit = Unit.objects.filter(code=entry).first()
    if unit is None:
        raise InvalidInput(f"„{entry[:60]}“ ist weder eine Person noch eine "
                           "Organisationseinheit.", code="ROUTE_MEMBER_UNKNOWN")
    return None, unit


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("Der Betrag ist keine Zahl.", code="AMOUNT_INVALID") from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput("Der Betrag liegt außerhalb des zulässigen Bereichs.",
                           code="AMOUNT_INVALID")
    return amount


def signoff_route_start(*, actor: Actor, document_id, cosigners: list[str], final_signer: str,
                        amount=None, note: str = "") -> SigningRoute:
    """Send the document's latest version on a route: `cosigners` in order (user names or
    unit codes; may be empty), then `final_signer`. Only who works on the case file."""
    user = require_person(actor)
    document = _document_in_file(user, document_id)
    require_work(user, document.case_file)
    require_open(document.case_file, document.process)
    entries = [entry.strip() for entry in cosigners if entry and entry.strip()]
    if not (final_signer or "").strip():
        raise InvalidInput("Bitte nennen Sie, wer schlusszeichnet.", code="FINAL_SIGNER_MISSING")
    if len(entries) + 1 > MAX_STEPS:
        raise InvalidInput(f"Ein Umlauf hat höchstens {MAX_STEPS} Stationen.",
                           code="ROUTE_TOO_LONG")
    amount = _amount(amount)
    members = [_member(entry, author=user, document=document) for entry in entries]
    final = _member(final_signer, author=user, document=document)
    if final[0] is not None and not final[0].has_perm(SIGN_OFF_PERMISSION):
        raise InvalidInput(f"„{final[0].username}“ hat kein Zeichnungsrecht.",
                           code="SIGNING_AUTHORITY_MISSING")
    with transaction.atomic():
        # Locks the document's routes: two starts at once cannot both open a round.
        previous = list(SigningRoute.objects.select_for_update().filter(document=document))
        if any(route.state == RouteState.SIGNED_OFF for route in previous):
            raise signed_off_refusal()
        if any(route.state == RouteState.OPEN for route in previous):
            raise Conflict("Das Dokument ist bereits im Umlauf.", code="ROUTE_ALREADY_OPEN")
        version = version_latest(document)
        route = SigningRoute.objects.create(
            document=document, round=max((r.round for r in previous), default=0) + 1,
            version_number=version.number, version_sha256=version.original_sha256,
            rendition_sha256=version.rendition_sha256, author=user, amount=amount,
            note=(note or "").strip()[:500])
        steps = [(StepKind.COSIGN, person, unit) for person, unit in members]
        steps.append((StepKind.SIGN_OFF, *final))
        RouteStep.objects.bulk_create([
            RouteStep(route=route, position=number, kind=kind, user=person, unit=unit)
            for number, (kind, person, unit) in enumerate(steps, start=1)])
        event_append(action="signoff_route_started", object_type="document",
                     object_id=document.pk, actor=actor, purpose=route.note,
                     data=_version_data(route, amount=str(amount) if amount is not None
                                        else None,
                                        steps=[{"kind": kind, "user": person.username
                                                if person else None,
                                                "unit": unit.code if unit else None}
                                               for kind, person, unit in steps]))
    return route


def _current_step(route: SigningRoute) -> RouteStep | None:
    return route.steps.filter(state=StepState.PENDING).order_by("position").first()


def _member_of(user, unit_id) -> bool:
    profile = getattr(user, "staff_profile", None)
    return profile is not None and profile.units.filter(pk=unit_id).exists()


def _acting_step(user, route_id) -> tuple[SigningRoute, RouteStep]:
    """The open step this user may act on now, under a lock on the route. Who may not read
    the document learns nothing (404); a reader whose turn it is not is told so."""
    route = SigningRoute.objects.select_for_update().filter(pk=route_id).first()
    if route is None:
        raise NotFound()
    document = _document_in_file(user, route.document_id)
    if route.state != RouteState.OPEN:
        raise Conflict("Dieser Umlauf ist abgeschlossen.", code="ROUTE_CLOSED")
    require_open(document.case_file, document.process)  # a closed file is read-only
    step = _current_step(route)
    if step is None or not (step.user_id == user.pk or (
            step.user_id is None and _member_of(user, step.unit_id))):
        raise PermissionDenied("Diese Station des Umlaufs ist nicht Ihre.",
                               code="NOT_YOUR_STEP")
    version = version_latest(document)
    if user.pk in (route.author_id, version.created_by_id):
        raise PermissionDenied("Niemand zeichnet den eigenen Entwurf mit.", code="OWN_DRAFT")
    if (version.number, version.original_sha256) != (route.version_number,
                                                     route.version_sha256):
        # Cannot happen while new versions are vetoed; if it does, nobody signs blind.
        raise Conflict("Die Version im Umlauf ist nicht mehr die aktuelle.",
                       code="VERSION_NOT_CURRENT")
    route.document = document
    return route, step


def _signing_limit(user, unit_id) -> Decimal | None:
    limits = {limit.user_id: limit.max_amount
              for limit in SigningLimit.objects.filter(unit_id=unit_id)
              .filter(Q(user=user) | Q(user__isnull=True))}
    return limits.get(user.pk, limits.get(None))


def _require_authority(user, route: SigningRoute) -> None:
    if not user.has_perm(SIGN_OFF_PERMISSION):
        raise PermissionDenied("Zum Schlusszeichnen fehlt Ihnen das Zeichnungsrecht.",
                               code="SIGNING_AUTHORITY_MISSING")
    if route.amount is None:
        return
    limit = _signing_limit(user, route.document.case_file.unit_id)
    if limit is not None and route.amount > limit:
        raise PermissionDenied(f"Der Betrag von {route.amount} Euro liegt über Ihrer "
                               f"Zeichnungsgrenze von {limit} Euro.",
                               code="SIGNING_LIMIT_EXCEEDED")


def _comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"Die Anmerkung ist zu lang (höchstens {MAX_COMMENT} Zeichen).",
                           code="COMMENT_TOO_LONG")
    return comment


def signoff_step_sign(*, actor: Actor, route_id, comment: str = "") -> SigningRoute:
    """Co-sign the current step, or, at the last step, sign off: the route then records the
    version as signed off, bound to its SHA-256, and the document takes no new version."""
    user = require_person(actor)
    comment = _comment(comment)
    with transaction.atomic():
        route, step = _acting_step(user, route_id)
        final = step.kind == StepKind.SIGN_OFF
        if final:
            _require_authority(user, route)
        now = timezone.now()
        RouteStep.objects.filter(pk=step.pk).update(state=StepState.SIGNED, acted_by=user,
                                                    acted_at=now, comment=comment)
        if final:
            SigningRoute.objects.filter(pk=route.pk).update(state=RouteState.SIGNED_OFF,
                                                            closed_at=now)
            route.state, route.closed_at = RouteState.SIGNED_OFF, now
        event_append(action="signed_off" if final else "cosigned", object_type="document",
                     object_id=route.document_id, actor=actor, purpose=comment,
                     data=_version_data(route, step=step.position,
                                        unit=step.unit.code if step.unit_id else None))
    return route


def signoff_step_refuse(*, actor: Actor, route_id, comment: str) -> SigningRoute:
    """Refuse with a comment: the round ends and the document goes back to its author."""
    user = require_person(actor)
    comment = _comment(comment)
    if not comment:
        raise InvalidInput("Bitte begründen Sie die Ablehnung.", code="COMMENT_MISSING")
    with transaction.atomic():
        route, step = _acting_step(user, route_id)
        now = timezone.now()
        RouteStep.objects.filter(pk=step.pk).update(state=StepState.REFUSED, acted_by=user,
                                                    acted_at=now, comment=comment)
        SigningRoute.objects.filter(pk=route.pk).update(state=RouteState.REFUSED,
                                                        closed_at=now)
        route.state, route.closed_at = RouteState.REFUSED, now
        event_append(action="signoff_refused", object_type="document",
                     object_id=route.document_id, actor=actor, purpose=comment,
                     data=_version_data(route, step=step.position,
                                        unit=step.unit.code if step.unit_id else None))
    return route


def signoff_route_withdraw(*, actor: Actor, route_id, reason: str = "") -> SigningRoute:
    """The author takes an open round back (to revise it before anyone refuses)."""
    user = require_person(actor)
    with transaction.atomic():
        route = SigningRoute.objects.select_for_update().filter(pk=route_id).first()
        if route is None:
            raise NotFound()
        document = _document_in_file(user, route.document_id)
        require_work(user, document.case_file)
        if route.author_id != user.pk:
            raise PermissionDenied("Nur wer den Umlauf gestartet hat, zieht ihn zurück.",
                                   code="NOT_ROUTE_AUTHOR")
        if route.state != RouteState.OPEN:
            raise Conflict("Dieser Umlauf ist abgeschlossen.", code="ROUTE_CLOSED")
        now = timezone.now()
        SigningRoute.objects.filter(pk=route.pk).update(state=RouteState.WITHDRAWN,
                                                        closed_at=now)
        route.state, route.closed_at = RouteState.WITHDRAWN, now
        event_append(action="signoff_route_withdrawn", object_type="document",
                     object_id=document.pk, actor=actor, purpose=_comment(reason),
                     data=_version_data(route))
    return route


def signing_limit_set(*, actor: Actor, unit_code: str, max_amount, username: str = "",
                      ) -> SigningLimit | None:
    """An administrator (or the command line's operator) sets, or with no amount removes, a
    unit's signing limit, for one person or for everyone with signing authority. Logged."""
    if not actor.is_operator and not (actor.user is not None and actor.user.is_active
                                      and is_administrator(actor.user)):
        raise NotFound()
    unit = Unit.objects.filter(code=unit_code).first()
    person = (get_user_model().objects.filter(username=username).first()
              if username else None)
    if unit is None or (username and person is None):
        raise NotFound()
    amount = _amount(max_amount)
    with transaction.atomic():
        SigningLimit.objects.filter(unit=unit, user=person).delete()
        limit = (SigningLimit.objects.create(unit=unit, user=person, max_amount=amount)
                 if amount is not None else None)
        event_append(action="signing_limit_set", object_type="unit", object_id=unit.pk,
                     actor=actor, data={"unit": unit.code, "user": username or None,
                                        "max_amount": str(amount) if amount is not None
                                        else None})
    return limit
