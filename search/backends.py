"""Choosing the backend from the settings."""
from functools import lru_cache

from django.conf import settings

from archive.errors import InvalidInput

from .backend import SearchBackend


@lru_cache(maxsize=1)
def get_backend() -> SearchBackend:
    name = settings.SEARCH_BACKEND
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend

        return TantivyBackend(settings.SEARCH_INDEX_DIR / "tantivy")
    raise InvalidInput(f"Unknown search backend {name!r}.", code="SEARCH_BACKEND_UNKNOWN")
