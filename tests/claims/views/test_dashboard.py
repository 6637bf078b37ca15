"""The dashboard: my claims, counts (cached, and read from the database when Redis is
down), the ratings chart, failing sources and recent fact-checks, in constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.support.pages import queries_for

pytestmark = pytest.mark.django_db


def test_dashboard_shows_my_claims_counts_chart_and_failing_sources(client_ed, editor):
    mine = factories.ClaimFactory(assignee=editor, statement="Mine to check")
    factories.ClaimFactory(statement="Someone else's")
    verdict = factories.PublishedVerdictFactory(claim=factories.ClaimFactory(status="published"))
    factories.SourceFactory(status="failed", last_error_kind="timeout", last_error="Took too long")
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    assigned = html.split('id="mine"')[1].split("</section>")[0]
    assert mine.statement in assigned and "Someone else" not in assigned
    assert "3 claims in all" in html
    assert f'fill="{verdict.rating.colour}"' in html and "<svg" in html
    assert "Took too long" in html
    assert verdict.claim.statement in html.split('id="published"')[1]


def test_dashboard_reads_cached_counts(client_ed):
    from django.core.cache import cache

    from claims.selectors.dashboard import DESK_STATS_CACHE_KEY

    factories.ClaimFactory()
    cache.set(
        DESK_STATS_CACHE_KEY,
        {"claims_by_status": {"new": 123456}, "claims_total": 123456, "verdicts_by_rating": []},
    )
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    assert "123,456 claims in all" in html


def test_dashboard_works_when_redis_is_down(client_ed, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    factories.ClaimFactory()
    response = client_ed.get(reverse("claims:dashboard"))
    assert response.status_code == 200
    assert "1 claims in all" in response.content.decode()


def test_dashboard_query_count_is_constant(client_ed, editor):
    factories.ClaimFactory(assignee=editor)
    factories.PublishedVerdictFactory()
    factories.SourceFactory(status="failed")
    one = queries_for(client_ed, reverse("claims:dashboard"))
    factories.ClaimFactory.create_batch(20, assignee=editor)
    factories.PublishedVerdictFactory.create_batch(20)
    factories.SourceFactory.create_batch(20, status="failed")
    assert queries_for(client_ed, reverse("claims:dashboard")) == one


def test_dashboard_says_which_factcheck_feeds_fail_and_links_admins_to_them(client, editor):
    from django.contrib.auth.models import Permission

    from claims.models import FactCheckFeed

    failing = FactCheckFeed.objects.create(
        name="Partner <b>checks</b>", url="https://partner.example/feed.json", failures=3,
        last_error="Could not fetch https://partner.example/feed.json: the server answered "
                   "503 Service Unavailable. Gave up after 5 attempts.")
    FactCheckFeed.objects.create(name="Healthy feed", url="https://ok.example/feed.json")
    FactCheckFeed.objects.create(name="Switched off", url="https://off.example/feed.json",
                                 enabled=False, last_error="Old failure")
    client.force_login(editor)
    html = client.get(reverse("claims:dashboard")).content.decode()
    section = html.split('id="failing-feeds"')[1].split("</section>")[0]
    assert "Partner &lt;b&gt;checks&lt;/b&gt;" in section  # escaped, never markup
    assert "503 Service Unavailable. Gave up after 5 attempts." in section
    assert "3 runs in a row failed" in section and "Never imported yet" in section
    assert "Healthy feed" not in html and "Switched off" not in html
    admin_url = reverse("admin:claims_factcheckfeed_change", args=[failing.pk])
    assert admin_url not in section  # an editor cannot open the feed in the admin
    editor.user_permissions.add(Permission.objects.get(codename="change_factcheckfeed"))
    html = client.get(reverse("claims:dashboard")).content.decode()
    assert f'href="{admin_url}"' in html


def test_dashboard_with_no_failing_feed_has_no_feed_section(client_ed):
    from claims.models import FactCheckFeed

    FactCheckFeed.objects.create(name="Healthy feed", url="https://ok.example/feed.json")
    assert 'id="failing-feeds"' not in client_ed.get(reverse("claims:dashboard")).content.decode()


def test_dashboard_queries_do_not_grow_with_failing_feeds(client_ed):
    from claims.models import FactCheckFeed

    FactCheckFeed.objects.create(name="F0", url="https://f.example/0", last_error="x")
    one = queries_for(client_ed, reverse("claims:dashboard"))
    for n in range(1, 8):
        FactCheckFeed.objects.create(name=f"F{n}", url=f"https://f.example/{n}", last_error="x")
    assert queries_for(client_ed, reverse("claims:dashboard")) == one
