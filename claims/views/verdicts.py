"""Views of the verdict workflow: the verdict panel of the claim page, POST-only actions
that call a service and say what happened (or why not) in words, the review queue and the
notifications list. What each user may do comes from claims/permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims.choices import SourceStatus, VerdictState
from claims.forms.notifications import NotificationPreferenceForm
from claims.forms.verdicts import CorrectionForm, VerdictDraftForm
from claims.highlight import quote_in_sentence
from claims.models import Claim, Verdict
from claims.params import object_id
from claims.permissions import may_draft, refusal_text, review_actions, verdict_actions
from claims.selectors import verdicts as verdicts_selectors
from claims.selectors.changes import reader_changes_of
from claims.selectors.dashboard import notification_preference_of, notifications_for
from claims.selectors.history import claim_audit_count, claim_audit_trail
from claims.services import verdicts as verdicts_services
from claims.services.notifications import (
    notification_mark_read,
    notification_preferences_set,
)
from claims.services.published import claim_reader_changes
from claims.services.verdicts import VerdictConflict
from claims.views.claimants import claimant_from_form
from claims.views.common import add_errors

# Verdicts per page of the review queue.
REVIEW_QUEUE_PAGE = 50

# The states in which a verdict may have been sent back and resubmitted to a reviewer.
REVIEWED = (VerdictState.SUBMITTED, VerdictState.APPROVED)


def _claim_url(claim_id: int) -> str:
    return reverse("claims:claim-detail", args=[claim_id]) + "#verdict"


def _from_queue(request) -> bool:
    """The action was taken on the review queue (its forms say so), not on the claim page."""
    return request.POST.get("from") == "review-queue"


def verdict_panel_context(claim: Claim, user, *, history_records: dict | None = None,
                          evidence: list | None = None) -> dict:
    """What the claim page's verdict panel shows: every version, the evidence and what the
    current version cites, what readers will see change with a correction or a
    resubmission, the actions this user may take, the draft or correction form when they
    may use one, and how long the audit trail is (claim_audit brings the trail itself when
    its fold opens). `evidence`: the claim's evidence when the page has read it already
    (selectors.claims.claim_evidence: with `captured`). A fixed number of queries."""
    versions = list(verdicts_selectors.verdict_versions(claim.pk))
    current = next((v for v in versions if v.is_current), None)
    if evidence is None:
        evidence = verdicts_selectors.claim_evidence_for_panel(claim)
    cited_ids = verdicts_selectors.cited_evidence_ids(current)
    actions = verdict_actions(current, user)
    can_draft = current is None and may_draft(user)
    draft_form = None
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
        draft_form = VerdictDraftForm(initial=initial, claim=claim, verdict=current,
                                      evidence_rows=evidence)
    # The correction form comes when its fold first opens (verdict_correct, GET): most
    # visits to a published claim never correct it.
    return {
        "claim": claim,
        "verdict": current,
        "older_versions": [v for v in versions if not v.is_current],
        "evidence": evidence,
        "cited": [e for e in evidence if e.pk in cited_ids],
        "actions": actions,
        "can_draft": can_draft,
        "draft_form": draft_form,
        "publish_problems": verdicts_selectors.verdict_publish_problems(current)
        if current is not None and current.state == VerdictState.APPROVED else [],
        # What readers will see change with a correction or a resubmission: the same read
        # as the review queue and the public corrections log.
        "changes": reader_changes_of(current)
        if current is not None and (current.supersedes_id or current.state in REVIEWED)
        else None,
        # The audit trail was a third of the claim page's CPU (seven of its queries and a
        # before/after of every recorded change) for a fold that starts closed: the count
        # here, the trail when the fold opens (claim_audit).
        "audit_count": claim_audit_count(claim, records=history_records),
    }


def _run(request, pk, action, success: str, **kwargs):
    """Call a transition service on the verdict `pk`; report success or the refusal in
    words, then go back to where the reviewer was: the claim page, or the review queue,
    naming the claim there."""
    verdict = get_object_or_404(Verdict, pk=pk)
    from_queue = _from_queue(request)
    try:
        action(verdict=verdict, user=request.user, **kwargs)
    except (PermissionDenied, ValidationError) as exc:
        words = refusal_text(exc)
        if from_queue:
            words = f"“{verdict.claim.statement}” was not changed: {words}"
        messages.error(request, words)
    else:
        if from_queue:
            success = f"{success.rstrip('.')}: “{verdict.claim.statement}”."
        messages.success(request, success)
    if from_queue:
        return redirect("claims:review-queue")
    return redirect(_claim_url(verdict.claim_id))


@login_required
@require_POST
def verdict_save(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    current = verdicts_selectors.verdict_current(claim=claim)
    form = VerdictDraftForm(request.POST, claim=claim, verdict=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            verdicts_services.verdict_save_draft(
                claim=claim, user=request.user, lock_version=data["lock_version"],
                rating=data["rating"], summary=data["summary"], rationale=data["rationale"],
                evidence=data["evidence"],
            )
        except VerdictConflict as exc:
            return _conflict(request, claim, form, exc)
        except PermissionDenied as exc:
            messages.error(request, refusal_text(exc))
            return redirect(_claim_url(claim.pk))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect(_claim_url(claim.pk))
    # Show the editor's own text again with the errors, so nothing typed is lost.
    return render(request, "verdicts/edit.html",
                  {"claim": claim, "form": form, "verdict": current}, status=400)


def _conflict(request, claim, form, exc: VerdictConflict):
    theirs = exc.theirs
    # The form keeps the editor's text and now carries the stored version, so saving it
    # again is a deliberate choice to replace theirs.
    data = request.POST.copy()
    data["lock_version"] = theirs.lock_version if theirs is not None else ""
    retry = VerdictDraftForm(data, claim=claim, verdict=theirs)
    retry.is_valid()
    mine = exc.mine
    return render(
        request, "verdicts/conflict.html",
        {"claim": claim, "form": retry, "mine": mine, "theirs": theirs,
         "message": refusal_text(exc)},
        status=409,
    )


@login_required
@require_POST
def verdict_submit(request, pk):
    return _run(request, pk, verdicts_services.verdict_submit, "Submitted for review.")


@login_required
@require_POST
def verdict_request_changes(request, pk):
    return _run(request, pk, verdicts_services.verdict_request_changes,
                "Sent back to the author with your comment.",
                comment=request.POST.get("comment", ""))


@login_required
@require_POST
def verdict_approve(request, pk):
    return _run(request, pk, verdicts_services.verdict_approve, "Approved.",
                override_reason=request.POST.get("override_reason", ""))


@login_required
@require_POST
def verdict_publish(request, pk):
    return _run(request, pk, verdicts_services.verdict_publish, "Published.")


def correction_form_for(verdict: Verdict) -> CorrectionForm:
    """A correction of `verdict` (published and current), starting from what readers see."""
    cited_ids = verdicts_selectors.cited_evidence_ids(verdict)
    return CorrectionForm(
        initial={"rating": verdict.rating_id, "summary": verdict.summary,
                 "rationale": verdict.rationale, "evidence": list(cited_ids)},
        claim=verdict.claim, verdict=verdict, prefix="correction",
    )


@login_required
@require_http_methods(["GET", "POST"])
def verdict_correct(request, pk):
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    claim = verdict.claim
    if request.method == "GET":
        # The form of the claim page's "Issue a correction" fold (htmx), or a page of its
        # own without JavaScript; only for who may correct this verdict now.
        if not verdict_actions(verdict, request.user).get("correct"):
            raise PermissionDenied("Only an editor can correct a published verdict, and only "
                                   "its current version.")
        context = {"claim": claim, "form": correction_form_for(verdict), "verdict": verdict}
        if request.htmx:
            return render(request, "claims/partials/correction_form.html", context)
        return render(request, "verdicts/correct.html", context)
    form = CorrectionForm(request.POST, claim=claim, verdict=verdict, prefix="correction")
    if form.is_valid():
        data = form.cleaned_data
        try:
            claimant = claimant_from_form(form, request.user)
            verdicts_services.verdict_correct(
                verdict=verdict, user=request.user, correction_note=data["correction_note"],
                rating=data["rating"], summary=data["summary"], rationale=data["rationale"],
                evidence=data["evidence"],
                claim_changes=claim_reader_changes(
                    claim, statement=data["statement"], claimant=claimant,
                    claimed_on=data["claimed_on"]),
            )
        except PermissionDenied as exc:
            messages.error(request, refusal_text(exc))
            return redirect(_claim_url(claim.pk))
        except ValidationError as exc:
            add_errors(form, exc, {"claimant": "claimant_name"})
        else:
            messages.success(request, "Correction submitted for review. The published "
                             "version stays online until the correction is published.")
            return redirect(_claim_url(claim.pk))
    return render(request, "verdicts/correct.html",
                  {"claim": claim, "form": form, "verdict": verdict}, status=400)


@login_required
@require_GET
def claim_audit(request, pk):
    """The claim's audit trail: who changed the claim, its verdicts and its evidence, and
    what before and after. The claim page's "Audit history" fold loads it when opened
    (htmx); without JavaScript its link opens it as a page of its own. Whoever may open the
    claim page may read it."""
    claim = get_object_or_404(Claim.objects.only("id", "statement"), pk=pk)
    context = {"claim": claim, "audit": claim_audit_trail(claim)}
    if request.htmx:
        return render(request, "claims/partials/audit_table.html", context)
    return render(request, "claims/claim_audit.html", context)


@login_required
@require_GET
def review_queue(request):
    # Oldest first, a page at a time: a busy desk can have more waiting than one page shows.
    # Each verdict with what a reviewer needs to decide (review_queue_items): the quote in
    # its sentence, the claimant and article, every change readers will see, the evidence
    # and its captures, the earlier review comments, and the actions this reviewer may take.
    # A fixed number of queries per page (tests/claims/views/test_review_context.py).
    page = Paginator(verdicts_selectors.review_queue(), REVIEW_QUEUE_PAGE).get_page(
        request.GET.get("page"))
    verdicts = list(page.object_list)
    actions = review_actions(verdicts, request.user)
    items = verdicts_selectors.review_queue_items(verdicts)
    for item in items:
        item.actions = actions[item.verdict.pk]
        item.quote = quote_in_sentence(
            passage=item.verdict.passage or "", passage_start=item.verdict.passage_start,
            claim=item.verdict.claim, reach=verdicts_selectors.PASSAGE_REACH)
    return render(request, "verdicts/review_queue.html", {"items": items, "page": page})


@login_required
@require_GET
def notifications(request):
    page = Paginator(notifications_for(request.user), 50).get_page(
        request.GET.get("page"))
    preference_form = NotificationPreferenceForm(
        instance=notification_preference_of(request.user))
    return render(request, "verdicts/notifications.html",
                  {"page": page, "preference_form": preference_form})


@login_required
@require_POST
def notification_preferences(request):
    """Each person chooses which notices also reach them by e-mail."""
    form = NotificationPreferenceForm(request.POST)
    if not form.is_valid():  # two checkboxes: only a hand-made request gets here
        messages.error(request, "Your e-mail choices were not saved: send the form again.")
        return redirect("claims:notifications")
    notification_preferences_set(user=request.user, **form.cleaned_data)
    chosen = [label for name, label in (
        ("email_review_requests", "verdicts submitted for review"),
        ("email_my_work", "your own work")) if form.cleaned_data[name]]
    messages.success(request, "Saved: " + (
        "you will be e-mailed about " + " and ".join(chosen) + "." if chosen
        else "you will not be e-mailed; notices stay here in the desk.")
        + ("" if request.user.email else
           " Your account has no e-mail address, so nothing can be mailed until an "
           "administrator adds one."))
    return redirect("claims:notifications")


@login_required
@require_POST
def notifications_mark_read(request):
    ids = request.POST.getlist("id")
    chosen = [pk for pk in map(object_id, ids) if pk is not None]
    if ids and not chosen:
        # Never "all of them" because the ids sent were not ids.
        messages.error(request, "Nothing was marked read: those are not notification numbers.")
        return redirect("claims:notifications")
    n = notification_mark_read(user=request.user, notification_ids=chosen or None)
    messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} read.")
    return redirect("claims:notifications")
