"""Service accounts' API tokens: created by the administration (shown once, kept only as a
hash), scoped to units and actions, with an expiry, revocable. Every change is an event."""
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.actors import Actor
from archive.errors import InvalidInput, NotFound
from archive.guards import require_admin_or_operator
from archive.models import Unit
from archive.services.events import event_append

from .errors import TokenRefused
from .models import TOKEN_ACTIONS, ApiToken

DENIED = "API-Tokens verwaltet die Administration."
PREFIX = "rgt"
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _describe(token: ApiToken) -> dict:
    return {"name": token.name, "user": token.user.username,
            "units": sorted(token.units.values_list("code", flat=True)),
            "actions": list(token.actions),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None}


def token_create(*, actor: Actor, name: str, username: str, units: Iterable[str] = (),
                 actions: Iterable[str] = (), expires_at: datetime | None = None
                 ) -> tuple[ApiToken, str]:
    """The new token and its secret, which is not kept anywhere and cannot be shown again."""
    require_admin_or_operator(actor, DENIED)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Ein Token braucht einen Namen (bis 100 Zeichen).",
                           code="TOKEN_NAME_INVALID")
    actions = sorted(set(actions))
    if not actions or set(actions) - set(TOKEN_ACTIONS):
        raise InvalidInput(f"Aktionen: eine oder mehrere von {', '.join(TOKEN_ACTIONS)}.",
                           code="TOKEN_ACTIONS_INVALID")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("Das Ablaufdatum liegt in der Vergangenheit.",
                           code="TOKEN_EXPIRY_INVALID")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"Keine aktive Person {username!r}.", code="USER_UNKNOWN")
    codes = set(units)
    found = list(Unit.objects.filter(code__in=codes))
    if len(found) != len(codes):
        raise InvalidInput("Unbekannte Organisationseinheit.", code="UNIT_UNKNOWN")
    prefix = secrets.token_hex(4)
    raw = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(name=name, user=user, prefix=prefix,
                                            key_hash=_hash(raw), actions=actions,
                                            expires_at=expires_at, created_by=actor.label)
            token.units.set(found)
            event_append(action="token_created", object_type="api_token", object_id=token.pk,
                         actor=actor, data=_describe(token))
    except IntegrityError:
        raise InvalidInput("Ein Token dieses Namens gibt es schon.",
                           code="TOKEN_NAME_TAKEN") from None
    return token, raw


def token_list(*, actor: Actor):
    require_admin_or_operator(actor, DENIED)
    return ApiToken.objects.select_related("user").prefetch_related("units")


def token_revoke(*, actor: Actor, token_id: int | None = None, name: str = "") -> ApiToken:
    require_admin_or_operator(actor, DENIED)
    with transaction.atomic():
        lookup = {"pk": token_id} if token_id is not None else {"name": name}
        token = ApiToken.objects.select_for_update().filter(**lookup).first()
        if token is None:
            raise NotFound("Kein solches Token.", code="TOKEN_UNKNOWN")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            event_append(action="token_revoked", object_type="api_token", object_id=token.pk,
                         actor=actor, data={"name": token.name})
    return token


def token_authenticate(raw: str) -> ApiToken:
    """The token a request presents, if it is known, unexpired and not revoked."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenRefused()
    token = (ApiToken.objects.select_related("user", "user__staff_profile")
             .filter(prefix=parts[1]).first())
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)):
        raise TokenRefused()
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("Das API-Token wurde widerrufen.", code="TOKEN_REVOKED")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused("Das API-Token ist abgelaufen.", code="TOKEN_EXPIRED")
    if not token.user.is_active:
        raise TokenRefused()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # To the minute: a procedure asking many times a second writes once a minute, not
        # on every request (a write that would queue behind the event log's on SQLite).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_unit_ids(token: ApiToken) -> frozenset[int]:
    return frozenset(token.units.values_list("id", flat=True))
