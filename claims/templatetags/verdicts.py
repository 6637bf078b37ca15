"""The verdict panel on the claim page, the notification badge in the layout, and the
filters that render verdict text safely.

`{% verdict_panel claim %}` fetches its own data with a fixed number of queries, so the
claim page's view needs to know nothing about verdicts. The buttons it shows follow the
same permissions as the services; the services check again on every POST."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef

from claims.choices import CaptureStatus, SourceStatus, VerdictState
from claims.forms.verdicts import CorrectionForm, VerdictDraftForm
from claims.models import Capture
from claims.selectors.dashboard import unread_notification_count
from claims.selectors.history import claim_audit_trail
from claims.selectors.verdicts import verdict_versions
from claims.services.verdicts import (
    EDITABLE_STATES,
    verdict_edited_by,
    verdict_publish_problems,
    verdicts_edited_by,
)
from claims.verdict_text import diff_words, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Markdown rendered and sanitised (nh3)."""
    return render_markdown(text)


@register.filter
def word_diff(new: str, old: str):
    return diff_words(old, new)


@register.filter
def text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (WCAG contrast), so a rating badge
    stays legible whatever colour an admin gives the level."""
    try:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    except (TypeError, ValueError):
        return "#fff"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#fff"


def actions_for(verdict, user, *, edited: bool | None = None) -> dict:
    """What the user may do with the verdict now (the services decide again on POST).
    `edited`: whether the user wrote any of it, when the caller already knows (the review
    queue asks once for the whole page)."""
    if verdict is None or not user.is_authenticated:
        return {}
    state = verdict.state
    is_author = verdict.author_id == user.pk
    reviewable = state in (VerdictState.SUBMITTED, VerdictState.APPROVED)
    can_review = user.has_perm("claims.review_verdict") and reviewable
    if can_review and not is_author and edited is None:
        edited = verdict_edited_by(verdict=verdict, user=user)
    own_review = can_review and (is_author or bool(edited))
    return {
        "edit": user.has_perm("claims.change_verdict") and state in EDITABLE_STATES,
        "submit": is_author and state in EDITABLE_STATES,
        "review": can_review and not own_review and state == VerdictState.SUBMITTED,
        "send_back": can_review and not own_review,
        "override": own_review and state == VerdictState.SUBMITTED
        and user.has_perm("claims.override_two_person_rule"),
        "own_review": own_review,
        "publish": user.has_perm("claims.publish_verdict") and state == VerdictState.APPROVED,
        "correct": user.has_perm("claims.change_verdict") and state == VerdictState.PUBLISHED
        and verdict.is_current,
    }


def review_actions(verdicts, user) -> dict[int, dict]:
    """actions_for each verdict of a review-queue page, with one query for the whole page to
    learn which of them the user edited (the two-person rule's "wrote any of it")."""
    if not user.is_authenticated or not user.has_perm("claims.review_verdict"):
        return {v.pk: actions_for(v, user) for v in verdicts}
    edited = verdicts_edited_by(verdict_ids=[v.pk for v in verdicts], user=user)
    return {v.pk: actions_for(v, user, edited=v.pk in edited) for v in verdicts}


@register.inclusion_tag("claims/partials/verdict_panel.html", takes_context=True)
def verdict_panel(context, claim):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    versions = list(verdict_versions(claim.pk))
    current = next((v for v in versions if v.is_current), None)
    evidence = list(
        claim.evidence.select_related("source")
        .annotate(captured=Exists(Capture.objects.filter(
            source_id=OuterRef("source_id"), status=CaptureStatus.SUCCESS)))
        .order_by("created_at", "id")
    )
    cited_ids = set(current.evidence.values_list("id", flat=True)) if current else set()
    actions = actions_for(current, user) if user is not None else {}
    can_draft = current is None and user is not None and user.has_perm("claims.add_verdict")
    draft_form = correction_form = None
    if actions.get("edit") or can_draft:
        initial = {"lock_version": current.lock_version if current else None}
        if current:
            initial.update(rating=current.rating_id, summary=current.summary,
                           rationale=current.rationale, evidence=list(cited_ids))
        else:
            # A new draft starts from the evidence readers can follow: notes, and sources
            # captured successfully; a source whose fetch failed is never ticked for them.
            initial["evidence"] = [
                e.pk for e in evidence
                if not e.source_id or (e.captured and e.source.status != SourceStatus.FAILED)
            ]
        draft_form = VerdictDraftForm(initial=initial, claim=claim, verdict=current)
    if actions.get("correct"):
        correction_form = CorrectionForm(
            initial={"rating": current.rating_id, "summary": current.summary,
                     "rationale": current.rationale, "evidence": list(cited_ids)},
            claim=claim, verdict=current, prefix="correction",
        )
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "claim": claim,
        "verdict": current,
        "older_versions": [v for v in versions if not v.is_current],
        "evidence": evidence,
        "cited": [e for e in evidence if e.pk in cited_ids],
        "actions": actions,
        "can_draft": can_draft,
        "draft_form": draft_form,
        "correction_form": correction_form,
        "publish_problems": verdict_publish_problems(current)
        if current is not None and current.state == VerdictState.APPROVED else [],
        # The claim page passes the history it has read for its own timeline.
        "audit": claim_audit_trail(claim, records=context.get("history_records")),
    }


@register.inclusion_tag("claims/partials/verdict_notifications_badge.html", takes_context=True)
def notifications_badge(context):
    """The unread count for the layout's navigation (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"user": user, "unread": unread_notification_count(user) if user else 0}
