"""Writes about sources and evidence: citing a web page on a claim (one Source per
normalised URL, fetched in the background), evidence with its stance, fetching a source
again. Each raises ValidationError with a message in words."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims import queue
from claims.choices import SourceStatus, Stance
from claims.fetching.urls import URLInvalid, fetchable_url, registrable_domain, url_host_port
from claims.models import Claim, Evidence, Source
from claims.selectors.published import evidence_is_published
from claims.services.published import (
    START_A_CORRECTION,
    PublishedClaimFrozen,
)
from claims.uploads import typed_text


def evidence_add(
    *,
    claim: Claim,
    stance: str,
    note: str = "",
    excerpt: str = "",
    source=None,
    user: User | None = None,
):
    """Record a piece of evidence on a claim. It must rest on a source or say something in
    its note. A source is cited once per claim: evidence on a source already attached to the
    claim fills in that citation's stance, note and excerpt (history keeps the old ones),
    unless a published verdict cites it: readers see it, so it changes only through a
    correction. New evidence on a published claim is desk work for the next correction:
    readers see it only once a reviewed correction cites it."""
    note, excerpt = typed_text(note), typed_text(excerpt)
    if source is None and not note:
        raise ValidationError(
            {"note": "Write a note, or choose the source this evidence rests on."}
        )
    evidence = None
    if source is not None:
        evidence = Evidence.objects.filter(claim=claim, source=source).first()
    if evidence is not None and evidence_is_published(evidence):
        raise PublishedClaimFrozen(
            "Readers see this source’s stance, note and excerpt on the published fact-check, "
            f"so they change only through a correction. {START_A_CORRECTION}"
        )
    if evidence is None:
        evidence = Evidence(claim=claim, source=source, created_by=user)
    elif (evidence.stance, typed_text(evidence.note), typed_text(evidence.excerpt)) == (
        stance, note, excerpt
    ):
        return evidence  # sent back unchanged: nothing to write, no history row
    evidence.stance, evidence.note, evidence.excerpt = stance, note, excerpt
    evidence.full_clean()
    evidence.save()
    return evidence


def normalized_fetch_url(url: str) -> str:
    """The canonical URL, or a ValidationError on `url` in words. Everything a fetch would
    refuse before looking the host up (the scheme, credentials, length, a port the guard
    does not allow, a literal private address) is refused here already, by the fetcher's
    own checks, so the editor hears at once; host names are checked by the guard when the
    worker resolves them."""
    try:
        return fetchable_url(url)
    except URLInvalid as exc:
        raise ValidationError({"url": str(exc)}) from exc


def source_attach(
    *,
    claim: Claim,
    url: str,
    user: User | None,
    stance: str = "context",
    note: str = "",
    excerpt: str = "",
):
    """Cite a web page on a claim. One Source per normalised URL is shared by every claim;
    a new source is fetched in the background once this transaction commits. Citing the
    same source twice on one claim returns the existing evidence."""
    normalized = normalized_fetch_url(url)
    if stance not in Stance.values:
        raise ValidationError(
            {"stance": "Choose whether the source supports, refutes or gives context."}
        )
    with transaction.atomic():
        source, created = Source.objects.get_or_create(
            normalized_url=normalized,
            defaults={
                "url": url.strip()[:2000],
                "domain": registrable_domain(url_host_port(normalized)[1]),
                "created_by": user,
                "status_changed_at": timezone.now(),
            },
        )
        evidence = Evidence.objects.filter(claim=claim, source=source).first()
        if evidence is None:
            evidence = Evidence(
                claim=claim,
                source=source,
                stance=stance,
                note=note.strip(),
                excerpt=excerpt.strip(),
                created_by=user,
            )
            evidence.full_clean()
            evidence.save()
        if created:
            transaction.on_commit(lambda: queue.enqueue_source_fetch(source.pk))
    return evidence


def source_refetch(*, source, user: User | None = None):
    """Capture a source again (an editor's request, or the admin action). A source being
    fetched right now is left alone; the earlier captures are kept."""
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if locked.status == SourceStatus.FETCHING:
            raise ValidationError("This source is being fetched right now; wait for it to finish.")
        locked.status = SourceStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "status_changed_at",
                                   "updated_at"])
        transaction.on_commit(lambda: queue.enqueue_source_fetch(locked.pk))
    source.refresh_from_db()
    return source
