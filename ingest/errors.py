"""Refusals of the pipeline. Codes are stable: they appear in the CLI's JSON, in the API and in
the mailroom's quarantine list."""
from archive.errors import RegistraturError


class IngestRefused(RegistraturError):
    """Bad input: the job ends in quarantine with this code and message. 422: the request
    was understood but its content cannot be processed."""

    code = "REFUSED"
    http_status = 422
    exit_code = 7


class IngestFailed(RegistraturError):
    """The system could not process the input (not the input's fault). 503: try again."""

    code = "INGEST_FAILED"
    http_status = 503
    exit_code = 8


def refused(code: str, message: str) -> IngestRefused:
    return IngestRefused(message, code=code)


def failed(code: str, message: str) -> IngestFailed:
    return IngestFailed(message, code=code)


class IngestTransient(IngestFailed):
    """A fault of the surroundings (a lock, a full disk, a missing mount): retried later."""

    code = "TRANSIENT_ERROR"


def transient(code: str, message: str) -> IngestTransient:
    return IngestTransient(message, code=code)
