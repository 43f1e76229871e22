"""The one exception base of Registratur. Every refusal carries a stable code (for machines,
logs and tests), a human message (for people), and its own HTTP status and exit code, so that
pages, API and command line translate it the same way (web/errors.py, archive/commands.py)."""
from django.utils.translation import gettext_lazy as _


class RegistraturError(Exception):
    code = "ERROR"
    http_status = 500
    exit_code = 1
    default_message = _("Ein Fehler ist aufgetreten.")

    def __init__(self, message: str | None = None, *, code: str | None = None):
        if code:
            self.code = code
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotFound(RegistraturError):
    """Also raised when the object exists but the user may not know that it does."""

    code = "NOT_FOUND"
    http_status = 404
    exit_code = 3
    default_message = _("Nicht gefunden.")


class PermissionDenied(RegistraturError):
    code = "PERMISSION_DENIED"
    http_status = 403
    exit_code = 4
    default_message = _("Dafür fehlt Ihnen die Berechtigung.")


class InvalidInput(RegistraturError):
    code = "INVALID_INPUT"
    http_status = 400
    exit_code = 2
    default_message = _("Die Eingabe ist ungültig.")


class Gone(RegistraturError):
    """Destroyed after reviewed disposal; only the residual record remains."""

    code = "DESTROYED"
    http_status = 410
    exit_code = 6
    default_message = _("Dieses Objekt wurde nach geprüfter Aussonderung vernichtet.")

    def __init__(self, message=None, *, residual: dict | None = None, code=None):
        super().__init__(message, code=code)
        self.residual = residual or {}


class Conflict(RegistraturError):
    """The object's state forbids the action, e.g. a closed (zdA) case file."""

    code = "CONFLICT"
    http_status = 409
    exit_code = 5
    default_message = _("Der Zustand des Objekts lässt diese Aktion nicht zu.")


class IntegrityFailure(RegistraturError):
    """Stored data does not match its hashes (a blob, the event chain, a package). That is a
    fault of the system, not of the request, so it stays in the 5xx class: 500, not 409, which
    would tell the caller to change its request. The exit code lets monitoring tell it apart
    from every refusal."""

    code = "INTEGRITY_FAILURE"
    http_status = 500
    exit_code = 9
    default_message = _("Die Integritätsprüfung ist fehlgeschlagen.")


class TimestampUnavailable(RegistraturError):
    """The time-stamping authority did not answer or refused. Callers go on without a token:
    a checkpoint is stamped at the next run, a transfer note is recorded without one."""

    code = "TSA_UNAVAILABLE"
    http_status = 503
    exit_code = 10
    default_message = _("Der Zeitstempeldienst ist nicht erreichbar.")


class PurposeRequired(RegistraturError):
    """A read outside the reader's own unit or assigned files (a case file shared with their
    unit) states its purpose first, as break-glass does for foreign files. The object is
    readable, so this is no oracle; pages ask for the purpose, the API and command line
    pass it (`purpose`, `zweck`)."""

    code = "PURPOSE_REQUIRED"
    http_status = 428
    exit_code = 2
    default_message = _("Diese Akte gehört nicht zu Ihrem Sachgebiet: Bitte geben Sie den "
                        "Zweck des Zugriffs an.")


class PaperReleaseRefused(Conflict):
    """A scanned document's paper may not be released for destruction yet (BSI TR-RESISCAN):
    each missing precondition has its own code, so the mailroom knows what to wait for."""

    code = "PAPER_RELEASE_REFUSED"
    default_message = _("Das Papieroriginal darf noch nicht freigegeben werden.")


class ScanQANotPassed(PaperReleaseRefused):
    code = "SCAN_QA_NOT_PASSED"
    default_message = _("Die Sichtprüfung des Scans ist nicht bestanden: weder der Scan "
                        "selbst noch die Stichprobe, die für ihn bürgt.")


class ScanIntegrityPending(PaperReleaseRefused):
    code = "SCAN_INTEGRITY_PENDING"
    default_message = _("Der Integritätsschutz des Scans ist noch nicht abgeschlossen "
                        "(signierter Prüfpunkt bzw. Zeitstempel fehlt).")


class ScanNotStored(PaperReleaseRefused):
    code = "SCAN_NOT_STORED"
    default_message = _("Der Scan ist nicht vollständig und unversehrt gespeichert.")


class PaperKeepOriginal(PaperReleaseRefused):
    code = "PAPER_KEEP_ORIGINAL"
    default_message = _("Das Papieroriginal ist aufzubewahren und wird nicht freigegeben.")
