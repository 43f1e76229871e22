"""Search latency for Prometheus. Kept in the process that searches (the web server, one
process with threads), and handed to the web's /metrics registry. The only label is the
backend's name, from a fixed list: never the query or the user."""
import functools
import time

from django.conf import settings
from prometheus_client import Histogram

from .backends import NAMES

# registry=None: the web registers it in its own registry (no global state in tests).
SEARCH_SECONDS = Histogram(
    "registratur_search_seconds", "Time to answer one search, permission filter included.",
    ["backend"], registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def backend_label() -> str:
    return settings.SEARCH_BACKEND if settings.SEARCH_BACKEND in NAMES else "other"


def search_timed(function):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SEARCH_SECONDS.labels(backend=backend_label()).observe(
                time.perf_counter() - started)
    return timed
