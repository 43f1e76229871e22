"""Validation against the official 3.0.0 schemas. They are not part of this repository; the
setting XDOMEA_SCHEMA_DIR says where they are (by default ../shared/xdomea/3.0.0)."""
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from archive.errors import InvalidInput

ENTRY = "xdomea-Nachrichten-AussonderungDurchfuehren.xsd"


def schema_dir() -> Path:
    return Path(settings.XDOMEA_SCHEMA_DIR)


def schema_available() -> bool:
    return (schema_dir() / ENTRY).is_file()


@lru_cache(maxsize=2)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def schema_errors(tree) -> list[str]:
    """Every schema violation as 'line N: message'; empty when valid."""
    schema = _schema(str(schema_dir() / ENTRY))
    if schema.validate(tree):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def schema_assert_valid(tree, *, what: str) -> None:
    """Refuse a message that violates the schema, with a short summary of why. Without the
    schemas installed nothing can be checked, and the structural parse must suffice."""
    if not schema_available():
        return
    errors = schema_errors(tree)
    if errors:
        more = f" (+{len(errors) - 3} weitere)" if len(errors) > 3 else ""
        raise InvalidInput(f"{what} verletzt das xdomea-3.0.0-Schema: "
                           + "; ".join(errors[:3]) + more, code="XDOMEA_SCHEMA_INVALID")
