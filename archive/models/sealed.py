"""Reading the trail's sealed payloads (see archive/sealing.py for the design): the key
store and the opening of an envelope, below the Event model so that its `clear_data` and
`clear_purpose` need nothing above the models."""

import base64
import json
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models
from django.utils.translation import gettext as _

ENVELOPE = "sealed"
NONCE_BYTES = 12
SEALED_VALUE = "sealed"


class PayloadKey(models.Model):
    """One key of the trail's sealed payloads (crypto-shredding). `scope` names what it
    seals: `case_file:ID`, `document:ID`, or `event:SEQ` for an entry naming no record (a
    search, a report). Deleting the row, which only the destruction path does, makes what it
    sealed unreadable for good while the chain, which hashes the ciphertext, still verifies."""

    scope = models.CharField(max_length=64, unique=True)
    key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


def shredded_label() -> str:
    return _("gelöscht")


def _open(envelope: dict, key: bytes | None) -> dict | None:
    if key is None:
        return None
    raw = base64.b64decode(envelope["token"])
    try:
        plain = AESGCM(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], envelope["scope"].encode()
        )
    except InvalidTag:
        return None
    return json.loads(plain)


def _shredded(envelope: dict, changes) -> dict:
    label = shredded_label()
    data = {key: label for key in envelope.get("keys", ())}
    if "changes" in data and isinstance(changes, dict):
        data["changes"] = {name: [label, label] for name in changes}
    return {"purpose": label if envelope.get("purpose") else "", "data": data}


def _clear(event, keys: dict[str, bytes]) -> tuple[dict, str]:
    data = event.data or {}
    envelope = data.get(ENVELOPE)
    if not isinstance(envelope, dict) or "token" not in envelope:
        return data, event.purpose
    payload = _open(envelope, keys.get(envelope.get("scope"))) or _shredded(
        envelope, data.get("changes")
    )
    rest = {key: value for key, value in data.items() if key != ENVELOPE}
    return {**rest, **payload["data"]}, payload["purpose"] or event.purpose


def _keys(scopes: Iterable[str]) -> dict[str, bytes]:
    scopes = sorted(set(scopes))
    found: dict[str, bytes] = {}
    for start in range(0, len(scopes), 500):
        found.update(
            (scope, bytes(key))
            for scope, key in PayloadKey.objects.filter(
                scope__in=scopes[start : start + 500]
            ).values_list("scope", "key")
        )
    return found


def _scope_of(event) -> str | None:
    envelope = (event.data or {}).get(ENVELOPE)
    return envelope.get("scope") if isinstance(envelope, dict) else None


def events_unseal(events: Iterable) -> list:
    """Open the given entries for reading (`clear_data`, `clear_purpose`), fetching their
    keys in one query. Returns them as a list, in the order given."""
    events = list(events)
    keys = _keys(scope for scope in map(_scope_of, events) if scope)
    for event in events:
        event._clear = _clear(event, keys)
    return events


def event_clear(event) -> tuple[dict, str]:
    """(data, purpose) of one entry in the clear, cached on the instance."""
    cached = getattr(event, "_clear", None)
    if cached is None:
        scope = _scope_of(event)
        cached = event._clear = _clear(event, _keys([scope] if scope else []))
    return cached
