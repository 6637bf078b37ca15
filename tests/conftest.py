"""Fixtures every test may use: an embedded Redis (unless REDIS_URL is set), a real Celery
worker on it, the migrations' data put back after a flush, the demo users, the editor, a
webhook receiver, new fact-check matching indexes, the local web server
(tests/localserver.py) and a local RFC 3161 time-stamping authority (tests/support/tsa.py);
and the `postgres` marker, which skips on other databases.

The suite mirrors the code: tests/claims/<package>/ for claims/ (models, services, selectors,
views, admin, fetching, assist, exporters, commands, demo, migrations), tests/public/ for the
public site and feeds, tests/security/ for what crosses every page (permission matrix,
hostile input, odd parameters, properties), tests/worker/ for real worker processes,
tests/deploy/ for compose and settings, tests/e2e/ for the browser. Fixtures for one part of
the suite live in its package's conftest.py; helpers shared by several modules in
tests/support/; no test module imports from another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from factcheck.embedded_redis import EmbeddedRedis
from tests.localserver import local_server, local_server_factory  # noqa: F401  (fixtures)
from tests.support.tsa import tsa, tsa_factory  # noqa: F401  (fixtures)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL (its query plans, row locks, extensions): on
    any other database they are skipped, saying so, instead of each skipping itself."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL; this run uses {connection.vendor}")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def redis_server():
    """The Redis every test talks to: the embedded one, or REDIS_URL's."""
    if settings.TEST_EMBEDDED_REDIS_DIR:
        server = EmbeddedRedis(Path(settings.TEST_EMBEDDED_REDIS_DIR)).start()
        yield server.url
        server.stop()
    else:
        yield os.environ["REDIS_URL"]


@pytest.fixture(autouse=True)
def _clear_cache(redis_server):
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session")
def celery_app(redis_server):
    from factcheck.celery import app

    app.conf.update(broker_url=redis_server, result_backend=redis_server)
    return app


@pytest.fixture(scope="session")
def celery_session_worker(celery_app, django_db_setup, django_db_blocker):
    """A real Celery worker (in a thread of this process) consuming from the real broker."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    with django_db_blocker.unblock():
        with start_worker(
            celery_app, pool="solo", perform_ping_check=True, shutdown_timeout=10,
            loglevel="WARNING",
        ) as worker:
            yield worker


@pytest.fixture
def celery_worker(celery_session_worker, transactional_db):
    """Use in tests that need a worker: the data they create is committed so the worker,
    on its own database connection, sees it."""
    return celery_session_worker


@pytest.fixture(autouse=True)
def _migration_data_after_flush(request):
    """A transactional test ends with a flush that also empties what the data migrations
    made (the default rating scale, the Editors and Reviewers groups). Put it back at the
    start of each transactional test, so none depends on running first."""
    marker = request.node.get_closest_marker("django_db")
    marked = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
    if not (marked or {"transactional_db", "live_server"} & set(request.fixturenames)):
        yield
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("_django_db_helper" if marked else "transactional_db")
    from django.contrib.contenttypes.models import ContentType

    # The flush deleted the content types too; a cached one would point new permissions at
    # a row that no longer exists (and has_perm would then find nothing).
    ContentType.objects.clear_cache()
    config = apps.get_app_config("claims")
    models_module = config.models_module  # 0003_groups sets it for historical apps
    try:
        importlib.import_module("claims.migrations.0002_default_rating_scale").create_default_scale(
            apps, None
        )
        importlib.import_module("claims.migrations.0003_groups").create_groups(apps, None)
        importlib.import_module("claims.migrations.0021_claimant_kind").grant_merge_permissions(
            apps, None)
    finally:
        config.models_module = models_module
    yield


@pytest.fixture
def editor(db):
    """Erin, in the Editors group (the desk's and the API's tests both act as her)."""
    from django.contrib.auth.models import Group

    from tests import factories

    user = factories.UserFactory(username="ed", first_name="Erin", last_name="Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 (tests/support/webhook_receiver.py) for the test."""
    from tests.support.webhook_receiver import WebhookReceiver

    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def fresh_matching(settings):
    """New fact-check matching indexes for the test, none left behind: they are one per
    process and would carry one test's fact-checks into the next. Lexical only (embeddings
    off) unless the test turns them on."""
    from claims.factchecks import crossencoder, dense, lexindex

    settings.FACTCHECK_MATCHING_EMBEDDINGS = "off"
    lexindex.reset_index()
    dense.reset_dense_index()
    crossencoder.reset_stage()
    yield settings
    lexindex.reset_index()
    dense.reset_dense_index()
    crossencoder.reset_stage()


@pytest.fixture
def demo_users(db):
    from claims.demo import LoadReport, ensure_demo_users

    return ensure_demo_users(LoadReport())
