"""Writes for claim assistance: storing suggestions, logging one as a claim, dismissing
one, and linking a claim to an earlier appearance of the same claim.

They follow the services' rules (keyword-only arguments, ValidationError or PermissionDenied
with a message in words) and build on them: a logged suggestion is a claim_log."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from claims.assist import progress
from claims.assist.ranking import SUGGESTION_MIN_SCORE, SUGGESTIONS_MAX, ranked, score_text
from claims.assist.selectors import claimant_named_in
from claims.assist.statements import (  # noqa: F401  (drafting lives there)
    STATEMENT_MAX,
    speaker_named_in,
    statement_from_sentence,
    without_link_popups,
)
from claims.choices import ArticleStatus
from claims.models import Article, Claim, Claimant, ClaimSuggestion
from claims.permissions import require
from claims.queue import enqueue_suggestions
from claims.services.articles import suggestions_enqueue
from claims.services.claim_store import claim_save
from claims.services.claims import claim_log

logger = logging.getLogger(__name__)


# --- Suggestions ------------------------------------------------------------------------


# How many sentences in languages the model does not read an article keeps, unscored.
UNSCORED_MAX = SUGGESTIONS_MAX

# Articles the sweeper looks at for a lost scoring request: ready ones added in this window.
SUGGESTIONS_SWEEP_WINDOW = timedelta(days=1)


def suggestions_sweep_unscored(*, older_than: float | None = None) -> int:
    """Enqueue the scoring of articles whose request was lost (the broker was down when the
    article was added): ready articles with text, added within SUGGESTIONS_SWEEP_WINDOW and
    more than FETCH_STUCK_AFTER_SECONDS ago, that have no suggestion at all. Each is asked
    for once a window (a mark in the shared cache), so an article with nothing worth
    checking is not scored again at every sweep. Returns how many were enqueued."""
    older_than = settings.FETCH_STUCK_AFTER_SECONDS if older_than is None else older_than
    now = timezone.now()
    candidates = list(
        Article.objects.filter(
            status=ArticleStatus.READY,
            created_at__gte=now - SUGGESTIONS_SWEEP_WINDOW,
            created_at__lte=now - timedelta(seconds=older_than),
        )
        .exclude(body="")
        .exclude(Exists(ClaimSuggestion.objects.filter(article=OuterRef("pk"))))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    keys = {pk: f"claims:suggestions-swept:{pk}" for pk in candidates}
    try:
        asked = cache.get_many(list(keys.values()))
    except Exception:  # the cache lives in the same Redis: if it is down, so is the broker
        return 0
    enqueued = 0
    for pk in candidates:
        if keys[pk] in asked:
            continue
        if not enqueue_suggestions(pk):
            break  # the broker is still down: the next sweep tries again
        cache.set(keys[pk], 1, timeout=int(SUGGESTIONS_SWEEP_WINDOW.total_seconds()))
        enqueued += 1
    return enqueued


def suggestions_request(*, article: Article, user) -> None:
    """An editor asks for the article's sentences to be scored: the work goes to a worker
    (it grows with the article, and a request must answer at once whatever its size); the
    suggestions panel shows the progress and then the results."""
    require(user, "score_articles")
    if article.status != ArticleStatus.READY:
        raise ValidationError("The article text has not arrived yet; it is scored when it does.")
    if not article.body.strip():
        raise ValidationError("The article has no text yet, so there is nothing to suggest.")
    progress.progress_set(article.pk, progress.QUEUED)
    suggestions_enqueue(article=article)


def suggestions_refresh(*, article: Article) -> list[ClaimSuggestion]:
    """Score the article's sentences and store the best as suggestions, ranked. Sentences in
    a language the model was not trained on are stored too, with their language and no
    score (the first UNSCORED_MAX, in text order): the panel lists them apart ("not scored:
    Arabic"), for the editor to read, log or dismiss.

    Idempotent: a sentence already suggested keeps its row (and so its dismissal or its
    claim) and only has its score and reasons brought up to date; suggestions for sentences
    no longer in the text go, unless an editor dismissed them or logged them as claims."""
    sentences = score_text(article.body, language=article.language)
    kept = ranked(sentences, top=SUGGESTIONS_MAX, min_score=SUGGESTION_MIN_SCORE)
    kept += [s for s in sentences if s.score is None][:UNSCORED_MAX]
    rows = [
        ClaimSuggestion(
            article=article,
            start=s.start,
            end=s.end,
            text=s.text,
            language=s.language,
            score=s.score,
            reasons=s.reasons,
        )
        for s in kept
    ]
    with transaction.atomic():
        if rows:
            ClaimSuggestion.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["article", "start", "end"],
                update_fields=["text", "language", "score", "reasons"],
            )
        keep = {(s.start, s.end) for s in kept}
        open_rows = ClaimSuggestion.objects.filter(
            article=article, dismissed_at__isnull=True, claim__isnull=True
        ).values_list("pk", "start", "end")
        stale = [pk for pk, start, end in open_rows if (start, end) not in keep]
        if stale:
            ClaimSuggestion.objects.filter(pk__in=stale).delete()
        _link_logged_claims(article)
    return list(ClaimSuggestion.objects.filter(article=article)
                .order_by(F("score").desc(nulls_last=True), "start", "id"))


def _link_logged_claims(article: Article) -> None:
    """A sentence an editor already logged a claim from (by hand, overlapping its words)
    is not offered again: its suggestion points at that claim."""
    claims = list(
        article.claims.order_by("anchor_start", "id").values_list(
            "pk", "anchor_start", "anchor_end"
        )
    )
    if not claims:
        return
    updates = []
    for suggestion in ClaimSuggestion.objects.filter(article=article, claim__isnull=True):
        for pk, start, end in claims:
            if start < suggestion.end and end > suggestion.start:
                suggestion.claim_id = pk
                updates.append(suggestion)
                break
    if updates:
        ClaimSuggestion.objects.bulk_update(updates, ["claim"])


def suggestions_refresh_by_id(*, article_id: int) -> str:
    """For the task: the article may have gone, or not be ready yet."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return "missing"
    if article.status != ArticleStatus.READY:
        return f"skipped: article is {article.status}"
    progress.progress_set(article_id, progress.RUNNING)
    try:
        stored = suggestions_refresh(article=article)
    except IntegrityError:
        # The article was deleted while we scored it.
        return "missing"
    except Exception as exc:
        progress.progress_set(article_id, progress.FAILED,
                              error=f"{type(exc).__name__}: {exc}"[:300])
        raise
    progress.progress_set(article_id, progress.DONE, suggestions=len(stored))
    return f"{len(stored)} suggestions"


def claimant_proposed(sentence: str) -> tuple[Claimant | None, str]:
    """Who the sentence says made the claim: the claimant on file it names (claimant_named_in,
    or one whose name is exactly the speaker's), else nobody and the speaker's name as the
    sentence gives it ("Schumer", "Chuck Schumer"), for the editor to confirm. A claimant is
    never created from a guess."""
    sentence = without_link_popups(" ".join(sentence.split()))
    found = claimant_named_in(sentence)
    name = speaker_named_in(sentence)
    if found is None and name:
        same = list(Claimant.objects.filter(name__iexact=name).order_by("id")[:2])
        found = same[0] if len(same) == 1 else None
    return found, "" if found else name


def suggestion_log_claim(
    *, suggestion: ClaimSuggestion, user, statement: str = "", claimant=None
) -> Claim:
    """One click: log the suggested sentence as a claim anchored to its exact offsets. The
    claimant, unless given, is the one on file the sentence names as its speaker, if exactly
    one fits (claimant_proposed); else nobody, for the editor to set.

    Refused, in words, when the sentence is already logged (by this button or by hand: the
    suggestion is then marked with that claim, so nobody logs it twice), when it was
    dismissed, or when the article text moved under it."""
    require(user, "log_claim")
    existing = (
        Claim.objects.filter(
            article_id=suggestion.article_id,
            anchor_start=suggestion.start,
            anchor_end=suggestion.end,
        )
        .order_by("id")
        .first()
    )
    if existing:
        # Committed on its own, before the refusal, so the page stops offering the button.
        ClaimSuggestion.objects.filter(pk=suggestion.pk, claim__isnull=True).update(claim=existing)
        raise ValidationError(
            f"This sentence is already logged as the claim “{existing.statement}”."
        )
    with transaction.atomic():
        suggestion = (
            ClaimSuggestion.objects.select_for_update()
            .select_related("article")
            .get(pk=suggestion.pk)
        )
        if suggestion.dismissed_at:
            raise ValidationError(
                "This suggestion was dismissed; select the words in the article to log them."
            )
        article = suggestion.article
        if article.body[suggestion.start : suggestion.end] != suggestion.text:
            raise ValidationError(
                "The article text changed since this suggestion was made, so it no longer "
                "points at these words. Score the article again."
            )
        claim = claim_log(
            article=article,
            quote=suggestion.text,
            start=suggestion.start,
            end=suggestion.end,
            statement=statement.strip() or statement_from_sentence(suggestion.text),
            user=user,
            claimant=claimant or claimant_proposed(suggestion.text)[0],
        )
        suggestion.claim = claim
        suggestion.save(update_fields=["claim"])
    return claim


@transaction.atomic
def suggestion_dismiss(*, suggestion: ClaimSuggestion, user) -> ClaimSuggestion:
    """Hide a suggestion for good: scoring the article again does not bring it back."""
    require(user, "dismiss_suggestion")
    suggestion = ClaimSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.claim_id:
        raise ValidationError("This sentence is already logged as a claim; it cannot be dismissed.")
    if suggestion.dismissed_at is None:
        suggestion.dismissed_at = timezone.now()
        suggestion.dismissed_by = user
        suggestion.save(update_fields=["dismissed_at", "dismissed_by"])
    return suggestion


# --- Appearances of the same claim --------------------------------------------------------


def _root(claim: Claim) -> tuple[Claim, list[int]]:
    """The first appearance a claim points to, and the ids on the way there."""
    seen = [claim.pk]
    current = claim
    while current.appearance_of_id is not None:
        if current.appearance_of_id in seen:
            break  # a loop left by older data; stop rather than spin
        current = Claim.objects.get(pk=current.appearance_of_id)
        seen.append(current.pk)
    return current, seen


@transaction.atomic
def claim_link_appearance(*, claim: Claim, first: Claim, user) -> Claim:
    """Record that `claim` repeats `first` (ClaimReview appearance / firstAppearance).

    The links stay one level deep: if `first` is itself an appearance of an earlier claim,
    `claim` is linked to that earlier one, and claims that pointed at `claim` move with it.
    A claim cannot be an appearance of itself, and a link that would close a loop is
    refused.

    Linking a claim whose fact-check is published changes nothing readers see: they see
    the appearances recorded when its verdict was approved (VerdictAppearance); a new link
    reaches them only with a correction, reviewed under the two-person rule."""
    require(user, "link_claims")
    if claim.pk == first.pk:
        raise ValidationError("A claim cannot be another appearance of itself.")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    root, path = _root(Claim.objects.get(pk=first.pk))
    if claim.pk in path:
        raise ValidationError(
            f"“{first.statement}” is already an appearance of “{claim.statement}”; linking "
            "them the other way round would make a loop. Unlink it first."
        )
    if claim.appearance_of_id == root.pk:
        return claim
    claim.appearance_of = root
    claim_save(claim, fields=["appearance_of"], user=user,
               reason=f"Linked as an appearance of claim {root.pk}")
    for follower in Claim.objects.select_for_update().filter(appearance_of=claim):
        follower.appearance_of = root
        claim_save(follower, fields=["appearance_of"], user=user,
                   reason=f"Linked as an appearance of claim {root.pk}")
    return claim


def _first_known(claim: Claim):
    return (claim.claimed_on or claim.created_at.date(), claim.created_at, claim.pk)


def claim_link_same(*, claim: Claim, other: Claim, user) -> Claim:
    """Link two claims that say the same thing: the one made first becomes the first
    appearance (by date claimed, then by when it was logged). Returns the later claim."""
    if claim.pk == other.pk:
        raise ValidationError("A claim cannot be another appearance of itself.")
    first, later = sorted([claim, other], key=_first_known)
    return claim_link_appearance(claim=later, first=first, user=user)


@transaction.atomic
def claim_unlink_appearance(*, claim: Claim, user) -> Claim:
    """Undo a link made by mistake: the claim stands on its own again."""
    require(user, "unlink_claims")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.appearance_of_id is not None:
        claim.appearance_of = None
        claim_save(claim, fields=["appearance_of"], user=user, reason="Unlinked")
    return claim
