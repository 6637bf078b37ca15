"""Settings shared by every environment. Everything that differs between machines
comes from the environment (or a `.env` file at the project root)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
import jinja2

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # git-ignored: the SQLite file, embedded Redis, snapshots

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded Redis that `make run` (python manage.py rundesk) starts listens here.
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis" / "redis.sock"

SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Who publishes the fact-checks: used as ClaimReview `author` and in reports.
ORGANISATION_NAME = env("ORGANISATION_NAME", default="Factcheck Desk")
# Absolute base for links that leave the site (exports, feeds, JSON-LD, reports, emails).
# `manage.py rundesk --addrport` sets it to the address it serves; set it yourself when the
# desk is reached under another name (a proxy, a public host name, HTTPS).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ORGANISATION_URL = env("ORGANISATION_URL", default=SITE_URL + "/")
# Notification emails (verdict sent back, approved, published; claim assigned).
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="factcheck@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "claims",
    "public",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An empty 405 (a form's address opened in the browser) becomes a page of words.
    "factcheck.middleware.MethodNotAllowedPageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into a clear response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.context_processors.desk",
            ],
        },
    },
    # Jinja2, Django's documented second engine, for the list tables' markup (templates/
    # jinja2/tables/, factcheck/jinja.py): each table names its template (Meta.template_name)
    # and django-tables2's {% render_table %} renders it. StrictUndefined: a misspelt name
    # fails in the tests instead of rendering as nothing.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "factcheck.jinja.environment",
            "undefined": jinja2.StrictUndefined,
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'factcheck.sqlite3'}")
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first, as Django recommends: memory-hard, and half the CPU of PBKDF2's million
# rounds per sign-in here (115 vs 238 ms), which matters when a newsroom signs in at 9am.
# Hashes made with the others are still accepted and upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Throttles login attempts: after AXES_FAILURE_LIMIT failures for one username from one
    # address, that pair is locked out for AXES_COOLOFF_TIME.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading permissions in one query (factcheck/auth.py).
    "factcheck.auth.DeskModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: articles arrive as .txt/.html files; anything bigger is refused with a message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ARTICLE_UPLOAD_MAX_BYTES = env.int("ARTICLE_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)

# Content-Security-Policy: no inline or eval'd scripts anywhere (all JS is in static files);
# inline styles are allowed because htmx injects its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- The API (api/, /api/v1/) ---------------------------------------------------------------
# Django REST framework. Sessions are not an API authentication: the desk's pages and the API
# are separate doors (tokens for the API; the HTML forms keep their CSRF check).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
    ],
    # JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE, nested at most 64 levels (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    # Personal API tokens only (api/authentication.py): no session, so no CSRF-free door
    # into the desk's forms, and no ambient credentials for the API.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    # A token, and scopes that cover the method (read for GET, write for the others); the
    # user's own permissions still apply below, in the services.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.HasTokenScope",
    ],
    # Fixed windows in Redis (per-process counters while Redis is down): api/throttling.py.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_TOKEN", default="600/minute"),
        "anon": env("API_RATE_ANON", default="60/minute"),
    },
    # How many proxies in front of the web server append to X-Forwarded-For; the anonymous
    # limit counts per address, and 0 trusts no header (a client could forge it).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Keyset pages on each list's indexed order (api/pagination.py); the claims list takes
    # the claims table's own FilterSet; refusals keep the services' words (api/exceptions.py).
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": "The fact-checking desk's API: articles, claims, sources, evidence, "
    "verdicts and their workflow, published fact-checks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page's assets come from the desk (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API reads a PATCH body whole, with its required fields (a claim's `version`): the
    # schema says so, with no "Patched" copy that would make them optional.
    "COMPONENT_SPLIT_PATCH": False,
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "claims.choices.ArticleStatus",
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "SourceStatusEnum": "claims.choices.SourceStatus",
        "CaptureStatusEnum": "claims.choices.CaptureStatus",
        "FetchErrorKindEnum": "claims.choices.FetchErrorKind",
        "VerdictStateEnum": "claims.choices.VerdictState",
        "StanceEnum": "claims.choices.Stance",
        "ClaimantKindEnum": "claims.choices.ClaimantKind",
    },
    # Every operation documents the refusals any request can meet (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
}

# --- Already fact-checked: matching (claims/factchecks/) ------------------------------------
# With the embeddings extra, a desk page encodes at most this many fact-checks that have no
# vector yet; past that it matches by words alone until import_factchecks or the feed worker
# has encoded them (claims.factchecks.matching.warm), so no page waits minutes for a model.
FACTCHECK_ENCODE_LIMIT = env.int("FACTCHECK_ENCODE_LIMIT", default=200)
# The sentence encoder matching uses with the embeddings extra: all-MiniLM-L6-v2 fine-tuned on
# the CLEF-2020 training pairs when `make train-matching` has built it here (about 90 MB, not
# committed), else the stock model. The saved vectors record which encoder made them.
FACTCHECK_ENCODER_PATH = Path(env("FACTCHECK_ENCODER_PATH",
                                  default=str(VAR_DIR / "factcheck-encoder")))
# With the embeddings extra, a cross-encoder that `make train-crossencoder` has built here
# (about 90 MB, not committed) re-reads the re-ranker's best few candidates with the claim;
# without it, matching stops at the re-ranker.
FACTCHECK_CROSSENCODER_PATH = Path(env("FACTCHECK_CROSSENCODER_PATH",
                                       default=str(VAR_DIR / "factcheck-crossencoder")))

# --- Redis and Celery -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default=f"redis+socket://{EMBEDDED_REDIS_SOCKET}")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker processes: fetching mostly waits on the network, so several per core keep the CPUs
# busy (benchmarks/fetch_bench.py: 4 per core reach 20+ sources/s on 2 cores).
CELERY_WORKER_CONCURRENCY = env.int(
    "CELERY_WORKER_CONCURRENCY", default=4 * (os.cpu_count() or 1)
)
# A worker process that has grown past this (KiB; Celery's unit) is replaced after its
# current task, so memory one task took is given back to the machine.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD",
                                             default=512 * 1024)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Retry countdowns stay well below this, so Redis never redelivers a task that is only waiting.
# A broker that does not answer is given up on after BROKER_CONNECT_TIMEOUT seconds: an
# editor's request that enqueues work must answer within 2 s with Redis down (the row waits
# for the sweeper). Only the connect is bounded: a worker's blocking read must not time out.
BROKER_CONNECT_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=0.5)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
# The result store: Celery's default is 20 reconnect attempts a second apart, which held
# a request 20 s when Redis was down. The desk never waits on a result in a request (the
# tasks it enqueues store none), so a dead result store is given up on at once.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                     "interval_max": 0.2},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "refresh-desk-stats": {
        "task": "claims.tasks.refresh_desk_stats",
        "schedule": 60.0,
    },
    "sweep-stuck-sources": {
        "task": "claims.tasks.sweep_stuck_sources",
        "schedule": 120.0,
    },
    "sweep-webhook-deliveries": {
        # Retries whose wait is longer than a broker countdown should be, and deliveries
        # whose message was lost: each subscription's oldest pending delivery, when due.
        "task": "claims.tasks.sweep_webhook_deliveries",
        "schedule": 60.0,
    },
    "recheck-cited-sources": {
        # Runs every six hours; each run re-captures the cited sources that are due
        # (FETCH_RECHECK_AFTER_DAYS, weekly by default), spreading the load.
        "task": "claims.tasks.recheck_cited_sources",
        "schedule": 6 * 3600.0,
    },
    "enqueue-due-factcheck-feeds": {
        # Each feed has its own interval (FactCheckFeed.interval_hours); this only looks
        # for the ones that are due.
        "task": "claims.tasks.enqueue_due_factcheck_feeds",
        "schedule": 600.0,
    },
}

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The shared cache lives in the same Redis; a cache outage degrades to recomputing.
_cache_url = REDIS_URL
if _cache_url.startswith("redis+socket://"):
    _cache_url = "unix://" + _cache_url.removeprefix("redis+socket://")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_url,
        "KEY_PREFIX": "factcheck",
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
}

# --- Fetching ---------------------------------------------------------------------------
# Private hosts the fetcher may reach: for tests and local demos only (production refuses it).
FETCH_ALLOWED_PRIVATE_HOSTS = env.list("FETCH_ALLOWED_PRIVATE_HOSTS", default=[])
FETCH_ALLOWED_PORTS = env.list("FETCH_ALLOWED_PORTS", cast=int, default=[80, 443])
FETCH_USER_AGENT = env(
    "FETCH_USER_AGENT",
    default="factcheck/0.1 (+https://github.com/factcheck-desk/factcheck; "
    "fact-checking source capture)",
)
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=10.0)
FETCH_TOTAL_DEADLINE = env.float("FETCH_TOTAL_DEADLINE", default=30.0)
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=10 * 1024 * 1024)
FETCH_MAX_REDIRECTS = env.int("FETCH_MAX_REDIRECTS", default=5)
FETCH_MAX_ATTEMPTS = env.int("FETCH_MAX_ATTEMPTS", default=5)
FETCH_DOMAIN_RATE = env.float("FETCH_DOMAIN_RATE", default=1.0)  # requests per second
FETCH_DOMAIN_BURST = env.int("FETCH_DOMAIN_BURST", default=2)
# Retries: exponential backoff with jitter from the base, capped (below the visibility timeout).
FETCH_RETRY_BASE_SECONDS = env.float("FETCH_RETRY_BASE_SECONDS", default=30.0)
FETCH_RETRY_MAX_SECONDS = env.float("FETCH_RETRY_MAX_SECONDS", default=1800.0)
# The sweeper re-enqueues sources pending or fetching for longer than this (lost messages).
FETCH_STUCK_AFTER_SECONDS = env.int("FETCH_STUCK_AFTER_SECONDS", default=300)
# Sources cited by published verdicts are captured again after this many days.
FETCH_RECHECK_AFTER_DAYS = env.float("FETCH_RECHECK_AFTER_DAYS", default=7.0)

# --- Evidence capture (claims/capture, claims/archiving.py) ---------------------
# After each successful fetch of a source, the worker archives the page: WARC/WACZ, a
# screenshot and a PDF (when Chromium is installed on the worker), the site's certificates,
# a manifest of SHA-256 hashes, and an RFC 3161 timestamp over the manifest.
CAPTURE_ARCHIVE = env.bool("CAPTURE_ARCHIVE", default=True)
# Load the page in Debian's Chromium (every request through the fetch guard). Without
# Chromium the response alone is archived, and the source page says why.
CAPTURE_BROWSER = env.bool("CAPTURE_BROWSER", default=True)
CAPTURE_CHROMIUM_PATH = env("CAPTURE_CHROMIUM_PATH", default="/usr/bin/chromium")
# Limits of one capture; each refusal is recorded in words on the source.
CAPTURE_WALL_SECONDS = env.float("CAPTURE_WALL_SECONDS", default=45.0)
CAPTURE_MAX_BYTES = env.int("CAPTURE_MAX_BYTES", default=40 * 1024 * 1024)
CAPTURE_MAX_REQUESTS = env.int("CAPTURE_MAX_REQUESTS", default=200)
CAPTURE_VIEWPORT_WIDTH = env.int("CAPTURE_VIEWPORT_WIDTH", default=1280)  # CSS pixels
# A longer page's screenshot is cut here, and a note says so.
CAPTURE_MAX_SCREENSHOT_HEIGHT = env.int("CAPTURE_MAX_SCREENSHOT_HEIGHT", default=16000)
# The page's JavaScript heap, and the memory (PSS) of all the browser's processes together:
# over it, the browser is stopped and a note says so.
CAPTURE_JS_HEAP_MB = env.int("CAPTURE_JS_HEAP_MB", default=512)
CAPTURE_MEMORY_MB = env.int("CAPTURE_MEMORY_MB", default=1536)
# The page's requests fetched through the guard at the same time.
CAPTURE_REQUESTS_AT_ONCE = env.int("CAPTURE_REQUESTS_AT_ONCE", default=6)
# Browser captures at once on this machine. Each costs about 5 s of CPU and 500 MB (Chromium
# started afresh): on 2 cores one at a time made 12.5 captures a minute and two at once 7.4
# (benchmarks/results/capture.json), so the default is one per two cores.
CAPTURE_CONCURRENCY = env.int("CAPTURE_CONCURRENCY", default=max(1, (os.cpu_count() or 2) // 2))
# An archive pending or being made for longer than this is retried (or given up) by the
# sweeper; after CAPTURE_MAX_ATTEMPTS it is recorded as not archived, in words.
CAPTURE_STUCK_AFTER_SECONDS = env.int("CAPTURE_STUCK_AFTER_SECONDS", default=600)
CAPTURE_MAX_ATTEMPTS = env.int("CAPTURE_MAX_ATTEMPTS", default=3)
# RFC 3161 time-stamping authorities, tried in order until one gives a token that verifies
# (each request goes through the fetch guard). Empty: archives carry no trusted timestamp,
# and the source page says so.
CAPTURE_TSA_URLS = env.list("CAPTURE_TSA_URLS", default=["http://timestamp.digicert.com",
                                                         "https://freetsa.org/tsr"])
# The roots a token's chain must end in (PEM), checked as of the token's time. Empty: the
# certificates kept with each token are trusted as given, which proves the token intact but
# not who signed it. The shipped file holds DigiCert's root (see its comments for FreeTSA's).
CAPTURE_TSA_ROOTS = env("CAPTURE_TSA_ROOTS",
                        default=str(BASE_DIR / "claims" / "capture" / "tsa_roots.pem"))
# Seconds for one authority's whole exchange.
CAPTURE_TSA_TIMEOUT = env.float("CAPTURE_TSA_TIMEOUT", default=10.0)
# A timestamp more than this many seconds from the capture's own time fails verification
# (and is refused when received, so the next authority is asked).
CAPTURE_TIMESTAMP_SKEW_SECONDS = env.int("CAPTURE_TIMESTAMP_SKEW_SECONDS", default=600)

# Webhook deliveries (claims/services/webhooks.py): retried after 3 min, doubling (with
# jitter), 10 attempts in all, about 25 hours; then given up and the subscription turned off.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=180.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=12 * 3600.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
# Retries due within this are sent with a broker countdown; later ones by the sweeper
# (a countdown must stay under the Redis visibility timeout, an hour by default).
WEBHOOK_COUNTDOWN_MAX_SECONDS = env.float("WEBHOOK_COUNTDOWN_MAX_SECONDS", default=1800.0)
# Finished deliveries (and their attempts) are kept this long, then deleted by the sweeper.
WEBHOOK_KEEP_DAYS = env.float("WEBHOOK_KEEP_DAYS", default=30.0)

# --- Claim assistance (claims/assist/) ---------------------------------------------------
# Similar claims: "auto" = pg_trgm on PostgreSQL, a pure-Python trigram fallback elsewhere;
# "embeddings" needs the optional extra: pip install -e '.[embeddings]'.
CLAIMS_SIMILARITY_BACKEND = env("CLAIMS_SIMILARITY_BACKEND", default="auto")
# How many recent claims the Python and embedding backends compare (pg_trgm searches all).
CLAIMS_SIMILAR_CANDIDATES = env.int("CLAIMS_SIMILAR_CANDIDATES", default=2000)
CLAIMS_EMBEDDING_CANDIDATES = env.int("CLAIMS_EMBEDDING_CANDIDATES", default=500)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
