"""The pages under their Content-Security-Policy (scripts, styles and frames from the site
only), in a real browser: nothing is blocked, the pdf.js viewer draws, and the document page
follows a running redaction from its static script (it used to be an inline one). Every
template is also read for inline scripts, event handlers and style attributes, which the
policy would block."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from archive.actors import system_actor
from archive.blobstore import blob_put_file
from archive.services.documents import document_file_new
from ingest.models import RedactionJob, RedactionState
from tests.archive.helpers import content
from tests.browser import CHROMIUM, wait_until
from tests.conftest import DEMO_PASSWORD, user
from tests.fixtures.born_digital import born_digital_pdf

LINES = ["Bescheid über Leistungen", "Vermieter Zahlbetrag Kontoinhaber"]
# Inline code in a template: a <script> without src, an on...= handler, a style attribute,
# a <style> element or a javascript: address.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b"
    r"|javascript:",
    re.IGNORECASE,
)
NO_BROWSER = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (scripts/ensure-system-packages --test)"
)


def test_no_template_has_inline_script_handlers_or_styles():
    templates = [
        path
        for app in (
            "web",
            "signoff",
            "desk",
            "followups",
            "identity",
            "archive",
            "ingest",
            "search",
            "retention",
        )
        for path in (Path(settings.BASE_DIR) / app).rglob("templates/**/*.html")
    ]
    assert len(templates) > 50
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in templates
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def _watch(context):
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " (window.__cspViolations = window.__cspViolations || [])"
        "   .push(e.violatedDirective + ' ' + e.blockedURI); });"
    )


@NO_BROWSER
@pytest.mark.e2e
def test_the_document_page_runs_under_its_policy(demo_tx, live_server, browser, tmp_path):
    pdf = born_digital_pdf(tmp_path / "bescheid.pdf", LINES)
    stored = blob_put_file(pdf)
    document = document_file_new(
        content=replace(
            content("\n".join(LINES)),
            original_sha256=stored.sha256,
            original_size=stored.size,
            rendition_sha256=stored.sha256,
        ),
        case_file=demo_tx["A"],
        title="Bescheid",
        received_at=timezone.now(),
        actor=system_actor("system", "test"),
    )
    job = RedactionJob.objects.create(
        document=document, requested_by=user("sachbearbeitung-a"), version=1, reason="Bankdaten"
    )
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    _watch(context)
    page = context.new_page()
    path = f"/dokumente/{document.pk}/"
    page.goto(path)
    page.fill("input[name=username]", "sachbearbeitung-a")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    policy = page.request.get(live_server.url + path).headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy

    # pdf.js (a module and its worker, from the site) draws the page.
    expect(page.locator("#viewer .viewer-page canvas")).to_have_count(1, timeout=30_000)
    # The running redaction is polled; when it ends, the page says so and offers a reload.
    expect(page.locator("#redaction .state")).to_contain_text("wartet")
    RedactionJob.objects.filter(pk=job.pk).update(state=RedactionState.DONE, result_version=2)
    expect(page.locator("#redaction .state")).to_contain_text(
        "fertig – die geschwärzte Fassung ist Version 2.", timeout=15_000
    )
    expect(page.locator("#redaction .state a")).to_have_text("Seite neu laden")

    for other in ("/", "/posteingang/hochladen/"):
        page.goto(other)
        page.wait_for_load_state("networkidle")
    assert _violations(page) == []
    context.close()


@NO_BROWSER
@pytest.mark.e2e
def test_a_blocked_inline_script_is_reported(demo_tx, live_server, browser):
    """The watch above can fail: an inline script injected into a page is blocked and
    reported."""
    context = browser.new_context(base_url=live_server.url)
    _watch(context)
    page = context.new_page()
    page.goto("/anmelden/")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.body.appendChild(s); }""")
    wait_until(page, "(window.__cspViolations || []).length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in _violations(page))
    context.close()
