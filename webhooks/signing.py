"""The signature of a delivery: HMAC-SHA256 over "<timestamp>.<body>" with the subscriber's
key, so a receiver can check the sender and refuse a replay of an old body."""
import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Registratur-Signature"
TIMESTAMP_HEADER = "X-Registratur-Timestamp"
EVENT_HEADER = "X-Registratur-Event"


def secret_new() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()
