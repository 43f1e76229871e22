"""Validation against the official xdomea 3.0.0 schemas, which ship with this package
(`schemas/`, see its README for source and licence). The setting XDOMEA_SCHEMA_DIR may point
elsewhere. A message that could not be validated is never written nor read: without the
schemas the refusal is XDOMEA_SCHEMA_MISSING, with a violation XDOMEA_SCHEMA_INVALID."""
import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from archive.errors import Conflict, InvalidInput

log = logging.getLogger(__name__)

ENTRY = "xdomea-Nachrichten-AussonderungDurchfuehren.xsd"
ENTRY_FILE_PLAN = "xdomea-Nachrichten-AktenplanAustauschen.xsd"  # 0301
SHIPPED_DIR = Path(__file__).resolve().parent / "schemas" / "3.0.0"


def schema_dir() -> Path:
    return Path(settings.XDOMEA_SCHEMA_DIR or SHIPPED_DIR)


@lru_cache(maxsize=2)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def schema_load(entry_name: str = ENTRY) -> etree.XMLSchema:
    """The compiled schema, or the refusal to go on without it."""
    entry = schema_dir() / entry_name
    try:
        return _schema(str(entry))
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
        # The path is for the administrator's log, not for the message.
        log.error("xdomea schemas cannot be loaded from %s: %s", entry, error)
        raise Conflict("Die xdomea-3.0.0-Schemas sind nicht verfügbar; ohne Prüfung wird keine "
                       "xdomea-Nachricht geschrieben oder gelesen. Bitte die Einstellung "
                       "REGISTRATUR_XDOMEA_SCHEMA_DIR prüfen lassen.",
                       code="XDOMEA_SCHEMA_MISSING") from None


def schema_errors(tree, entry_name: str = ENTRY) -> list[str]:
    """Every schema violation as 'line N: message'; empty when valid."""
    schema = schema_load(entry_name)
    if schema.validate(tree):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def schema_assert_valid(tree, *, what: str, entry_name: str = ENTRY) -> None:
    """Refuse a message that violates the schema, or that cannot be checked at all, with a
    short summary of why."""
    errors = schema_errors(tree, entry_name)
    if errors:
        more = f" (+{len(errors) - 3} weitere)" if len(errors) > 3 else ""
        raise InvalidInput(f"{what} verletzt das xdomea-3.0.0-Schema: "
                           + "; ".join(errors[:3]) + more, code="XDOMEA_SCHEMA_INVALID")
