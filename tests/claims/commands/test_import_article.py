"""python manage.py import_article: URLs through the safe client (here or in the workers),
local .txt/.html files, JSON output, and a non-zero exit with the reason in words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from claims.models import Article
from tests.localserver import Response
from tests.support.web_pages import ARTICLE_HTML

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command("import_article", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_url_is_fetched_and_extracted_in_process(local_server):
    url = local_server.route("/news/jobless", Response.html(ARTICLE_HTML))
    data = run(url)
    article = Article.objects.get(pk=data["id"])
    assert data["status"] == "ready" and data["error"] == ""
    assert data["title"] == "Unemployment did not fall by 12%" == article.title
    assert "contradicting the minister" in data["text"]
    assert data["sha256"] == article.body_sha256 and len(data["sha256"]) == 64
    assert data["outlet"] == "Example Times" and data["published_on"] == "2024-03-05"
    assert local_server.hits("/news/jobless") == 1


def test_plain_output(local_server):
    url = local_server.route("/plain", Response.html(ARTICLE_HTML))
    out = StringIO()
    call_command("import_article", url, stdout=out)
    assert "(ready): Unemployment did not fall by 12%" in out.getvalue()


def test_failed_fetch_exits_non_zero_with_the_reason(local_server):
    out = StringIO()
    with pytest.raises(CommandError, match="404 Not Found"):
        call_command("import_article", local_server.url("/gone"), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "failed" and data["error"] == "The site answered 404 Not Found."


def test_refused_url_exits_non_zero_and_creates_nothing():
    out = StringIO()
    with pytest.raises(CommandError, match="private network"):
        call_command("import_article", "http://10.0.0.7/intranet", "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "refused"
    assert not Article.objects.exists()


def test_name_resolving_to_loopback_is_refused_by_the_guard(settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(CommandError, match="loopback"):
        call_command("import_article", "http://localhost/admin", stdout=StringIO())
    assert Article.objects.get().status == "failed"


def test_text_file(tmp_path):
    path = tmp_path / "speech.txt"
    path.write_text("Minister's speech\n\nUnemployment fell by 12 per cent last year.\n")
    data = run(str(path))
    assert data["status"] == "ready" and data["title"] == "Minister's speech"
    assert "fell by 12 per cent" in data["text"]


def test_html_file(tmp_path):
    path = tmp_path / "story.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    data = run(str(path))
    assert data["title"] == "Unemployment did not fall by 12%"
    assert "alert(" not in data["text"]


def test_bad_files_are_refused_in_words(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="only .txt and .html"):
        call_command("import_article", str(pdf), stdout=StringIO())
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_article", str(tmp_path / "missing.txt"), stdout=StringIO())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_enqueue_and_wait_uses_the_workers(celery_worker, local_server):
    url = local_server.route("/queued", Response.html(ARTICLE_HTML))
    data = run(url, "--enqueue", "--wait", "--timeout", "60")
    assert data["status"] == "ready" and data["title"] == "Unemployment did not fall by 12%"
    assert local_server.hits("/queued") == 1


def test_enqueue_without_wait_returns_pending(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        data = run("https://example.org/news/story", "--enqueue")
    assert data["status"] == "pending" and data["title"] == "story (example.org)"
    assert len(callbacks) == 1


def test_exit_status_of_the_real_command():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_article", "gopher://example.org/1", "--json"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "factcheck.settings.test"},
    )
    assert result.returncode != 0
    assert "Only http and https addresses can be fetched" in result.stderr
    assert json.loads(result.stdout)["status"] == "refused"
