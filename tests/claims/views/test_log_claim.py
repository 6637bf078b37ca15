"""Logging a claim from an article: the form prefilled from the selected text, offsets in
code points, the quote found again without JavaScript, claimants picked or created inline,
and errors next to the field they are about."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, Claimant
from tests import factories
from tests.support.pages import error_text

pytestmark = pytest.mark.django_db


def test_log_claim_form_is_prefilled_from_selection(client_ed):
    article = factories.ArticleFactory()
    start = article.body.index("the end is in sight")
    url = reverse("claims:claim-log", args=[article.pk])
    html = client_ed.get(
        url, {"quote": "the end is in sight", "start": start, "end": start + 19}
    ).content.decode()
    assert ">\nthe end is in sight</textarea>" in html
    assert f'name="start" value="{start}"' in html


def test_log_claim_with_offsets_and_new_claimant(client_ed, editor):
    article = factories.ArticleFactory()
    start = article.body.index("the end is in sight")
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {
            "quote": "the end is in sight",
            "start": start,
            "end": start + 19,
            "claimant_name": "Jo Bloggs",
            "claimant_new": "on",
            "claimant_role": "Mayor",
            "claimant_organisation": "Town",
            "statement": "The end is in sight",
            "tags": "economy, strikes",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#claim-{claim.pk}"
    assert (claim.anchor_start, claim.anchor_end) == (start, start + 19)
    assert claim.claimant.name == "Jo Bloggs" and claim.claimant.organisation == "Town"
    assert sorted(t.name for t in claim.tags.all()) == ["economy", "strikes"]
    assert claim.created_by == editor
    page = client_ed.get(article.get_absolute_url()).content.decode()
    assert f'data-claims="{claim.pk}"' in page


def test_log_claim_without_javascript_finds_the_typed_quote(client_ed):
    article = factories.ArticleFactory()
    claimant = factories.ClaimantFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "claimant": claimant.pk, "statement": "End in sight"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.anchor_start == article.body.index("the end is in sight")
    assert claim.claimant == claimant


def test_log_claim_with_non_bmp_characters_uses_code_point_offsets(client_ed):
    article = factories.ArticleFactory(body="Crowds 🎉🎉 cheered: the end is in sight, he said.")
    start = article.body.index("the end")  # Python counts code points, as the page's JS does
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "start": start, "end": start + 19, "statement": "End"},
    )
    assert response.status_code == 302
    # 19 code points; JavaScript's UTF-16 String.length would say 21.
    assert Claim.objects.get().anchor_start == start == 19


def test_log_claim_quote_not_in_article_is_an_error_next_to_the_quote(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "words nobody wrote", "statement": "Nothing"},
    )
    assert response.status_code == 400
    assert "does not appear in the article text" in error_text(response)
    assert "words nobody wrote</textarea>" in response.content.decode()
    assert not Claim.objects.exists()


def test_log_claim_missing_statement(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]), {"quote": "the end"})
    assert response.status_code == 400
    assert "This field is required" in error_text(response)


def test_log_claim_with_an_unknown_claimant_id_says_so(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "claimant": 999999, "statement": "End in sight"},
    )
    assert response.status_code == 400
    assert "That claimant is no longer on file" in response.content.decode()
    assert not Claim.objects.exists()


def test_claimant_autocomplete_and_inline_create(client_ed):
    factories.ClaimantFactory(name="Anders Fogh Rasmussen", organisation="NATO")
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"claimant_name": "fogh"}
    ).content.decode()
    assert 'data-claimant-name="Anders Fogh Rasmussen"' in html and 'role="option"' in html
    response = client_ed.post(
        reverse("claims:claimant-create"),
        {"claimant_name": "New Person", "claimant_organisation": "Council"},
        HTTP_HX_REQUEST="true",
    )
    created = Claimant.objects.get(name="New Person")
    assert f'data-claimant-id="{created.pk}"' in response.content.decode()
    bad = client_ed.post(reverse("claims:claimant-create"), {"claimant_name": " "})
    assert bad.status_code == 400 and "Give the claimant" in bad.content.decode()
