"""Reviewing with context: each review queue item shows the quote in its article sentence,
the claimant and the article, the sources with their captures, the earlier review comments
and, for a correction, every change readers will see. The queue, the claim page and the
public corrections log each cost the same number of queries however much they show."""

from __future__ import annotations

import re
from datetime import date

import pytest

from claims.models import Verdict
from claims.services.verdicts import (
    verdict_correct,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from tests.factories import (
    ArticleFactory,
    CaptureFactory,
    ClaimantFactory,
    ClaimFactory,
    default_rating,
)
from tests.support.pages import queries_for
from tests.verdict_setup import (
    captured_source_evidence,
    client_for,
    make_roles,
    publish_through_workflow,
)

pytestmark = pytest.mark.django_db

QUEUE = "/review/"

BODY = (
    "Budget day\n\n"
    "The minister spoke for an hour. She said unemployment fell by 12 per cent last year, "
    "the best result in a decade. Critics said the figure was misleading."
)


@pytest.fixture
def users():
    return make_roles()


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def item_html(html: str, statement: str) -> str:
    """The queue item whose heading is `statement`."""
    for item in html.split('data-testid="queue-item"')[1:]:
        if statement in item.split("</h2>")[0]:
            return item
    raise AssertionError(f"no queue item for {statement!r}")


def published_claim(users, *, statement: str, sources: int = 1):
    article = ArticleFactory(title="Budget speech", outlet="Daily Planet", body=BODY)
    claim = ClaimFactory(article=article, statement=statement, claimed_on=date(2026, 2, 28),
                         claimant=ClaimantFactory(name=f"Jane Roe {statement[-4:]}",
                                                  role="Finance minister",
                                                  organisation="Government"))
    for _ in range(sources):
        captured_source_evidence(claim)
    return publish_through_workflow(claim, author=users["editor_author"],
                                    reviewer=users["reviewer"])


def correction(users, statement: str, *, sources: int = 1) -> Verdict:
    """A published fact-check and its correction, changing the statement and the rating,
    waiting for review."""
    published = published_claim(users, statement=statement, sources=sources)
    return verdict_correct(
        verdict=published, user=users["other_editor"], correction_note="Wrong figure.",
        rating=default_rating("half-true"),
        claim_changes={"statement": statement.replace("12%", "2%")})


def resubmission(users, statement: str) -> Verdict:
    """A verdict sent back with a comment, then submitted again."""
    claim = ClaimFactory(statement=statement)
    captured_source_evidence(claim)
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                 rating=default_rating(), summary="Wrong.",
                                 rationale="The figures say otherwise.")
    verdict_submit(verdict=verdict, user=users["editor_author"])
    verdict = verdict_request_changes(verdict=verdict, user=users["reviewer"],
                                      comment="Which figures? Name the office.")
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"],
                                 lock_version=verdict.lock_version, rating=verdict.rating,
                                 summary="Wrong: the statistics office says it rose.",
                                 rationale=verdict.rationale)
    return verdict_submit(verdict=verdict, user=users["editor_author"])


def first_submission(users, statement: str) -> Verdict:
    claim = ClaimFactory(statement=statement)
    captured_source_evidence(claim, ok=False)
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                 rating=default_rating(), summary="Wrong.",
                                 rationale="Because.")
    return verdict_submit(verdict=verdict, user=users["editor_author"])


def test_a_correction_in_the_queue_shows_its_quote_claimant_article_and_every_change(users):
    verdict = correction(users, "Unemployment fell by 12% (A1)")
    html = client_for(users["senior"]).get(QUEUE).content.decode()
    item = item_html(html, "Unemployment fell by 12% (A1)")
    # The quote in its article sentence, highlighted.
    assert ('She said <mark class="claim-anchor">unemployment fell by 12 per cent last year'
            '</mark>, the best result in a decade.') in item
    # The claimant in full, and the article with a link to its desk page.
    assert "Jane Roe (A1), Finance minister, Government" in words(item)
    article = verdict.claim.article
    assert f'href="{article.get_absolute_url()}"' in item
    assert "in Budget speech ( Daily Planet )" in words(item)
    # Every change readers will see, each as a diff, and what stays the same named once.
    assert "compared with published version 1" in item
    changes = words(item.split('data-testid="reader-changes"')[1].split("</section>")[0])
    assert "Statement Unemployment fell by removed: 12% added: 2% (A1)" in changes
    assert "Rating removed: False added: Half true" in changes
    assert ("Unchanged: claimant, date claimed, quote, summary, rationale, evidence cited."
            in changes)
    assert "(unchanged)" not in item
    # The source with its capture state, and the copy readers will open.
    assert "· fetched" in item
    assert re.search(r"Readers will open the copy fetched \d+ \w+ \d{4} \d\d:\d\d: "
                     r"“<bdi>Labour market report</bdi>”", item)


def test_a_newer_capture_shows_in_the_queue_as_a_change(users):
    verdict = correction(users, "Unemployment fell by 12% (A2)")
    source = verdict.evidence.get().source
    CaptureFactory(source=source, title="Labour market report, revised")
    item = item_html(client_for(users["senior"]).get(QUEUE).content.decode(),
                     "Unemployment fell by 12% (A2)")
    changes = words(item.split('data-testid="reader-changes"')[1].split("</section>")[0])
    assert "Evidence cited Changed" in changes
    assert "Copy readers open: removed: copy fetched" in changes
    assert "“Labour market report” added: copy fetched" in changes
    assert "“Labour market report, revised”" in changes
    assert "“<bdi>Labour market report, revised</bdi>”" in item  # the copy it will open


def test_a_resubmission_shows_the_earlier_review_comments_and_what_changed(users):
    resubmission(users, "Unemployment fell by 12% (B1)")
    item = item_html(client_for(users["senior"]).get(QUEUE).content.decode(),
                     "Unemployment fell by 12% (B1)")
    history = words(item.split('data-testid="queue-review-history"')[1].split("</section>")[0])
    assert re.search(r"Robin Reviewer sent it back on \d+ \w+ \d{4} \d\d:\d\d: "
                     r"“ Which figures\? Name the office. ”", history), history
    assert "compared with the version Robin Reviewer sent back on" in item
    assert ("Summary removed: Wrong. added: Wrong: the statistics office says it rose. "
            "Unchanged: statement, claimant, date claimed, quote, rating, rationale, "
            "evidence cited.") in words(item)


def test_a_first_submission_says_there_is_nothing_to_compare(users):
    first_submission(users, "Unemployment fell by 12% (C1)")
    item = item_html(client_for(users["senior"]).get(QUEUE).content.decode(),
                     "Unemployment fell by 12% (C1)")
    assert "First submission: nothing to compare with." in item
    assert "not fetched successfully yet" in item
    assert 'data-testid="queue-capture"' not in item


def test_the_review_queue_costs_the_same_queries_for_1_item_as_for_8(users):
    client = client_for(users["senior"])
    correction(users, "Unemployment fell by 12% (Q1)")
    one = queries_for(client, QUEUE)
    for n in range(2, 5):
        correction(users, f"Unemployment fell by 12% (Q{n})", sources=n)
    resubmission(users, "Unemployment fell by 12% (Q5)")
    resubmission(users, "Unemployment fell by 12% (Q6)")
    first_submission(users, "Unemployment fell by 12% (Q7)")
    first_submission(users, "Unemployment fell by 12% (Q8)")
    html = client.get(QUEUE).content.decode()
    assert html.count('data-testid="queue-item"') == 8
    assert queries_for(client, QUEUE) == one


def test_the_claim_page_shows_a_corrections_changes_in_constant_queries(users):
    small = correction(users, "Unemployment fell by 12% (P1)")
    large = correction(users, "Unemployment fell by 12% (P2)", sources=6)
    client = client_for(users["senior"])
    html = client.get(small.claim.get_absolute_url()).content.decode()
    changes = words(html.split('data-testid="claim-changes"')[1].split("</section>")[0])
    assert "What readers will see change (the claim’s own changes are written when it is " \
           "published), compared with published version 1" in changes
    assert "Statement Unemployment fell by removed: 12% added: 2% (P1)" in changes
    assert "Rating removed: False added: Half true" in changes
    assert queries_for(client, small.claim.get_absolute_url()) == queries_for(
        client, large.claim.get_absolute_url())


def test_the_queue_reads_only_the_quotes_sentence_of_a_long_article(users):
    filler = "An earlier paragraph about something else entirely. " * 40
    article = ArticleFactory(body=filler + "\n\n" + BODY.split("\n\n")[1] + "\n\n" + filler)
    claim = ClaimFactory(article=article, statement="Unemployment fell by 12% (L1)")
    captured_source_evidence(claim)
    verdict = verdict_save_draft(claim=claim, user=users["editor_author"], lock_version=None,
                                 rating=default_rating(), summary="Wrong.", rationale="Because.")
    verdict_submit(verdict=verdict, user=users["editor_author"])
    item = item_html(client_for(users["senior"]).get(QUEUE).content.decode(),
                     "Unemployment fell by 12% (L1)")
    quote = item.split('data-testid="queue-quote"')[1].split("</blockquote>")[0]
    assert words(quote).endswith(
        "She said unemployment fell by 12 per cent last year , the best result in a decade.")
    assert "earlier paragraph" not in quote and "…" not in quote
