"""Test settings: fast hasher, local-memory email, fetches from 127.0.0.1 allowed.

DATABASE_URL and REDIS_URL from the environment still win, so the same suite runs on
PostgreSQL and a real Redis in CI."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, Path, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
FETCH_ALLOWED_PRIVATE_HOSTS = env.list("FETCH_ALLOWED_PRIVATE_HOSTS", default=["127.0.0.1"])
# Short timeouts keep the hostile-server tests quick.
FETCH_CONNECT_TIMEOUT = 2.0
FETCH_READ_TIMEOUT = 2.0
FETCH_TOTAL_DEADLINE = 5.0
FETCH_DOMAIN_RATE = 1000.0
FETCH_DOMAIN_BURST = 1000
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
DEMO_ALLOWED = True
# Evidence archives are made by their own tests (tests/claims/capture, tests/worker), which
# turn this on: elsewhere a second request to each local test page would change what the
# fetch tests count.
CAPTURE_ARCHIVE = False
CAPTURE_TSA_URLS: list[str] = []
# Login throttling is tested on its own (tests/test_security.py turns it on); elsewhere it
# would make client.login(), which passes no request, fail.
AXES_ENABLED = False

# Each test run gets its own database and, unless REDIS_URL is set, its own embedded Redis
# (started by tests/conftest.py), so runs side by side on one machine never collide.
import os  # noqa: E402
import tempfile  # noqa: E402

from .base import DATABASES  # noqa: E402

_run_id = os.environ.setdefault("FACTCHECK_TEST_RUN_ID", str(os.getpid()))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{_run_id}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_factcheck_{_run_id}"}

if "REDIS_URL" in os.environ:
    TEST_EMBEDDED_REDIS_DIR = None
else:
    TEST_EMBEDDED_REDIS_DIR = os.environ.setdefault(
        "FACTCHECK_TEST_REDIS_DIR", tempfile.mkdtemp(prefix="factcheck-redis-")
    )
    REDIS_URL = f"redis+socket://{TEST_EMBEDDED_REDIS_DIR}/redis.sock"
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"unix://{TEST_EMBEDDED_REDIS_DIR}/redis.sock",
            "KEY_PREFIX": f"factcheck-test-{_run_id}",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }

# Matching fact-checks: words alone unless a test asks for embeddings (tests/claims/factchecks
# turns them on with its own vector file), and never the project's var/ vector file.
FACTCHECK_MATCHING_EMBEDDINGS = "off"
FACTCHECK_VECTORS_PATH = Path(tempfile.mkdtemp(prefix="factcheck-vectors-")) / "vectors.npz"
# The stock encoder, whatever `make train-matching` has built in var/.
FACTCHECK_ENCODER_PATH = Path(tempfile.mkdtemp(prefix="factcheck-encoder-")) / "none"
# No cross-encoder stage, whatever `make train-crossencoder` has built in var/.
FACTCHECK_CROSSENCODER_PATH = Path(tempfile.mkdtemp(prefix="factcheck-crossencoder-")) / "none"
