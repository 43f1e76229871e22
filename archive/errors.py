"""The one exception base of Registratur. Every refusal carries a stable code (for machines,
logs and tests) and a human message (for people). Web, CLI and API translate it in one place
each."""
from django.utils.translation import gettext_lazy as _


class RegistraturError(Exception):
    code = "ERROR"
    default_message = _("Ein Fehler ist aufgetreten.")

    def __init__(self, message: str | None = None, *, code: str | None = None):
        if code:
            self.code = code
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotFound(RegistraturError):
    """Also raised when the object exists but the user may not know that it does."""

    code = "NOT_FOUND"
    default_message = _("Nicht gefunden.")


class PermissionDenied(RegistraturError):
    code = "PERMISSION_DENIED"
    default_message = _("Dafür fehlt Ihnen die Berechtigung.")


class InvalidInput(RegistraturError):
    code = "INVALID_INPUT"
    default_message = _("Die Eingabe ist ungültig.")


class Gone(RegistraturError):
    """Destroyed after reviewed disposal; only the residual record remains."""

    code = "DESTROYED"
    default_message = _("Dieses Objekt wurde nach geprüfter Aussonderung vernichtet.")

    def __init__(self, message=None, *, residual: dict | None = None, code=None):
        super().__init__(message, code=code)
        self.residual = residual or {}


class Conflict(RegistraturError):
    """The object's state forbids the action, e.g. a closed (zdA) case file."""

    code = "CONFLICT"
    default_message = _("Der Zustand des Objekts lässt diese Aktion nicht zu.")


class IntegrityFailure(RegistraturError):
    code = "INTEGRITY_FAILURE"
    default_message = _("Die Integritätsprüfung ist fehlgeschlagen.")
