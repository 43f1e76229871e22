"""Refusals of backup and restore. One class, one exit code; the code says what is wrong."""
from django.utils.translation import gettext_lazy as _

from ..errors import RegistraturError


class BackupRefused(RegistraturError):
    """BACKUP_DAMAGED (a file does not match the manifest or fails authentication),
    BACKUP_INCOMPLETE (a file or the manifest is missing or cut short), BACKUP_KEY_WRONG (the
    passphrase does not open it), BACKUP_TARGET_NOT_EMPTY, BACKUP_OUT_NOT_EMPTY,
    BACKUP_PASSPHRASE_MISSING, BACKUP_BLOB_MISSING (the instance misses an object its database
    names), BACKUP_TOOL_FAILED (pg_dump / pg_restore)."""

    code = "BACKUP_DAMAGED"
    http_status = 422
    exit_code = 10
    default_message = _("Die Sicherung ist beschädigt.")
