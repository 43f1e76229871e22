"""Sealed payloads of the trail (crypto-shredding).

The trail outlives what it records, but a destroyed case file must leave nothing personal
behind, and the hash chain must still verify. So the personal part of an entry (its purpose:
the reason of a share, a hold, a break-glass opening; and the data keys in `SEALED_KEYS`:
old and new values of a change, the mailroom's review, a search's query, a report's subject)
is stored encrypted (AES-256-GCM, the `cryptography` library) under a key of its own scope,
and the chain hashes the ciphertext. Destruction deletes the key (`keys_shred`): the entry
stays, verifies, and reads "gelöscht" where its personal part was.

Scopes: an entry on a case file is sealed under `case_file:ID`, one on a document under
`document:ID`, one on a process under `process:ID` (a document or process moved between files
keeps its key, so its history goes with it).
An entry naming no record but carrying free text (a search, an officer's report) gets a key
of its own, `event:SEQ`; a destruction shreds those whose text names the destroyed file's
subject (name, client number, birth date, file reference) or that showed one of its
documents. Everything else (logins, administration, units) is not sealed.

Keys are rows of `archive.PayloadKey` in the same database, so they are in every backup; a
restore re-applies the destruction journal through the one destruction path, which shreds
them again. On SQLite the connection runs with `secure_delete`, so a deleted key's bytes are
overwritten, and the destruction checkpoints the WAL (see `archive.services.destruction`)."""

import base64
import json
import os
import re
from collections.abc import Iterable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .models import Event, PayloadKey
from .models.sealed import ENVELOPE, NONCE_BYTES, SEALED_VALUE, _clear, event_clear, events_unseal

__all__ = ["event_clear", "events_unseal", "keys_shred", "seal_entry", "entry_scope"]

# Data keys whose values are personal wherever they occur in a sealed entry.
SEALED_KEYS = (
    "changes",
    "review",
    "query",
    "subject",
    "note",
    "reason",
    "comment",
    "mandate",
    "filters",
    "more_like",
    "name",
    "parameters",
    "title",
)
# Entries that name no record, yet carry free text about somebody: a key of their own.
RECORD_TYPES = ("case_file", "document", "process")
FREE_TEXT_ACTIONS = ("searched", "report")
FREE_TEXT_OBJECTS = ("saved_search",)


def entry_scope(*, action: str, object_type: str, object_id, seq: int) -> str | None:
    """Under which key an entry's personal part is sealed, or None: not sealed."""
    if object_type in RECORD_TYPES and str(object_id).isdigit():
        return f"{object_type}:{object_id}"
    if action in FREE_TEXT_ACTIONS or object_type in FREE_TEXT_OBJECTS:
        return f"event:{seq}"
    return None


def _key_for(scope: str) -> bytes:
    key = AESGCM.generate_key(bit_length=256)
    if scope.startswith("event:"):
        # An entry's own scope is new with its sequence number, which is taken under the
        # chain head's lock: every search writes one, and the look-up before it (and the
        # savepoint get_or_create needs) was a fifth of the search's log entry.
        PayloadKey.objects.create(scope=scope, key=key)
        return key
    row, _created = PayloadKey.objects.get_or_create(scope=scope, defaults={"key": key})
    return bytes(row.key)


def seal_entry(*, scope: str | None, purpose: str, data: dict) -> tuple[str, dict]:
    """The purpose and data to store and hash: the personal part moved into an envelope
    under `data["sealed"]`, encrypted with the scope's key (created on first use)."""
    if scope is None:
        return purpose, data
    keys = [key for key in SEALED_KEYS if data.get(key) not in (None, "", [], {})]
    if not keys and not purpose:
        return purpose, data
    payload = {"purpose": purpose, "data": {key: data[key] for key in keys}}
    plain = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    nonce = os.urandom(NONCE_BYTES)
    cipher = AESGCM(_key_for(scope)).encrypt(nonce, plain, scope.encode())
    envelope = {
        "scope": scope,
        "keys": keys,
        "purpose": bool(purpose),
        "token": base64.b64encode(nonce + cipher).decode(),
    }
    rest = {key: value for key, value in data.items() if key not in keys}
    if isinstance(data.get("changes"), dict):
        # Which fields changed is no secret (the classifier's training asks for a changed
        # type with a JSON lookup); their old and new values are.
        rest["changes"] = {name: SEALED_VALUE for name in data["changes"]}
    return "", {**rest, ENVELOPE: envelope}


# --- shredding (only archive.services.destruction calls this) ---------------------------


def terms_pattern(terms: Iterable[str]) -> re.Pattern | None:
    words = sorted(
        {t.casefold() for t in terms if t and len(t.strip()) >= 3}, key=len, reverse=True
    )
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def _free_text(data: dict) -> str:
    return json.dumps(
        {key: data.get(key) for key in SEALED_KEYS}, ensure_ascii=False, default=str
    ).casefold()


def keys_shred(
    *,
    case_file_ids: list[int],
    document_ids: list[int],
    terms: Iterable[str],
    process_ids: Iterable[int] = (),
) -> int:
    """Delete the keys of these case files and documents, and those of searches and reports
    whose text names one of `terms` or that showed one of the documents. Runs inside the
    destruction's transaction. Returns the number of keys deleted."""
    scopes = (
        [f"case_file:{pk}" for pk in case_file_ids]
        + [f"document:{pk}" for pk in document_ids]
        + [f"process:{pk}" for pk in process_ids]
    )
    doomed: set[str] = set()
    for start in range(0, len(scopes), 500):
        doomed.update(
            PayloadKey.objects.filter(scope__in=scopes[start : start + 500]).values_list(
                "scope", flat=True
            )
        )
    pattern = terms_pattern(terms)
    shown = {str(pk) for pk in document_ids}
    free = {
        scope: bytes(key)
        for scope, key in PayloadKey.objects.filter(scope__startswith="event:").values_list(
            "scope", "key"
        )
    }
    seqs = sorted(int(scope.split(":", 1)[1]) for scope in free)
    for start in range(0, len(seqs), 500):
        for event in Event.objects.filter(seq__in=seqs[start : start + 500]).only(
            "seq", "data", "purpose"
        ):
            data, purpose = _clear(event, free)
            listed = {str(pk) for key in ("documents", "thumbnails") for pk in data.get(key) or ()}
            text = f"{_free_text(data)} {purpose.casefold()}"
            if listed & shown or (pattern and pattern.search(text)):
                doomed.add(f"event:{event.seq}")
    doomed_list = sorted(doomed)
    for start in range(0, len(doomed_list), 500):
        PayloadKey.objects.filter(scope__in=doomed_list[start : start + 500]).delete()
    return len(doomed)
