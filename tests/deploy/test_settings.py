"""Settings come from the environment; production refuses insecure configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-" + "x" * 30


def run_settings(module: str, env: dict[str, str], expr: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter with exactly this environment."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                          "FETCH_ALLOWED_PRIVATE_HOSTS", "DJANGO_SETTINGS_MODULE",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean.update(env)
    code = (
        "import json, importlib; "
        f"s = importlib.import_module({module!r}); "
        f"print(json.dumps({expr}, default=str))"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def value(module, env, expr):
    result = run_settings(module, env, expr)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_use_sqlite_under_var_and_embedded_redis():
    got = value("factcheck.settings.dev", {},
                "[s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.REDIS_URL,"
                " s.CELERY_BROKER_URL, s.DEBUG]")
    engine, name, redis_url, broker, debug = got
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "factcheck.sqlite3")
    assert redis_url == f"redis+socket://{ROOT / 'var' / 'redis' / 'redis.sock'}"
    assert broker == redis_url
    assert debug is True


def test_database_and_redis_urls_from_environment():
    got = value(
        "factcheck.settings.base",
        {"DATABASE_URL": "postgres://desk:pw@db.internal:5433/newsroom",
         "REDIS_URL": "redis://cache.internal:6380/2",
         "ALLOWED_HOSTS": "desk.example.org,www.desk.example.org",
         "ORGANISATION_NAME": "Libya Check", "DEBUG": "true"},
        "[s.DATABASES['default'], s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'],"
        " s.ALLOWED_HOSTS, s.ORGANISATION_NAME, s.DEBUG]",
    )
    db, broker, cache_location, hosts, org, debug = got
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal", 5433, "newsroom", "desk")
    assert broker == "redis://cache.internal:6380/2"
    assert cache_location == "redis://cache.internal:6380/2"
    assert hosts == ["desk.example.org", "www.desk.example.org"]
    assert org == "Libya Check"
    assert debug is True


def test_production_refuses_to_start_without_secret_key():
    result = run_settings("factcheck.settings.production", {}, "1")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_private_fetch_allow_list():
    result = run_settings("factcheck.settings.production",
                          {"SECRET_KEY": GOOD_KEY, "FETCH_ALLOWED_PRIVATE_HOSTS": "127.0.0.1"}, "1")
    assert result.returncode != 0
    assert "FETCH_ALLOWED_PRIVATE_HOSTS" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' process; production never has it.
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "factcheck.settings.production", "SECRET_KEY": GOOD_KEY})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_test_settings_are_fast():
    from django.conf import settings

    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    assert settings.FETCH_ALLOWED_PRIVATE_HOSTS == ["127.0.0.1"]


@pytest.mark.parametrize("name", ["SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL",
                                  "REDIS_URL", "ORGANISATION_NAME", "ORGANISATION_URL"])
def test_every_documented_variable_is_in_the_readme(name):
    assert f"`{name}`" in (ROOT / "README.md").read_text()


def test_passwords_are_hashed_with_argon2_and_old_hashes_still_work(db):
    """Production settings hash with Argon2; a PBKDF2 hash from before still signs in and is
    upgraded to Argon2 on that sign-in."""
    from django.contrib.auth import authenticate, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from factcheck.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = get_user_model().objects.create(
            username="old-hash", password=make_password("s3cret-pass", hasher="pbkdf2_sha256"))
        assert user.password.startswith("pbkdf2_sha256$")
        assert authenticate(username="old-hash", password="s3cret-pass") == user
        user.refresh_from_db()
        assert user.password.startswith("argon2$")
        assert authenticate(username="old-hash", password="wrong") is None
