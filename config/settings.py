"""Settings for every mode. Everything that differs between installations comes from
environment variables; the defaults give the embedded single-machine instance.

Importing this module creates nothing on disk: the entry points (`config.cli`, `config.wsgi`,
the test settings) call `config.env.ensure_data_dir()` first, which creates the data directory,
the generated secret key and the broker folders. Sections: Django and the instance, then one
section per app (archive, ingest, search, retention, web)."""
from datetime import timedelta
from pathlib import Path

import dj_database_url

from .directory import auth_ldap_settings, group_map, read_secret
from .env import (
    broker_folders,
    data_dir,
    env_bool,
    env_float,
    env_int,
    env_json,
    env_list,
    env_str,
    read_secret_key,
    upload_spool,
    uses_filesystem_broker,
)
from .oidc import oidc_settings

# ========================= Django and the instance =========================================
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
RUN_DIR = DATA_DIR / "run"
WORK_DIR = DATA_DIR / "work"

SECRET_KEY = env_str("REGISTRATUR_SECRET_KEY", "") or read_secret_key(DATA_DIR)
DEBUG = env_bool("REGISTRATUR_DEBUG", False)
ALLOWED_HOSTS = env_list("REGISTRATUR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, packaged for Python and served by whitenoise (no CDN)
    "drf_spectacular_sidecar",
    # Local accounts: TOTP second factor and login throttling (README "Accounts and second
    # factor").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "archive",
    "ingest",
    "search",
    "retention",
    "signoff",
    "desk",
    "followups",
    "identity",
    "webhooks",
    "oversight",
    "web",
]

MIDDLEWARE = [
    "web.middleware.HeadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (the policy is in the web section below).
    "csp.middleware.CSPMiddleware",
    # Static files (style sheets, fonts, scripts) carry no social data: whitenoise answers them
    # before the no-store rule below, with hashed names cached for good.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # --- local accounts: second factor, then login throttling --------------------------
    "django_otp.middleware.OTPMiddleware",
    "web.second_factor.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    # ------------------------------------------------------------------------------------
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "web.errors.ChannelMiddleware",
    "web.errors.DomainErrorMiddleware",
    "web.middleware.InputGuardMiddleware",
]
# No page may be framed; only the PDF rendition, which the document page embeds when its
# viewer cannot run, allows its own site (web/views/documents.py).
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.site",
            ],
        },
    },
]
# Forms are drawn by Jinja2 from Django's own form templates (the same markup): the Django
# template engine renders each field, label and widget as a template of its own, which was a
# quarter of the document page's time (bench/web, docs/performance.md).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# --- database: SQLite (WAL) embedded, PostgreSQL for multi-host -------------------------
DATABASE_URL = env_str("REGISTRATUR_DATABASE_URL", f"sqlite:///{DATA_DIR / 'registratur.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Several processes (web, worker, watcher) write: WAL lets readers go on, IMMEDIATE
        # takes the write lock up front so that concurrent writers wait instead of failing.
        # secure_delete: deleted content (a destroyed file's rows, a shredded key) is
        # overwritten in the file instead of lingering on free pages.
        # mmap_size: pages are read from a memory map of the file, not copied in by a system
        # call each. A connection lives for one request, so its own page cache starts empty
        # every time; the map makes that cheap (search p95 at 100,000 documents 4.9-5.4 ->
        # 4.5-4.7 ms, docs/performance.md). Writes still go through the journal.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA secure_delete=ON; "
                        f"PRAGMA mmap_size={env_int('REGISTRATUR_SQLITE_MMAP_MB', 1024) << 20};",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- local accounts: password policy, second factor, throttling -------------------------
# Wherever a password is set (administration pages, the one-time link, `registratur staff`).
# The messages are Django's own, translated to German by its catalogue.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("REGISTRATUR_PASSWORD_MIN_LENGTH", 12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Roles that must have a confirmed TOTP device before they can do anything else.
OTP_REQUIRED_ROLES = env_list("REGISTRATUR_OTP_REQUIRED_ROLES",
                              ["administrator", "data_protection"])
OTP_TOTP_ISSUER = env_str("REGISTRATUR_OTP_ISSUER", "Registratur")
# Failed logins are counted per account and, separately, per address; either one over the
# limit locks for the cool-off period. A success resets the count.
AXES_FAILURE_LIMIT = env_int("REGISTRATUR_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("REGISTRATUR_LOGIN_COOLOFF_MINUTES", 15.0))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.lockout.lockout_response"
# The address counted is REMOTE_ADDR alone. Behind the reverse proxy (README "HTTPS") waitress
# sets it from X-Forwarded-For, but only for requests from REGISTRATUR_TRUSTED_PROXY; it drops
# the header on every other request, so a client cannot choose its own address.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("REGISTRATUR_SESSION_SECONDS", 8 * 3600)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = env_str("REGISTRATUR_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("REGISTRATUR_LOG_LEVEL", "INFO")},
    # pikepdf announces its logger bridge at INFO when it is first imported: noise on every
    # command's stderr, where the first line is the error code a caller reads.
    "loggers": {"pikepdf": {"level": "WARNING"}},
}

# --- Celery: a broker without a server by default -----------------------------------------
CELERY_BROKER_URL = env_str("REGISTRATUR_BROKER_URL", "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if uses_filesystem_broker():
    # Queue and exchange table inside the data directory, created by ensure_data_dir().
    CELERY_BROKER_TRANSPORT_OPTIONS = {**broker_folders(DATA_DIR), "store_processed": False}
# Job state lives in the database, so task results are not stored.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis serves priority 0 first (kombu's steps 0, 3, 6, 9): new work is queued at 5, the job
# of a worker that died at 0 (ingest.jobs.RECOVERY_PRIORITY), so it does not wait behind a
# full queue. The filesystem broker has no priorities and keeps its order.
CELERY_TASK_DEFAULT_PRIORITY = 5
# A pool process keeps the heap of its largest job (rendered pages, a big PDF opened): one that
# grew past this is replaced after its task, so a long-running worker does not creep upwards.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("REGISTRATUR_WORKER_MAX_MEMORY_MB", 200) * 1024
CELERY_TASK_DEFAULT_QUEUE = "ingest"
CELERY_TASK_ROUTES = {"search.*": {"queue": "index"}, "ingest.*": {"queue": "ingest"}}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Each app's periodic tasks are added in its section below.
CELERY_BEAT_SCHEDULE = {}

# ========================= archive =========================================================
# Multi-host: every host names the same shared directory (NFS, CephFS, ...).
BLOB_DIR = Path(env_str("REGISTRATUR_BLOB_DIR", str(DATA_DIR / "blobs")))
BREAK_GLASS_HOURS = env_int("REGISTRATUR_BREAK_GLASS_HOURS", 4)
# Checkpoints belong outside the database, ideally on other storage than DATA_DIR.
CHECKPOINT_DIR = Path(env_str("REGISTRATUR_CHECKPOINT_DIR", str(DATA_DIR / "checkpoints")))
# The signing key must not sit beside the database it vouches for: whoever holds both can
# rewrite the log and sign the result. The default is the user's configuration directory.
_CONFIG_HOME = Path(env_str("XDG_CONFIG_HOME", "") or Path.home() / ".config")
AUDIT_KEY_FILE = Path(env_str("REGISTRATUR_AUDIT_KEY_FILE",
                              str(_CONFIG_HOME / "registratur" / "audit.pem"))).resolve()
# The public key `audit verify` trusts; the operator keeps a copy where the server cannot write
# (`registratur audit key --public`). Unset: the `.pub` written beside the private key.
AUDIT_PUBLIC_KEY_FILE = Path(env_str("REGISTRATUR_AUDIT_PUBLIC_KEY_FILE", "")
                             or AUDIT_KEY_FILE.with_suffix(".pub"))
# RFC 3161 time-stamping authority for checkpoints and transfer notes (issue 14.9). Unset:
# checkpoints are signed as before, without a timestamp, and the officer's page says so.
TSA_URL = env_str("REGISTRATUR_TSA_URL", "")
# The CA certificate(s), PEM, that verification trusts for the authority's signing certificate.
TSA_CA_FILE = env_str("REGISTRATUR_TSA_CA_FILE", "")
TSA_TIMEOUT_SECONDS = env_int("REGISTRATUR_TSA_TIMEOUT_SECONDS", 10)
# Log retention (issue 14.2): days the trail keeps entries of each kind
# (archive/trail_kinds.py); 0 keeps them for ever. Removal runs daily, in whole segments.
TRAIL_KEEP_ACCESS_DAYS = env_int("REGISTRATUR_TRAIL_KEEP_ACCESS_DAYS", 730)
TRAIL_KEEP_SEARCH_DAYS = env_int("REGISTRATUR_TRAIL_KEEP_SEARCH_DAYS", 365)
TRAIL_KEEP_ADMIN_DAYS = env_int("REGISTRATUR_TRAIL_KEEP_ADMIN_DAYS", 3650)
# How long a four-eyes approval of a trail analysis stays usable after it was granted.
TRAIL_ANALYSIS_APPROVAL_DAYS = env_int("REGISTRATUR_TRAIL_ANALYSIS_APPROVAL_DAYS", 14)
# Replacement scanning (issue 14.8): the share of scans per protection need that the mailroom
# checks visually before they are filed (percent; every Nth scan of that need), and the need
# of a scan whose type was not recognised (social data: at least "hoch").
SCAN_QA_RATES = {"normal": env_float("REGISTRATUR_SCAN_QA_RATE_NORMAL", 5.0),
                 "hoch": env_float("REGISTRATUR_SCAN_QA_RATE_HOCH", 20.0),
                 "sehr_hoch": env_float("REGISTRATUR_SCAN_QA_RATE_SEHR_HOCH", 100.0)}
SCAN_QA_UNCLASSIFIED_NEED = env_str("REGISTRATUR_SCAN_QA_UNCLASSIFIED_NEED", "hoch")
CELERY_BEAT_SCHEDULE.update({
    "archive-checkpoint": {"task": "archive.write_checkpoint", "schedule": 600.0},
    "archive-trail-retention": {"task": "archive.trail_retention", "schedule": 24 * 3600.0},
    "archive-fixity": {"task": "archive.fixity_check", "schedule": 24 * 3600.0},
    "archive-verify-trail": {"task": "archive.verify_trail", "schedule": 24 * 3600.0},
    "archive-finish-destruction": {"task": "archive.finish_destruction", "schedule": 3600.0},
})

# ========================= ingest ==========================================================
CONSUME_DIR = Path(env_str("REGISTRATUR_CONSUME_DIR", str(DATA_DIR / "consume"))).resolve()
OCR_LANGUAGES = env_list("REGISTRATUR_OCR_LANGUAGES", ["deu", "eng"])
OCR_JOBS = env_int("REGISTRATUR_OCR_JOBS", 0)  # 0: all cores
# Tesseract's orientation confidence above which a page is turned upright. OCRmyPDF's
# default (14) leaves short letters lying on their side (a half page of text scores 9-12);
# upright pages that tesseract misjudges score about 5 in our corpus.
OCR_ROTATE_PAGES_THRESHOLD = env_float("REGISTRATUR_OCR_ROTATE_THRESHOLD", 7.0)
INGEST_TIMEOUT_SECONDS = env_int("REGISTRATUR_INGEST_TIMEOUT", 900)
INGEST_MEMORY_MB = env_int("REGISTRATUR_INGEST_MEMORY_MB", 4096)
INGEST_MAX_BYTES = env_int("REGISTRATUR_INGEST_MAX_BYTES", 500 * 1024 * 1024)
# Uploads: a file over INGEST_MAX_BYTES is stopped while it arrives; larger files go to a
# temporary file inside the data directory (created by ensure_data_dir), never whole into
# memory; form fields besides files stay small.
FILE_UPLOAD_HANDLERS = [
    "ingest.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = str(upload_spool(DATA_DIR))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The default matches the references this system issues, e.g. 50.20.1-2025-000417.
FILE_REFERENCE_PATTERN = env_str(
    "REGISTRATUR_FILE_REFERENCE_PATTERN",
    r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){0,5})\s?-\s?(\d{4})\s?-\s?(\d{6})(?!\d)",
)
# /healthz calls a worker stale (and the instance degraded) after this long without a beat.
WORKER_STALE_SECONDS = env_float("REGISTRATUR_WORKER_STALE_SECONDS", 60.0)
# Bearer token for /metrics from other hosts; without it only localhost may scrape.
METRICS_TOKEN = env_str("REGISTRATUR_METRICS_TOKEN", "")
# A running job holds a short lease that the process running it renews every
# JOB_LEASE_SECONDS / 4 (ingest/leases.py); a job whose lease ran out lost its worker (killed,
# its host gone) and is queued again ahead of new post. Every write of the job is fenced by
# its claim, so a worker that merely stalled past its lease cannot file the job a second time.
JOB_LEASE_SECONDS = env_int("REGISTRATUR_JOB_LEASE_SECONDS", 20)
INGEST_RETRY_BASE_SECONDS = env_float("REGISTRATUR_INGEST_RETRY_BASE", 5.0)
# Recognition below this confidence goes to the mailroom inbox instead of being filed.
INGEST_AUTOFILE_CONFIDENCE = env_float("REGISTRATUR_AUTOFILE_CONFIDENCE", 0.8)
INGEST_MAX_PAGE_INCHES = env_float("REGISTRATUR_INGEST_MAX_PAGE_INCHES", 200.0)
INGEST_MAX_PIXELS = env_int("REGISTRATUR_INGEST_MAX_PIXELS", 300_000_000)
# Documents with more pages are refused at triage, before any page is rendered: OCR of a
# hostile 100,000-page PDF would otherwise run until the job's time limit.
INGEST_MAX_PAGES = env_int("REGISTRATUR_INGEST_MAX_PAGES", 2000)
LIBREOFFICE_BINARY = env_str("REGISTRATUR_LIBREOFFICE", "soffice")
# The hot folder: polled every WATCH_INTERVAL_SECONDS; a file is received once unchanged over
# two passes and WATCH_SETTLE_SECONDS; a hidden or temporary name unchanged for
# WATCH_TEMP_GRACE_SECONDS is reported on the quarantine page; a watcher without a pass for
# WATCH_STALE_SECONDS counts as stuck (pages warn, `registratur run` restarts it).
WATCH_INTERVAL_SECONDS = env_float("REGISTRATUR_WATCH_INTERVAL", 1.0)
WATCH_SETTLE_SECONDS = env_float("REGISTRATUR_WATCH_SETTLE_SECONDS", 2.0)
WATCH_TEMP_GRACE_SECONDS = env_float("REGISTRATUR_WATCH_TEMP_GRACE_SECONDS", 900.0)
WATCH_STALE_SECONDS = env_float("REGISTRATUR_WATCH_STALE_SECONDS", 120.0)
# Hot-folder subfolders routed to a unit or case file, e.g.
# {"sachgebiet-a": {"unit": "A"}, "akte-417": {"case_file": "50.20.1-2025-000417"}}
HOTFOLDER_ROUTES = env_json("REGISTRATUR_HOTFOLDER_ROUTES", {})
# IMAP polling (off unless a host is set): imaps://user:password@host:port/INBOX
IMAP_URL = env_str("REGISTRATUR_IMAP_URL", "")
IMAP_POLL_SECONDS = env_float("REGISTRATUR_IMAP_POLL_SECONDS", 60.0)
CELERY_BEAT_SCHEDULE["ingest-requeue-stale-jobs"] = {"task": "ingest.requeue_stale_jobs",
                                                     "schedule": 60.0}
# The learned classifier, trained nightly from the day's filed and confirmed post.
CELERY_BEAT_SCHEDULE["ingest-train-classifier"] = {"task": "ingest.train_classifier",
                                                   "schedule": 24 * 3600.0}
if IMAP_URL:
    CELERY_BEAT_SCHEDULE["ingest-poll-imap"] = {"task": "ingest.poll_imap",
                                                "schedule": IMAP_POLL_SECONDS}

# ========================= search ==========================================================
SEARCH_BACKEND = env_str("REGISTRATUR_SEARCH_BACKEND", "tantivy")
SEARCH_INDEX_DIR = DATA_DIR / "index"
# Counts are exact up to this many matches and "more than" beyond (what search engines do
# by default): PostgreSQL then stops reading a common word's matches.
SEARCH_COUNT_LIMIT = env_int("REGISTRATUR_SEARCH_COUNT_LIMIT", 10_000)
# A purge whose queued task ran out of retries (an old transaction held PostgreSQL back)
# is still pending; nothing else would start it again.
CELERY_BEAT_SCHEDULE["search-purge-pending"] = {"task": "search.purge_documents",
                                                "schedule": 3600.0}

# ========================= followups =======================================================
# Deadlines (Fristenwächter): an end on a public holiday of this federal state moves to the
# next working day (§ 64 Abs. 3 SGG); deadlines ending within DEADLINE_WARN_DAYS are warned of.
DEADLINE_HOLIDAY_STATE = env_str("REGISTRATUR_HOLIDAY_STATE", "BY")
DEADLINE_WARN_DAYS = env_int("REGISTRATUR_DEADLINE_WARN_DAYS", 14)
# Due follow-ups are announced (the follow_up_due signal: webhooks) by this hourly run.
CELERY_BEAT_SCHEDULE["followups-announce-due"] = {"task": "followups.announce_due",
                                                  "schedule": 3600.0}

# ========================= webhooks ========================================================
# Signed POSTs to subscribed specialist procedures; a dead subscriber never blocks filing.
WEBHOOK_TIMEOUT_SECONDS = env_int("REGISTRATUR_WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = env_int("REGISTRATUR_WEBHOOK_MAX_ATTEMPTS", 10)
CELERY_BEAT_SCHEDULE["webhooks-retry-due"] = {"task": "webhooks.retry_due", "schedule": 60.0}
CELERY_TASK_ROUTES["webhooks.*"] = {"queue": "index"}

# ========================= retention =======================================================
CELERY_BEAT_SCHEDULE.update({
    "retention-nightly": {"task": "retention.nightly", "schedule": 24 * 3600.0},
    "retention-execute-approved": {"task": "retention.execute_approved", "schedule": 3600.0},
    # Finished inspection and court packages past DISCLOSURE_PACKAGE_DAYS are deleted.
    "retention-expire-packages": {"task": "retention.expire_disclosure_packages",
                                  "schedule": 3600.0},
    # A package build whose worker died is queued again (retention/services/disclosure_jobs).
    "retention-recover-packages": {"task": "retention.recover_disclosure_builds",
                                   "schedule": 60.0},
})
# Inspection and court packages are built by the worker and kept here, private to the service
# account and served only through the download view, for DISCLOSURE_PACKAGE_DAYS after they
# are finished. Multi-host: a directory every host mounts, like the blobs.
DISCLOSURE_PACKAGE_DIR = Path(env_str("REGISTRATUR_DISCLOSURE_PACKAGE_DIR",
                                      str(DATA_DIR / "packages")))
DISCLOSURE_PACKAGE_DAYS = env_int("REGISTRATUR_DISCLOSURE_PACKAGE_DAYS", 7)
# xdomea Aussonderung: the official 3.0.0 schemas (shipped in retention/xdomea/schemas/3.0.0,
# the default) and the two parties.
XDOMEA_SCHEMA_DIR = Path(env_str("REGISTRATUR_XDOMEA_SCHEMA_DIR", str(
    BASE_DIR / "retention" / "xdomea" / "schemas" / "3.0.0")))
XDOMEA_SENDER_ID = env_str("REGISTRATUR_XDOMEA_SENDER_ID", "registratur")
XDOMEA_SENDER_NAME = env_str("REGISTRATUR_XDOMEA_SENDER_NAME", "Sozialamt")
XDOMEA_ARCHIVE_ID = env_str("REGISTRATUR_XDOMEA_ARCHIVE_ID", "archiv")
XDOMEA_ARCHIVE_NAME = env_str("REGISTRATUR_XDOMEA_ARCHIVE_NAME", "Stadtarchiv")
# The letterhead of letters to data subjects (the Art. 15 report): the authority's name, its
# address and its data-protection contact, lines separated by "|".
AUTHORITY_NAME = env_str("REGISTRATUR_AUTHORITY_NAME", "Stadt Musterstadt · Sozialamt")
AUTHORITY_ADDRESS = [line.strip() for line in env_str(
    "REGISTRATUR_AUTHORITY_ADDRESS", "Rathausplatz 1|12345 Musterstadt").split("|") if line.strip()]
AUTHORITY_CONTACT = [line.strip() for line in env_str(
    "REGISTRATUR_AUTHORITY_CONTACT", "").split("|") if line.strip()]

# ========================= desk ============================================================
# The caseworker's desk ("Mein Arbeitsplatz") and its optional e-mail digest (counts and a
# link only), sent hourly to whoever's last digest is older than DESK_DIGEST_HOURS; a failed
# delivery is tried again at the next run.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("REGISTRATUR_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("REGISTRATUR_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("REGISTRATUR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("REGISTRATUR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("REGISTRATUR_EMAIL_STARTTLS", False)
EMAIL_TIMEOUT = env_int("REGISTRATUR_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("REGISTRATUR_EMAIL_FROM", "registratur@localhost")
# The address people open the instance at, for the link in the digest.
SITE_URL = env_str("REGISTRATUR_SITE_URL", "http://127.0.0.1:8000")
DESK_DIGEST_HOURS = env_int("REGISTRATUR_DESK_DIGEST_HOURS", 24)
CELERY_BEAT_SCHEDULE["desk-send-digests"] = {"task": "desk.send_digests", "schedule": 3600.0}

# ========================= oversight =======================================================
# Misuse alerts: the scan runs every OVERSIGHT_SCAN_SECONDS; readers are shown as an HMAC of
# their user name under this key (default: the secret key) until the officer opens an alert.
OVERSIGHT_SCAN_SECONDS = env_float("REGISTRATUR_OVERSIGHT_SCAN_SECONDS", 3600.0)
OVERSIGHT_PSEUDONYM_KEY = env_str("REGISTRATUR_OVERSIGHT_KEY", "")
CELERY_BEAT_SCHEDULE["oversight-scan-alerts"] = {"task": "oversight.scan_alerts",
                                                 "schedule": OVERSIGHT_SCAN_SECONDS}

# ========================= web =============================================================
WEB_HOST = env_str("REGISTRATUR_HOST", "127.0.0.1")
WEB_PORT = env_int("REGISTRATUR_PORT", 8000)
# `registratur serve`: web processes. One is waitress with threads; several are gunicorn's
# pre-forked workers sharing the socket, so that pages can use every core (Python renders one
# request at a time per process). One by default until several are shown faster on an idle
# machine (docs/performance.md, 2026-12-03: on a busy one they were slower).
WEB_PROCESSES = env_int("REGISTRATUR_WEB_PROCESSES", 1)
# Lists (inbox, quarantine, new post) show this many entries per page.
WEB_LIST_PAGE_SIZE = env_int("REGISTRATUR_WEB_PAGE_SIZE", 50)
# Where accessibility feedback goes (an e-mail address or a postal address; unset: the
# statement says to ask the authority). AUTHORITY_NAME (above) heads every page.
ACCESSIBILITY_CONTACT = env_str("REGISTRATUR_ACCESSIBILITY_CONTACT", "")
# Static files: the site's own (web/static) and the few files of the npm packages the pages
# use (web/staticfiles.py lists them; `npm ci` puts them in node_modules). `registratur run`
# and `registratur collectstatic` copy them to STATIC_ROOT under content-hashed names, which
# whitenoise serves compressed and cacheable for good.
NODE_MODULES_DIR = Path(env_str("REGISTRATUR_NODE_MODULES", str(BASE_DIR / "node_modules")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("REGISTRATUR_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "web.staticfiles.NodeModulesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# No other site loads these files: no Access-Control-Allow-Origin header.
WHITENOISE_ALLOW_ALL_ORIGINS = False
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "web.api.tokens.ServiceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # HTTP Basic with a staff password: only when REGISTRATUR_API_BASIC_AUTH=1.
        *(["rest_framework.authentication.BasicAuthentication"]
          if env_bool("REGISTRATUR_API_BASIC_AUTH", False) else []),
    ],
    # A service token answers only for the units and actions it is scoped to.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "web.api.tokens.TokenScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "web.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Registratur API",
    "DESCRIPTION": "E-Akte for social-services departments. Every read is permission-checked "
                   "and logged; objects a user may not see answer 404.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "OAS_VERSION": "3.1.0",
    # /api/docs/: Swagger UI from drf-spectacular-sidecar's static files, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its errors: RFC 9457 problem details with the stable code.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "web.api.schema.problem_responses"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Denied by default, the schema too.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Content-Security-Policy (django-csp): scripts, styles, fonts and frames from the site
# itself only. No page has an inline script, inline event handler or style attribute
# (tests/e2e/test_content_security_policy.py reads every template; the accessibility walk
# records anything blocked on every page); the viewer draws with pdf.js in a module
# worker loaded from the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- HTTPS behind a reverse proxy (README "HTTPS", deploy/nginx/registratur.conf) ----------
# REGISTRATUR_HTTPS=1: the instance is reached only through the TLS proxy; `registratur
# check --deploy` is clean. The proxy's address is the one peer whose X-Forwarded-For and
# X-Forwarded-Proto waitress believes (config: `registratur serve`); from any other peer
# waitress removes these headers. So the client address (login throttling, the trail) and
# the scheme (secure cookies, redirects) come from the proxy alone, and no
# SECURE_PROXY_SSL_HEADER is needed: waitress sets wsgi.url_scheme itself.
HTTPS = env_bool("REGISTRATUR_HTTPS", False)
TRUSTED_PROXY = env_str("REGISTRATUR_TRUSTED_PROXY", "127.0.0.1" if HTTPS else "")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # No script reads the CSRF cookie: pages send the token from their form or a data field.
    CSRF_COOKIE_HTTPONLY = True
    SECURE_SSL_REDIRECT = True
    # Monitoring on the server itself asks the application server directly, over HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("REGISTRATUR_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("REGISTRATUR_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("REGISTRATUR_HSTS_PRELOAD", True)
    SITE_URL = env_str("REGISTRATUR_SITE_URL", "https://localhost")

# ========================= directory login (web/directory.py, web/login.py) ================
# Local accounts (password in the Registratur) always work; with REGISTRATUR_LDAP_URI set,
# staff sign in with their account in the city's directory too (OpenLDAP, or Active
# Directory through LDAP). README "Directory login" has the recipe.
# axes (first) refuses a locked-out account or address before any password is tried
# (README "Accounts and second factor").
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "web.directory.LocalPasswordBackend"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "web.login.DirectorySessionMiddleware")
LDAP_SERVER_URI = env_str("REGISTRATUR_LDAP_URI", "")
# Directory group DN -> role (first listed wins) and -> unit code(s): inline JSON or the path
# of a JSON or TOML file.
LDAP_ROLE_MAP = group_map(env_str("REGISTRATUR_LDAP_ROLE_MAP", ""))
LDAP_UNIT_MAP = group_map(env_str("REGISTRATUR_LDAP_UNIT_MAP", ""))
# A directory session is confirmed with the directory again after this many seconds.
LDAP_RECHECK_SECONDS = env_int("REGISTRATUR_LDAP_RECHECK_SECONDS", 300)
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS.append("web.directory.DirectoryBackend")
    # The AUTH_LDAP_* settings of django-auth-ldap (config/directory.py).
    globals().update(auth_ldap_settings(
        uri=LDAP_SERVER_URI,
        bind_dn=env_str("REGISTRATUR_LDAP_BIND_DN", ""),
        bind_password=read_secret(env_str("REGISTRATUR_LDAP_BIND_PASSWORD", ""),
                                  env_str("REGISTRATUR_LDAP_BIND_PASSWORD_FILE", "")),
        user_base=env_str("REGISTRATUR_LDAP_USER_BASE", ""),
        user_filter=env_str("REGISTRATUR_LDAP_USER_FILTER", "(uid=%(user)s)"),
        group_base=env_str("REGISTRATUR_LDAP_GROUP_BASE", ""),
        group_type=env_str("REGISTRATUR_LDAP_GROUP_TYPE", "groupOfNames"),
        group_filter=env_str("REGISTRATUR_LDAP_GROUP_FILTER", ""),
        start_tls=env_bool("REGISTRATUR_LDAP_START_TLS", False),
        ca_file=env_str("REGISTRATUR_LDAP_CA_FILE", ""),
        timeout=env_int("REGISTRATUR_LDAP_TIMEOUT", 10),
    ))

# ========================= OpenID Connect login (web/oidc.py) ===============================
# A second, optional way in: with REGISTRATUR_OIDC_ISSUER set, the login page offers
# "Anmelden mit <provider name>" (mozilla-django-oidc, authorization code with PKCE). The
# groups claim maps to roles and units like the directory's groups. README "OpenID Connect".
OIDC_ENABLED = False
OIDC_PROVIDER_NAME = ""
# Claim value -> role (first listed wins) and -> unit code(s): inline JSON or a JSON/TOML file.
OIDC_ROLE_MAP = group_map(env_str("REGISTRATUR_OIDC_ROLE_MAP", ""))
OIDC_UNIT_MAP = group_map(env_str("REGISTRATUR_OIDC_UNIT_MAP", ""))
OIDC_GROUPS_CLAIM = env_str("REGISTRATUR_OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = env_str("REGISTRATUR_OIDC_USERNAME_CLAIM", "preferred_username")
# Authentication methods (the ID token's "amr") that count as the second factor for roles
# that need one; empty: those roles enter their TOTP code here after the provider's login.
OIDC_MFA_AMR = env_list("REGISTRATUR_OIDC_MFA_AMR", [])
if env_str("REGISTRATUR_OIDC_ISSUER", ""):
    AUTHENTICATION_BACKENDS.append("web.oidc.OIDCBackend")
    # The OIDC_* settings of mozilla-django-oidc (config/oidc.py).
    globals().update(oidc_settings(
        issuer=env_str("REGISTRATUR_OIDC_ISSUER", ""),
        provider_name=env_str("REGISTRATUR_OIDC_NAME", ""),
        client_id=env_str("REGISTRATUR_OIDC_CLIENT_ID", ""),
        client_secret=read_secret(env_str("REGISTRATUR_OIDC_CLIENT_SECRET", ""),
                                  env_str("REGISTRATUR_OIDC_CLIENT_SECRET_FILE", "")),
        authorization_endpoint=env_str("REGISTRATUR_OIDC_AUTHORIZATION_ENDPOINT", ""),
        token_endpoint=env_str("REGISTRATUR_OIDC_TOKEN_ENDPOINT", ""),
        userinfo_endpoint=env_str("REGISTRATUR_OIDC_USERINFO_ENDPOINT", ""),
        jwks_endpoint=env_str("REGISTRATUR_OIDC_JWKS_ENDPOINT", ""),
        sign_algo=env_str("REGISTRATUR_OIDC_SIGN_ALGO", "RS256"),
        scopes=env_str("REGISTRATUR_OIDC_SCOPES", "openid profile email"),
        ca_file=env_str("REGISTRATUR_OIDC_CA_FILE", ""),
        timeout=env_int("REGISTRATUR_OIDC_TIMEOUT", 10),
    ))
