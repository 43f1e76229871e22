"""Test settings: a throw-away data directory shared with the worker and watcher processes
that end-to-end tests start, and the database chosen by REGISTRATUR_TEST_DATABASE_URL."""
import os
import tempfile

os.environ.setdefault("REGISTRATUR_DATA_DIR", tempfile.mkdtemp(prefix="registratur-test-"))
# Parallel test workers inherit the directory from the controller. Each needs its own: a
# shared broker queue, index or blob store lets one worker's processes act on another's jobs
# against the wrong database.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _xdist_worker and not os.environ["REGISTRATUR_DATA_DIR"].endswith(f"-{_xdist_worker}"):
    os.environ["REGISTRATUR_DATA_DIR"] = f"{os.environ['REGISTRATUR_DATA_DIR']}-{_xdist_worker}"
# The audit signing key lives outside the data dir by default (in ~/.config): tests keep it
# inside their own data dir instead, never in the real home nor shared between workers. Set
# in the environment so that child processes (worker, CLI) use the same key.
os.environ["REGISTRATUR_AUDIT_KEY_FILE"] = os.path.join(
    os.environ["REGISTRATUR_DATA_DIR"], "keys", "audit.pem")
os.environ.pop("REGISTRATUR_AUDIT_PUBLIC_KEY_FILE", None)
_test_db_url = os.environ.get("REGISTRATUR_TEST_DATABASE_URL")
if _test_db_url:
    os.environ["REGISTRATUR_DATABASE_URL"] = _test_db_url

from .env import ensure_data_dir  # noqa: E402

ensure_data_dir()  # what `registratur` does before Django is set up

from .settings import *  # noqa: E402,F403
from .settings import DATA_DIR, DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that worker processes started by tests see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OCR_JOBS = 2
# Unit tests drive the watcher pass by pass; two passes are enough for them.
WATCH_SETTLE_SECONDS = 0.0
# Tests render pages without running collectstatic first: plain (unhashed) names, served by
# whitenoise straight from the finders (web/static and the listed files of node_modules).
# tests/web/test_static_files.py runs collectstatic with the instance's manifest storage.
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The test client's login() calls authenticate() without a request, which axes refuses; the
# throttling tests (tests/web/test_login_throttling.py) switch it on. The second factor stays
# required: tests/conftest.py gives the demo's administrator and officer a confirmed device.
AXES_ENABLED = False
