"""Docker cannot run here, so the compose file is checked by parsing it: every service's
command names real modules, the Django service is defined once, settings it sets exist."""

import importlib
import re
import shlex
from pathlib import Path

import yaml

from factcheck.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SETTINGS_SOURCE = "\n".join(p.read_text() for p in (ROOT / "factcheck" / "settings").glob("*.py"))


def command_words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_services_present():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis"):
        assert "healthcheck" in SERVICES[name]


def test_django_service_defined_once_and_reused():
    raw = (ROOT / "docker-compose.yml").read_text()
    assert raw.count("build: .") == 1
    images = {SERVICES[s]["image"] for s in ("web", "worker", "beat")}
    assert images == {"factcheck:latest"}
    envs = [SERVICES[s]["environment"] for s in ("web", "worker", "beat")]
    assert envs[0] == envs[1] == envs[2]
    for s in ("web", "worker", "beat"):
        deps = SERVICES[s]["depends_on"]
        assert deps["postgres"]["condition"] == deps["redis"]["condition"] == "service_healthy"


def test_environment_names_real_settings_and_services():
    env = SERVICES["web"]["environment"]
    module = env["DJANGO_SETTINGS_MODULE"]
    assert importlib.util.find_spec(module) is not None
    database_url = env["DATABASE_URL"]
    assert database_url.startswith("postgres://") and "@postgres:5432/" in database_url
    pg = SERVICES["postgres"]["environment"]
    credentials = f"{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}"
    assert f"{credentials}@postgres:5432/{pg['POSTGRES_DB']}" in database_url
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    for name in env:
        if name == "DJANGO_SETTINGS_MODULE":
            continue
        assert re.search(rf'env(\.\w+)?\(\s*"{name}"', SETTINGS_SOURCE), (
            f"{name} is not read by settings")
    assert "${SECRET_KEY:?" in (ROOT / "docker-compose.yml").read_text()


def test_web_migrates_then_runs_gunicorn_on_real_wsgi_app():
    words = command_words("web")
    text = " ".join(words)
    assert "manage.py migrate" in text
    assert text.index("migrate") < text.index("gunicorn")
    target = re.search(r"gunicorn (\S+)", text).group(1)
    module, attr = target.split(":")
    assert callable(getattr(importlib.import_module(module), attr))


def test_worker_and_beat_run_the_real_celery_app():
    for service, sub in (("worker", "worker"), ("beat", "beat")):
        words = command_words(service)
        assert words[:3] == ["celery", "-A", "factcheck"]
        assert words[3] == sub
    assert importlib.import_module("factcheck").celery_app is celery_app


def test_dockerfile_matches_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "factcheck.settings.production" in dockerfile
    assert "factcheck.wsgi:application" in dockerfile
    assert "collectstatic" in dockerfile
