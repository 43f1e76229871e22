import pytest

from search.backends import get_backend

from .helpers import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request, settings, tmp_path):
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    get_backend.cache_clear()
    yield request.param
    get_backend.cache_clear()
