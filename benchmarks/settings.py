"""Settings for benchmark child processes: production-like (DEBUG off, the real Redis cache)
with the test client's host allowed. DATABASE_URL and REDIS_URL come from the driver."""

from factcheck.settings.base import *  # noqa: F401,F403
from factcheck.settings.base import ALLOWED_HOSTS, env

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Request logging would measure the console, not the desk.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# Persistent connections, as production keeps them (CONN_MAX_AGE); with 0 every
# request would also time a fresh PostgreSQL connection.
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
# One cache namespace per dataset, so one size's cached counts never answer for another's.
CACHES["default"]["KEY_PREFIX"] = env("BENCH_CACHE_PREFIX", default="factcheck-bench")  # noqa: F405
