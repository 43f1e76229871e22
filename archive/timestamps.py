"""Trusted timestamps (RFC 3161) for the trail's checkpoints and the transfer notes.

A signed checkpoint proves the log was not rewritten by anyone without the signing key. The
server's own account holds that key, so it could sign a rewritten log and back-date it. A
timestamp token from an outside time-stamping authority (TSA) binds the checkpoint line's hash
to a time that not even the key holder controls: a line changed afterwards no longer matches
the token, and a token cannot be made for the past.

pyHanko (well kept, used for PDF signatures across the German public sector) requests the
tokens and validates them against the authority's CA certificate; we keep the DER token as it
came. Without a configured authority nothing changes: checkpoints are signed as before and
`tsa_status()` says that timestamps are off.

Checkpoint tokens live in a file beside the checkpoint file, one JSON line per stamped
checkpoint ({"number", "line_hash", "token"}): they are evidence about that file and travel
with it (backup copies the checkpoint directory). A checkpoint whose token could not be had
(the authority unreachable) is stamped at the next checkpoint run; nothing waits for it.
Transfer-note tokens ride in the transfer note's own event.
"""
import asyncio
import base64
import fcntl
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp
from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from .errors import IntegrityFailure, TimestampUnavailable

log = logging.getLogger(__name__)

TOKENS_FILE = "chain-checkpoints.tsr.jsonl"
ALGORITHM = "sha256"


def tsa_configured() -> bool:
    return bool(settings.TSA_URL)


def token_request(digest: bytes) -> bytes:
    """A DER timestamp token over a SHA-256 digest from the configured authority."""
    if not tsa_configured():
        raise TimestampUnavailable("No time-stamping authority is configured.",
                                   code="TSA_NOT_CONFIGURED")
    stamper = HTTPTimeStamper(settings.TSA_URL, timeout=settings.TSA_TIMEOUT_SECONDS)

    async def request():
        try:
            return await stamper.async_timestamp(digest, ALGORITHM)
        finally:  # pyHanko opens an aiohttp session lazily; close it in this loop
            session = getattr(stamper, "_session", None)
            closer = getattr(session, "close", None)
            if closer is not None:
                result = closer()
                if asyncio.iscoroutine(result):
                    await result

    try:
        return asyncio.run(request()).dump()
    except (TimeoutError, TimestampRequestError, aiohttp.ClientError, OSError, ValueError) as error:
        raise TimestampUnavailable(f"The time-stamping authority did not stamp: {error}") \
            from error


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    reason: str = ""
    time: datetime | None = None


def _trust_roots() -> list:
    path = Path(settings.TSA_CA_FILE) if settings.TSA_CA_FILE else None
    if path is None or not path.exists():
        raise IntegrityFailure("No trusted certificate of the time-stamping authority is "
                               "configured (REGISTRATUR_TSA_CA_FILE) to check timestamps.",
                               code="TSA_CA_MISSING")
    data = path.read_bytes()
    blocks = [body for _, _, body in pem.unarmor(data, multiple=True)] \
        if pem.detect(data) else [data]
    return [asn1_x509.Certificate.load(block) for block in blocks]


def _malformed(signed) -> str:
    """RFC 5652 / RFC 3161 form rules the signature does not cover: the SignedData version,
    each signer's version against its identifier, and the digest algorithms listed."""
    if signed["version"].native != "v3":
        return "SignedData version"
    listed = {algorithm["algorithm"].native for algorithm in signed["digest_algorithms"]}
    algorithms = list(signed["digest_algorithms"]) + \
        [signer["digest_algorithm"] for signer in signed["signer_infos"]]
    if any(algorithm["parameters"].dump() not in (b"", b"\x05\x00") for algorithm in algorithms):
        return "digest algorithm parameters (absent or NULL only, RFC 5754)"
    for signer in signed["signer_infos"]:
        expected = "v1" if signer["sid"].name == "issuer_and_serial_number" else "v3"
        if signer["version"].native != expected:
            return "SignerInfo version"
        if signer["digest_algorithm"]["algorithm"].native not in listed:
            return "digest algorithms"
    return ""


def token_check(token: bytes, digest: bytes) -> TokenCheck:
    """Is `token` a timestamp over `digest`, signed by a certificate that chains to the
    trusted authority CA? A changed digest or a flipped byte in the token fails."""
    try:
        content = cms.ContentInfo.load(token)
        signed = content["content"]
        roots = _trust_roots()
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = asyncio.run(validate_tst_signed_data(
            signed, context, lambda algorithm: digest if algorithm == ALGORITHM else b""))
        path = status.get("validation_path")
        used = {certificate.dump() for certificate in (path or ())} | \
            {root.dump() for root in roots}
        # Certificates the authority merely enclosed (its CA, say) are not checked by the
        # signature; one that is neither on the validated path nor a trusted root was altered.
        extra = [c.chosen.dump() for c in signed["certificates"] or ()
                 if c.chosen.dump() not in used]
        malformed = _malformed(signed)
    except IntegrityFailure as error:
        return TokenCheck(False, error.message)
    except Exception as error:  # noqa: BLE001 - any parse or validation failure is a bad token
        return TokenCheck(False, f"the timestamp token is unreadable or invalid ({error!r})")
    if not status.get("intact"):
        return TokenCheck(False, "the timestamp does not match what it should stamp")
    if not status.get("valid"):
        return TokenCheck(False, "the timestamp's signature is not valid")
    if status.get("trust_problem_indic") is not None:
        return TokenCheck(False, "the timestamp is not signed by the trusted authority")
    if malformed:
        return TokenCheck(False, f"the timestamp token is malformed: {malformed}")
    if extra:
        return TokenCheck(False, "the timestamp encloses a certificate that is not the "
                                 "authority's: the token was altered")
    return TokenCheck(True, time=status.get("timestamp"))


# --- checkpoint tokens ---------------------------------------------------------------------

def tokens_path() -> Path:
    return Path(settings.CHECKPOINT_DIR) / TOKENS_FILE


def tokens_read() -> dict[int, dict]:
    """Stamped checkpoints by number; an unreadable line is kept as {"unreadable": True}."""
    path = tokens_path()
    tokens: dict[int, dict] = {}
    if not path.exists():
        return tokens
    for position, text in enumerate(path.read_text().splitlines(), start=1):
        try:
            raw = json.loads(text)
            tokens[int(raw["number"])] = {"line_hash": str(raw["line_hash"]),
                                          "token": base64.b64decode(raw["token"])}
        except (ValueError, KeyError, TypeError):
            tokens[-position] = {"unreadable": True}
    return tokens


def checkpoints_stamp(lines: list[tuple[int, str]], limit: int = 50) -> int:
    """Stamp checkpoint lines (number, line hash) that have no token yet, oldest first, up to
    `limit` per run. Returns how many were stamped; stops at the first failure (the authority
    is down: the next run tries again)."""
    if not tsa_configured():
        return 0
    path = tokens_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = 0
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # beat and the CLI may stamp at once
        have = tokens_read()
        for number, line_hash in lines:
            if number in have or stamped >= limit:
                continue
            try:
                token = token_request(bytes.fromhex(line_hash))
            except TimestampUnavailable as error:
                log.warning("checkpoint %d not timestamped yet: %s", number, error.message)
                break
            handle.write(json.dumps({"number": number, "line_hash": line_hash,
                                     "token": base64.b64encode(token).decode()},
                                    sort_keys=True) + "\n")
            handle.flush()
            stamped += 1
    return stamped


def checkpoint_tokens_problems(lines: list[tuple[int, str]]) -> tuple[list[str], int]:
    """Check every stored token against its checkpoint line. Returns the problems and the
    number of checkpoints with a valid timestamp."""
    tokens = tokens_read()
    problems: list[str] = []
    if not tokens:
        return problems, 0
    try:
        _trust_roots()
    except IntegrityFailure as error:
        return [error.message], 0
    if any(key < 0 for key in tokens):
        problems.append("the timestamp file holds an unreadable line")
    by_number = dict(lines)
    valid = 0
    for number, record in sorted((k, v) for k, v in tokens.items() if k > 0):
        if number not in by_number:
            problems.append(f"a timestamp names checkpoint {number}, which is not in the "
                            f"checkpoint file")
            continue
        if record["line_hash"] != by_number[number]:
            problems.append(f"the timestamp of checkpoint {number} was made for another "
                            f"line: the checkpoint was changed after it was stamped")
            continue
        check = token_check(record["token"], bytes.fromhex(record["line_hash"]))
        if not check.ok:
            problems.append(f"the timestamp of checkpoint {number} fails: {check.reason}")
            continue
        valid += 1
    return problems, valid


# --- transfer notes ------------------------------------------------------------------------

def transfer_note_token(note_sha256: str) -> str:
    """A base64 token over the note's hash, or "" when no authority is configured or it is
    down (the note is recorded without; the log says why)."""
    if not tsa_configured():
        return ""
    try:
        return base64.b64encode(token_request(bytes.fromhex(note_sha256))).decode()
    except TimestampUnavailable as error:
        log.warning("transfer note %s not timestamped: %s", note_sha256[:12], error.message)
        return ""


def transfer_note_problem(event) -> str:
    """For `audit verify`: a transfer note that carries a token must carry a valid one over
    its recorded hash (the chain already protects the note against the hash)."""
    data = event.data or {}
    token = data.get("timestamp")
    if event.action != "transfer_note" or not token:
        return ""
    try:
        check = token_check(base64.b64decode(token), bytes.fromhex(data["note_sha256"]))
    except (ValueError, KeyError, TypeError):
        check = TokenCheck(False, "the token or the note's hash is unreadable")
    return "" if check.ok else f"the timestamp of transfer note {event.seq} fails: {check.reason}"


@dataclass(frozen=True)
class TsaStatus:
    """For the officer's page: whether an authority is configured and how many checkpoints
    carry a token. Cheap: the tokens are validated by `audit verify`, not on every view."""

    configured: bool
    url: str
    stamped: int
    checkpoints: int


def tsa_status(checkpoints: int) -> TsaStatus:
    stamped = len({number for number in tokens_read() if number > 0})
    return TsaStatus(tsa_configured(), settings.TSA_URL, stamped, checkpoints)
