"""The claim log form sent twice (Back, then Save again) lands on the claim it saved, with
its claimant; a claim that may already be logged is shown, with links, before anything is
saved, and saving it anyway is an explicit choice."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from claims.models import Claim, Claimant
from tests import factories

pytestmark = pytest.mark.django_db

WORDS = "the end is in sight"


def form_key(html: str) -> str:
    found = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html)
    assert found, "the form carries no submission key"
    return found.group(1)


def post_data(article, **extra):
    start = article.body.index(WORDS)
    return {"quote": WORDS, "start": start, "end": start + len(WORDS),
            "statement": "The end is in sight", "tags": "strikes", **extra}


def test_each_form_shown_has_its_own_key(client_ed):
    article = factories.ArticleFactory()
    url = reverse("claims:claim-log", args=[article.pk])
    assert form_key(client_ed.get(url).content.decode()) != form_key(
        client_ed.get(url).content.decode())


def test_the_form_sent_twice_lands_on_the_claim_it_saved(client_ed):
    article = factories.ArticleFactory()
    claimant = factories.ClaimantFactory()
    url = reverse("claims:claim-log", args=[article.pk])
    key = form_key(client_ed.get(url).content.decode())
    first = client_ed.post(url, post_data(article, submission_key=key,
                                          claimant=claimant.pk, claimant_name=claimant.name))
    assert first.status_code == 302
    claim = Claim.objects.get()
    # Back, then Save: the browser restored the name but not the chosen claimant's id.
    again = client_ed.post(url, post_data(article, submission_key=key,
                                          claimant_name=claimant.name + " (typed)"))
    assert again.status_code == 302 and again["Location"] == claim.get_absolute_url()
    assert Claim.objects.count() == 1
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == (
        "This claim was already saved (you sent the form twice): here it is.")
    page = client_ed.get(again["Location"]).content.decode()
    assert claimant.name in page


def test_the_same_words_again_are_shown_before_anything_is_saved(client_ed):
    article = factories.ArticleFactory()
    claimant = factories.ClaimantFactory(name="Jo Transport")
    first = factories.ClaimFactory(article=article, quote=WORDS, statement="Strikes will end")
    url = reverse("claims:claim-log", args=[article.pk])
    response = client_ed.post(url, post_data(
        article, submission_key="b" * 32, claimant=claimant.pk, claimant_name=claimant.name,
        claimed_on="2024-03-01"))
    assert response.status_code == 400
    assert Claim.objects.count() == 1
    html = response.content.decode()
    warning = html[html.index('id="claim-duplicates"'):]
    warning = warning[: warning.index("</div>")]
    assert f'href="{first.get_absolute_url()}"' in warning
    assert "Strikes will end" in warning and "the same words" in warning
    assert 'name="save_anyway"' in html and "Save anyway as a separate claim" in html
    # Everything typed is kept.
    assert f">\n{WORDS}</textarea>" in html
    assert 'value="The end is in sight"' in html and 'value="strikes"' in html
    assert 'value="2024-03-01"' in html and f'value="{claimant.pk}"' in html
    assert 'value="Jo Transport"' in html
    assert form_key(html) == "b" * 32

    saved = client_ed.post(url, post_data(
        article, submission_key="b" * 32, claimant=claimant.pk, claimant_name=claimant.name,
        save_anyway="on"))
    assert saved.status_code == 302
    second = Claim.objects.exclude(pk=first.pk).get()
    assert second.claimant == claimant
    assert (second.anchor_start, second.anchor_end) == (first.anchor_start, first.anchor_end)


def test_a_near_identical_statement_elsewhere_is_named_with_its_article(client_ed):
    elsewhere = factories.ClaimFactory(statement="The end is in sight.")
    article = factories.ArticleFactory()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]),
                              post_data(article))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="{elsewhere.get_absolute_url()}"' in html
    assert "a near-identical statement" in html and elsewhere.article.title in html
    assert not Claim.objects.filter(article=article).exists()


def test_a_claim_refused_as_already_logged_leaves_no_new_claimant(client_ed):
    article = factories.ArticleFactory()
    factories.ClaimFactory(article=article, quote=WORDS)
    url = reverse("claims:claim-log", args=[article.pk])
    new_claimant = {"claimant_name": "Jo Newcomer", "claimant_new": "on",
                    "claimant_kind": "person"}
    refused = client_ed.post(url, post_data(article, **new_claimant))
    assert refused.status_code == 400
    assert not Claimant.objects.filter(name="Jo Newcomer").exists()
    assert 'value="Jo Newcomer"' in refused.content.decode()
    saved = client_ed.post(url, post_data(article, save_anyway="on", **new_claimant))
    assert saved.status_code == 302
    assert Claim.objects.latest("id").claimant.name == "Jo Newcomer"
