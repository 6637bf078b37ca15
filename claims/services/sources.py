"""Writes about sources and evidence: citing a web page on a claim (one Source per
normalised URL, fetched in the background), evidence with its stance, fetching a source
again. Each raises ValidationError with a message in words."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims import queue
from claims.archiving import archive_verify
from claims.choices import SourceStatus, Stance
from claims.fetching.urls import URLInvalid, fetchable_url, registrable_domain, url_host_port
from claims.models import Claim, Evidence, Source
from claims.permissions import require_for
from claims.selectors.published import evidence_is_published
from claims.services.published import (
    START_A_CORRECTION,
    PublishedClaimFrozen,
    reviewed_edit_check,
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
) -> Evidence:
    """Add a piece of evidence to a claim: a note of its own, or the citation of a source not
    cited on the claim yet. It always adds, or refuses in words: it must rest on a source or
    say something in its note, and a source is cited once per claim, so a source already
    cited is refused with a pointer to its citation (whose stance, note and excerpt change
    through evidence_update). New evidence on a published claim is desk work for the next
    correction: readers see it only once a reviewed correction cites it."""
    require_for(user, "add_evidence")
    note, excerpt = typed_text(note), typed_text(excerpt)
    _check_stance(stance)
    if source is None and not note:
        raise ValidationError(
            {"note": "Write a note: evidence that cites no source is its note."}
        )
    if source is not None:
        cited = Evidence.objects.filter(claim=claim, source=source).first()
        if cited is not None:
            raise ValidationError({"source": (
                f"This source is already cited ({cited.get_stance_display()}). Change its "
                "stance, note or excerpt with “Edit” on its row in the evidence list."
            )})
    evidence = Evidence(claim=claim, source=source, stance=stance, note=note, excerpt=excerpt,
                        created_by=user)
    evidence._history_user = user
    evidence.full_clean()
    evidence.save()
    return evidence


# What evidence_update may change, in the order messages name them.
EVIDENCE_EDITABLE = ("stance", "note", "excerpt")


def evidence_update(
    *,
    evidence: Evidence,
    stance: str,
    note: str = "",
    excerpt: str = "",
    user: User | None = None,
) -> list[str]:
    """Change a piece of evidence's stance, note and excerpt. Returns the names of the fields
    that changed (in EVIDENCE_EDITABLE's order); none when the values sent are those stored,
    and then nothing is written, no history row either. Evidence without a source keeps a
    note. Readers see what a verdict cites: evidence a published verdict cites changes only
    through a correction (PublishedClaimFrozen), and evidence a submitted or approved verdict
    rests on changes only once the verdict is sent back (ClaimUnderReview)."""
    require_for(user, "edit_evidence")
    wanted = {"stance": stance, "note": typed_text(note), "excerpt": typed_text(excerpt)}
    _check_stance(stance)
    with transaction.atomic():
        stored = Evidence.objects.select_for_update().get(pk=evidence.pk)
        changed = [
            name for name in EVIDENCE_EDITABLE
            if wanted[name] != (stored.stance if name == "stance"
                                else typed_text(getattr(stored, name)))
        ]
        if changed:
            if stored.source_id is None and not wanted["note"]:
                raise ValidationError({"note": (
                    "This evidence rests on no source, so its note is all it says: write "
                    "one."
                )})
            _refuse_reviewed_evidence_change(stored)
            for name in changed:
                setattr(stored, name, wanted[name])
            stored._history_user = user
            stored.full_clean()
            stored.save(update_fields=[*changed, "updated_at"])
    for field in Evidence._meta.concrete_fields:
        setattr(evidence, field.attname, getattr(stored, field.attname))
    return changed


def _check_stance(stance: str) -> None:
    if stance not in Stance.values:
        raise ValidationError(
            {"stance": "Choose whether the source supports, refutes or gives context."}
        )


def evidence_edit_refusal(evidence: Evidence) -> str | None:
    """Why evidence_update would refuse any change to this evidence's stance, note and
    excerpt now, in its words, or None: the desk says it before offering a form."""
    try:
        _refuse_reviewed_evidence_change(evidence)
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return None


def _refuse_reviewed_evidence_change(evidence: Evidence) -> None:
    """What readers see or will see of this evidence changes only through a correction, or
    once the verdict under review that cites it is sent back."""
    if evidence_is_published(evidence):
        raise PublishedClaimFrozen(
            "Readers see this evidence’s stance, note and excerpt on the published "
            f"fact-check, so they change only through a correction. {START_A_CORRECTION}"
        )
    reviewed_edit_check(evidence, "stance, note and excerpt")


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
    require_for(user, "attach_source")
    normalized = normalized_fetch_url(url)
    _check_stance(stance)
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


def capture_archive_verify(*, archive, user: User | None = None) -> list[str]:
    """Verify a capture's evidence archive now (an editor's request); the result is recorded
    on the archive. Returns the problems in words (none: verified)."""
    return archive_verify(archive)
