"""A claim is logged once: the same form (or API request) sent twice finds the claim it
saved, and a claim whose words overlap one of the article's claims, or whose statement is
near-identical to one on the desk, is refused with those claims until the person chooses
to save it anyway."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from claims.models import Claim
from claims.selectors.duplicates import claim_duplicates, statements_near_identical
from claims.services.claims import (
    ClaimAlreadyLogged,
    ClaimDuplicate,
    claim_log,
    claim_log_refuse_resend,
)
from tests import factories

pytestmark = pytest.mark.django_db

WORDS = "the end is in sight"


def log(article, user, *, words=WORDS, statement="The rail strikes are nearly over", **kw):
    start = article.body.index(words)
    return claim_log(article=article, quote=words, start=start, end=start + len(words),
                     statement=statement, user=user, **kw)


def test_the_same_submission_key_logs_one_claim_and_answers_it(editor):
    article = factories.ArticleFactory()
    claimant = factories.ClaimantFactory()
    first = log(article, editor, claimant=claimant, submission_key="k-1")
    with pytest.raises(ClaimAlreadyLogged) as caught:
        # Sent again without the claimant (the browser restored the form in part).
        log(article, editor, submission_key="k-1")
    assert caught.value.claim == first
    assert caught.value.claim.claimant == claimant
    assert "already saved" in caught.value.messages[0]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 65, "bad\x00key"])
def test_a_key_too_long_or_with_nul_is_refused_in_words(editor, key,
                                                        django_assert_num_queries):
    with pytest.raises(ValidationError) as caught:
        log(factories.ArticleFactory(), editor, submission_key=key)
    assert "at most 64 characters" in caught.value.messages[0]
    # PostgreSQL refuses NUL in a query: such a key is never looked up.
    with django_assert_num_queries(0):
        claim_log_refuse_resend(submission_key=key, user=editor)


def test_a_key_is_the_senders_own(editor):
    other = factories.EditorFactory()
    article = factories.ArticleFactory()
    log(article, editor, submission_key="same")
    log(article, other, submission_key="same", refuse_duplicates=False)
    assert Claim.objects.count() == 2


def test_the_database_refuses_a_second_claim_with_the_same_key(editor):
    claim = log(factories.ArticleFactory(), editor, submission_key="k-2")
    copy = Claim.objects.get(pk=claim.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_the_same_words_are_refused_with_the_claim_that_holds_them(editor):
    article = factories.ArticleFactory()
    first = log(article, editor)
    with pytest.raises(ClaimDuplicate) as caught:
        log(article, editor, statement="Something else entirely", refuse_duplicates=True)
    [match] = caught.value.matches
    assert match.claim == first and match.reasons == ["the same words"]
    assert Claim.objects.count() == 1


def test_overlapping_words_are_named(editor):
    article = factories.ArticleFactory()
    first = log(article, editor)
    with pytest.raises(ClaimDuplicate) as caught:
        log(article, editor, words="It is clear that the end", statement="It is clear",
            refuse_duplicates=True)
    [match] = caught.value.matches
    assert match.claim == first and match.reasons == ["overlaps: “the end”"]


def test_words_next_to_a_claim_do_not_overlap_it(editor):
    article = factories.ArticleFactory()
    log(article, editor)
    log(article, editor, words="It is clear that", statement="It is clear",
        refuse_duplicates=True)
    assert Claim.objects.count() == 2


def test_a_near_identical_statement_elsewhere_on_the_desk_is_refused(editor):
    first = log(factories.ArticleFactory(), editor)
    with pytest.raises(ClaimDuplicate) as caught:
        log(factories.ArticleFactory(), editor, words="Critics said the figure",
            statement="Rail strikes are nearly over.", refuse_duplicates=True)
    [match] = caught.value.matches
    assert match.claim == first and match.reasons == ["a near-identical statement"]


def test_save_anyway_logs_a_separate_claim(editor):
    article = factories.ArticleFactory()
    first = log(article, editor, submission_key="a")
    second = log(article, editor, submission_key="b", refuse_duplicates=False)
    assert second.pk != first.pk
    assert (second.anchor_start, second.anchor_end) == (first.anchor_start, first.anchor_end)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("The rail strikes are nearly over", "rail strikes are nearly over!", True),
    ("The rail strikes are nearly over", "The rail strikes are not over", False),
    ("Unemployment fell by 12 per cent", "Unemployment fell by 15 per cent", False),
    ("Crime rose", "Crime fell", False),
])
def test_near_identical_statements(a, b, same):
    assert statements_near_identical(a, b) is same


def test_the_check_reads_a_bounded_number_of_rows(editor, settings,
                                                  django_assert_max_num_queries):
    settings.CLAIMS_SIMILAR_CANDIDATES = 3
    article = factories.ArticleFactory()
    old = log(article, editor)  # near-identical, but older than the 3 most recent claims
    for n in range(3):
        factories.ClaimFactory(statement=f"Other claim {n}")
    elsewhere = factories.ArticleFactory()
    with django_assert_max_num_queries(3):
        matches = claim_duplicates(article=elsewhere, start=0, end=5,
                                   statement="The rail strikes are nearly over")
    if connection.vendor == "postgresql":
        # PostgreSQL reads the nearest statements on the trigram index, however old.
        assert [m.claim for m in matches] == [old]
        return
    # Elsewhere the most recent claims are read: the older one is out of reach.
    assert matches == []
    settings.CLAIMS_SIMILAR_CANDIDATES = 10
    [match] = claim_duplicates(article=elsewhere, start=0, end=5,
                               statement="The rail strikes are nearly over")
    assert match.claim == old
