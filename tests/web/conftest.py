import pytest


@pytest.fixture(autouse=True)
def desk_notice_on_every_page(monkeypatch):
    """The header's desk count is kept for a minute in the session; the page tests count a
    page's queries request by request, so here every page draws it afresh (the keeping
    itself has its own test, which sets the minute back)."""
    from web import context_processors

    monkeypatch.setattr(context_processors, "NOTICE_SECONDS", 0)
