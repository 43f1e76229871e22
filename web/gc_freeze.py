"""Long-lived objects out of the garbage collector's way, for the web processes.

A full collection walks every object the process holds: Django, the URL configuration with
all its views, the PDF, signature and search libraries; about 220,000 objects after
start-up, 110-130 ms on the 2-core machines we measure on. It runs with the GIL held, so
every request in flight waits for it, and under ten users these pauses set the web pages'
p95 (docs/performance.md, "Web pages under load"). Objects that live as long as the process
need never be collected: `gc.freeze()` moves them to a generation the collector skips.
"""
import gc

from django.urls import get_resolver


def long_lived_frozen(application):
    """Freeze what start-up made, after loading the URL configuration (which imports every
    view), and return the application unchanged. Later garbage is collected as before."""
    get_resolver().reverse_dict  # noqa: B018 (populating it imports the views)
    gc.collect()  # start-up's garbage is collected, not frozen
    gc.freeze()
    return application
