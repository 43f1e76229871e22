"""Choosing the backend from the settings (REGISTRATUR_SEARCH_BACKEND)."""
from functools import lru_cache

from django.conf import settings
from django.db import connection

from archive.errors import InvalidInput

from .backend import SearchBackend

NAMES = ("tantivy", "whoosh", "postgres")


def backend_for(name: str) -> SearchBackend:
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend

        return TantivyBackend(settings.SEARCH_INDEX_DIR / "tantivy")
    if name == "whoosh":
        from .whoosh_backend import WhooshBackend

        return WhooshBackend(settings.SEARCH_INDEX_DIR / "whoosh")
    if name == "postgres":
        if connection.vendor != "postgresql":
            raise InvalidInput("The postgres search backend needs a PostgreSQL database.",
                               code="SEARCH_BACKEND_UNAVAILABLE")
        from .postgres_backend import PostgresBackend

        return PostgresBackend()
    raise InvalidInput(f"Unknown search backend {name!r}.", code="SEARCH_BACKEND_UNKNOWN")


@lru_cache(maxsize=1)
def get_backend() -> SearchBackend:
    return backend_for(settings.SEARCH_BACKEND)
