"""The demo loader: real seed articles, exact anchors, idempotent."""

import pytest
from django.core.management import call_command

from claims.models import Article, Claim, Claimant, Evidence, Source

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Article, Claimant, Claim, Source, Evidence)]


def test_load_demo_anchors_every_claim_exactly():
    call_command("load_demo")
    claims = list(Claim.objects.select_related("article"))
    assert len(claims) >= 6
    for claim in claims:
        assert claim.article.body[claim.anchor_start : claim.anchor_end] == claim.quote
        assert claim.article.body[: claim.anchor_start].endswith(claim.anchor_prefix)
    quotes = {c.quote for c in claims}
    assert any("the end is in sight" in q for q in quotes)
    assert "Twelve of NATO's 28 members officially recognize the Libyan opposition group" in quotes


def test_load_demo_has_articles_claimants_and_users():
    call_command("load_demo")
    nato = Article.objects.get(title__startswith="Ministers determined")
    assert str(nato.published_on) == "2011-10-06"
    assert nato.body.startswith("Ministers determined to pursue operation")
    voa = Article.objects.get(outlet="Voice of America")
    assert "Accessibility links" in voa.body  # page furniture kept as it arrived
    rasmussen = Claimant.objects.get(name="Anders Fogh Rasmussen")
    assert rasmussen.role == "Secretary General" and rasmussen.organisation == "NATO"
    assert rasmussen.claims.count() >= 4
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    assert users["editor"].check_password("editor")
    assert users["reviewer"].groups.filter(name="Reviewers").exists()
    assert users["admin"].is_superuser


def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    before = counts()
    call_command("load_demo")
    assert counts() == before


def test_demo_text_is_the_projects_own_copy():
    from claims.demo import ARTICLES, HERE

    for demo in ARTICLES:
        assert (HERE / demo.file).is_file()
        assert "shared" not in str(HERE)
