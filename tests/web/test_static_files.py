"""Static files as an instance serves them: `registratur run` collects them under
content-hashed names (whitenoise's manifest storage), pages name the hashed files, and
whitenoise answers them cacheable for good, while pages stay no-store.

The other tests render pages with the plain storage straight from the finders
(config/settings_test.py); this one runs the instance's path."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from web.staticfiles import missing_vendor_files, vendor_files

pytestmark = pytest.mark.django_db
INSTANCE_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def test_the_listed_files_of_node_modules_are_installed():
    assert missing_vendor_files() == [], "run `npm ci --omit=optional` (make test does)"
    found = vendor_files()
    assert {"vendor/kern/kern.min.css", "vendor/kern/fonts/fira-sans.css",
            "vendor/htmx/htmx.min.js", "vendor/pdfjs/build/pdf.min.mjs",
            "vendor/pdfjs/build/pdf.worker.min.mjs", "vendor/kern/LICENSE.md"} <= set(found)
    # Only what pages load: no sources, maps or test tools.
    assert not [path for path in found if path.endswith(".map") or "axe" in path]


@pytest.fixture
def collected(tmp_path):
    root = tmp_path / "static"
    with override_settings(STATIC_ROOT=root,
                           STORAGES={**settings.STORAGES, "staticfiles": INSTANCE_STORAGE},
                           WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield root


def test_pages_name_hashed_files_that_whitenoise_serves_cacheable(collected: Path):
    page = Client().get("/anmelden/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in urls}
    assert {"/static/vendor/kern/kern.min.css", "/static/web/registratur.css",
            "/static/vendor/htmx/htmx.min.js"} <= names
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", url) for url in urls), urls
    for url in urls:
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "immutable" in cache and "no-store" not in cache, (url, cache)
        assert "Pragma" not in response
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.get("Content-Encoding") == "gzip", url
    # The fonts the KERN style sheet names were rewritten to their hashed names too.
    fonts_css = next(url for url in urls if "fira-sans" in url)
    body = b"".join(Client().get(fonts_css).streaming_content).decode()
    font = re.search(r'url\("([^"]+\.woff2)"\)', body).group(1)
    assert re.search(r"\.[0-9a-f]{12}\.woff2$", font)
    assert (collected / "vendor/kern/fonts" / font).is_file()


def test_an_unknown_static_file_is_not_found(collected: Path):
    assert Client().get("/static/vendor/axe-core/axe.min.js").status_code == 404
    assert Client().get("/static/../config/settings.py").status_code == 404
