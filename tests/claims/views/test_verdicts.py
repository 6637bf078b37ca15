"""The verdict pages: the panel on the claim page, the POST-only actions, the conflict page,
the review queue and notifications (in-app and by email)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import VerdictState
from claims.models import Notification, Verdict
from claims.selectors.history import claim_audit_trail
from claims.services.claims import claim_assign
from claims.services.verdicts import (
    verdict_approve,
    verdict_publish,
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
)
from claims.views import verdicts as verdict_views
from claims.views.verdicts import verdict_panel_context
from tests.factories import ClaimFactory, EvidenceFactory, default_rating
from tests.verdict_setup import make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return make_roles()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def claim_page(client, claim) -> str:
    response = client.get(reverse("claims:claim-detail", args=[claim.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The panel ------------------------------------------------------------------------------


def test_panel_shows_rating_summary_sanitised_rationale_evidence_and_history(users):
    verdict = make_verdict(
        VerdictState.SUBMITTED, author=users["editor_author"],
        rationale="The ONS says **otherwise**.<script>alert('x')</script> [link](javascript:evil)",
    )
    html = claim_page(client_for(users["reviewer"]), verdict.claim)
    assert "False</span>" in html and "The figure is wrong." in html
    assert "<strong>otherwise</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    # The audit trail, read when its fold opens, shows the raw text, escaped.
    audit = client_for(users["reviewer"]).get(
        reverse("claims:claim-audit", args=[verdict.claim.pk]), HTTP_HX_REQUEST="true")
    assert audit.status_code == 200
    assert "&lt;script&gt;alert" in audit.content.decode()
    assert "<script>alert" not in audit.content.decode()
    assert str(verdict.evidence.first().source) in html and "· fetched" in html
    # A reviewer who is not the author sees the review actions, not the author's.
    assert "Send back for changes" in html and ">Approve</button>" in html
    assert "Submit for review" not in html
    assert "Audit history" in html


@pytest.mark.parametrize(
    ("ok", "status", "words"),
    [
        (True, "fetched", "· fetched</span>"),
        (True, "pending", "· fetched earlier; being fetched again (pending)"),
        (True, "failed",
         "· fetched earlier; the latest fetch failed (the earlier capture is kept)"),
        (False, "failed", "· not fetched successfully yet: the fetch failed"),
        (False, "fetching", "· not fetched successfully yet (fetching)"),
    ],
)
def test_panel_and_queue_say_what_the_sources_table_says(users, ok, status, words):
    """The evidence list says both whether a capture was ever kept and what the latest fetch
    is doing, so it never says "fetched" beside a Sources table that says "Pending"."""
    from claims.models import Source
    from tests.verdict_setup import captured_source_evidence

    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"], evidence=False)
    evidence = captured_source_evidence(verdict.claim, ok=ok)
    verdict.evidence.add(evidence)
    Source.objects.filter(pk=evidence.source_id).update(status=status)
    reviewer = client_for(users["reviewer"])
    assert words in claim_page(reviewer, verdict.claim)
    queue = reviewer.get(reverse("claims:review-queue")).content.decode()
    assert words in queue


def test_panel_offers_each_role_only_its_actions(users):
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["reviewer_author"])
    html = claim_page(client_for(users["reviewer_author"]), verdict.claim)
    assert ">Approve</button>" not in html and "two-person rule" in html
    html = claim_page(client_for(users["editor_author"]), verdict.claim)
    assert "Send back for changes" not in html and "Publish</button>" not in html
    admin_verdict = make_verdict(VerdictState.SUBMITTED, author=users["admin"])
    html = claim_page(client_for(users["admin"]), admin_verdict.claim)
    assert "Approve, overriding the two-person rule" in html


def test_panel_query_count_does_not_grow_with_history_or_evidence(users):
    """The panel reads its data with a fixed number of queries, built and rendered on its own."""
    verdict = make_verdict(VerdictState.DRAFT, author=users["editor_author"])
    request = RequestFactory().get("/")
    request.user = users["editor_author"]
    template = Template("{% load verdicts %}{% verdict_panel panel %}")

    def render_queries():
        claim = type(verdict.claim).objects.get(pk=verdict.claim_id)
        fresh_user = type(request.user).objects.get(pk=request.user.pk)  # empty perm cache
        request.user = fresh_user
        with CaptureQueriesContext(connection) as ctx:
            panel = verdict_panel_context(claim, fresh_user)
            template.render(Context({"panel": panel, "request": request, "user": fresh_user}))
        return len(ctx.captured_queries)

    few = render_queries()
    for i in range(5):
        verdict = verdict_save_draft(
            claim=verdict.claim, user=users["other_editor"], lock_version=verdict.lock_version,
            rating=default_rating("half-true"), summary=f"Summary {i}", rationale=f"Text {i}",
        )
        EvidenceFactory(claim=verdict.claim)
    assert render_queries() == few


def test_audit_history_shows_who_changed_what_before_and_after(users):
    verdict = make_verdict(VerdictState.DRAFT, author=users["editor_author"])
    verdict_save_draft(
        claim=verdict.claim, user=users["other_editor"], lock_version=verdict.lock_version,
        rating=default_rating("half-true"), summary="Half of it holds.", rationale="Because.",
    )
    client = client_for(users["editor_author"])
    html = claim_page(client, verdict.claim)
    url = reverse("claims:claim-audit", args=[verdict.claim.pk])
    # The claim page says how long the trail is and where it comes from when opened.
    expected = len(claim_audit_trail(verdict.claim))
    assert expected >= 3
    fold = html[html.index('id="audit"'):]
    assert f"Audit history ({expected} changes)" in fold and f'hx-get="{url}"' in fold
    # Opened in the page (htmx): the table alone. Without JavaScript: a page of its own.
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(url).content.decode()
    assert "<html" not in fragment and "<html" in page and "Back to the claim" in page
    for audit in (fragment, page):
        assert "Oscar Other" in audit and "Verdict version 1 changed" in audit
        assert "<del>False</del> → <ins>Half true</ins>" in audit
        assert "<del>The figure is wrong.</del> → <ins>Half of it holds.</ins>" in audit
        assert audit.count("<tr><td") == expected


def test_audit_history_needs_a_login_and_a_claim(users):
    verdict = make_verdict(VerdictState.DRAFT, author=users["editor_author"])
    url = reverse("claims:claim-audit", args=[verdict.claim.pk])
    response = Client().get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    missing = client_for(users["editor_author"]).get(
        reverse("claims:claim-audit", args=[verdict.claim.pk + 1000]))
    assert missing.status_code == 404
    assert client_for(users["editor_author"]).post(url).status_code == 405


# --- Actions: POST only, CSRF, errors in words -----------------------------------------------


def test_actions_are_post_only_and_need_csrf(users):
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    url = reverse("claims:verdict-approve", args=[verdict.pk])
    client = client_for(users["reviewer"])
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["reviewer"])
    assert strict.post(url).status_code == 403
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.SUBMITTED
    assert Client().post(url).status_code == 302  # anonymous: to the login page
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.SUBMITTED


def test_refused_action_says_why_and_changes_nothing(users):
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    client = client_for(users["editor_author"])
    response = client.post(reverse("claims:verdict-approve", args=[verdict.pk]), follow=True)
    assert "You cannot approve a verdict: that needs the Reviewers role" in \
        response.content.decode()
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.SUBMITTED


def test_whole_cycle_through_the_views(users):
    claim = ClaimFactory()
    from tests.verdict_setup import captured_source_evidence

    evidence = captured_source_evidence(claim)
    editor, reviewer = client_for(users["editor_author"]), client_for(users["reviewer"])
    r = editor.post(reverse("claims:verdict-save", args=[claim.pk]), {
        "rating": default_rating("false").pk, "summary": "Wrong year.",
        "rationale": "The figure is from **2009**.", "evidence": [evidence.pk],
        "lock_version": "",
    })
    assert r.status_code == 302
    verdict = Verdict.objects.get(claim=claim)
    editor.post(reverse("claims:verdict-submit", args=[verdict.pk]))
    reviewer.post(reverse("claims:verdict-request-changes", args=[verdict.pk]),
                  {"comment": "Link the 2009 release."})
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.CHANGES_REQUESTED
    html = claim_page(editor, claim)
    assert "Link the 2009 release." in html
    editor.post(reverse("claims:verdict-save", args=[claim.pk]), {
        "rating": default_rating("false").pk, "summary": "Wrong year.",
        "rationale": "The figure is from **2009**, see the release.", "evidence": [evidence.pk],
        "lock_version": verdict.lock_version,
    })
    editor.post(reverse("claims:verdict-submit", args=[verdict.pk]))
    reviewer.post(reverse("claims:verdict-approve", args=[verdict.pk]))
    response = reviewer.post(reverse("claims:verdict-publish", args=[verdict.pk]), follow=True)
    assert "Published." in response.content.decode()
    verdict.refresh_from_db()
    assert verdict.state == VerdictState.PUBLISHED
    assert "see the release" in verdict.rationale


def test_invalid_draft_keeps_the_editors_text(users):
    claim = ClaimFactory()
    response = client_for(users["editor_author"]).post(
        reverse("claims:verdict-save", args=[claim.pk]),
        {"summary": "x" * 301, "rationale": "My careful rationale", "lock_version": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My careful rationale" in html and "at most 300 characters" in html
    assert not Verdict.objects.filter(claim=claim).exists()


def test_conflicting_save_shows_both_versions_and_overwrites_nothing(users):
    verdict = make_verdict(VerdictState.DRAFT, author=users["editor_author"])
    seen = verdict.lock_version
    url = reverse("claims:verdict-save", args=[verdict.claim_id])
    form = {"rating": default_rating("false").pk, "lock_version": seen}
    first = client_for(users["editor_author"]).post(
        url, {**form, "summary": "Erin's summary", "rationale": "Rationale by Erin"})
    assert first.status_code == 302
    second = client_for(users["other_editor"]).post(
        url, {**form, "summary": "Oscar's summary", "rationale": "Rationale by Oscar"})
    assert second.status_code == 409
    html = second.content.decode()
    assert "Someone else saved this verdict while you were editing" in html
    assert "Erin Editor saved this verdict" in html
    assert "Rationale by Erin" in html and "Rationale by Oscar" in html
    # The retry form carries the stored version, so saving it again is deliberate.
    assert f'name="lock_version" value="{seen + 1}"' in html
    verdict.refresh_from_db()
    assert verdict.rationale == "Rationale by Erin"


def test_correction_through_the_view_needs_a_note_and_keeps_the_input(users):
    verdict = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"],
                           approver=users["senior"])
    client = client_for(users["other_editor"])
    url = reverse("claims:verdict-correct", args=[verdict.pk])
    data = {"correction-rating": default_rating("half-true").pk,
            "correction-summary": "Half right after all", "correction-rationale": "New text"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Half right after all" in response.content.decode()
    response = client.post(url, {**data, "correction-correction_note": "Wrong year."})
    assert response.status_code == 302
    new = Verdict.objects.get(claim=verdict.claim, is_current=True)
    assert (new.version, new.state, new.correction_note) == (2, VerdictState.SUBMITTED,
                                                             "Wrong year.")
    html = claim_page(client, verdict.claim)
    assert "Previous versions and corrections" in html and "Version 1" in html


# --- Review queue ----------------------------------------------------------------------------


def test_review_queue_lists_submitted_oldest_first_with_changes_since_sent_back(users):
    older = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    newer = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    make_verdict(VerdictState.DRAFT, author=users["editor_author"])
    Verdict.objects.filter(pk=older.pk).update(submitted_at=newer.submitted_at.replace(year=2020))
    verdict_request_changes(verdict=newer, user=users["reviewer"],
                                     comment="Say which year.")
    newer.refresh_from_db()
    verdict_save_draft(
        claim=newer.claim, user=users["editor_author"], lock_version=newer.lock_version,
        rating=default_rating("mostly-false"), summary="The figure is from 2009.",
        rationale=newer.rationale,
    )
    verdict_submit(verdict=newer, user=users["editor_author"])
    client = client_for(users["reviewer"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("claims:review-queue"))
    html = response.content.decode()
    assert html.count('data-testid="queue-item"') == 2
    assert html.index(older.claim.statement) < html.index(newer.claim.statement)
    assert "First submission" in html
    assert ('<span class="visually-hidden">removed: </span>False</del> <ins '
            'style="background:#dafbe1;color:#116329;text-decoration:none">'
            '<span class="visually-hidden"> added: </span>Mostly false</ins>') in html
    assert ">wrong.</del><ins " in html and ">from 2009.</ins>" in html
    queries = len(ctx.captured_queries)
    for _ in range(4):
        make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("claims:review-queue"))
    assert len(ctx.captured_queries) == queries


def test_review_queue_pages_through_everything_waiting(users, monkeypatch):
    """Nothing waiting is out of reach: the queue pages, oldest first, and a bad page number
    shows a page rather than an error."""

    monkeypatch.setattr(verdict_views, "REVIEW_QUEUE_PAGE", 2)
    verdicts = [make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
                for _ in range(5)]
    for i, verdict in enumerate(verdicts):  # oldest first: the order they were made in
        Verdict.objects.filter(pk=verdict.pk).update(
            submitted_at=verdict.submitted_at.replace(year=2020 + i))
    client = client_for(users["reviewer"])
    url = reverse("claims:review-queue")

    seen = []
    for number in (1, 2, 3):
        html = client.get(url, {"page": number}).content.decode()
        seen += [v.pk for v in verdicts if v.claim.statement in html]
    assert seen == [v.pk for v in verdicts]  # every one, once, oldest first
    html = client.get(url, {"page": 1}).content.decode()
    assert "5 waiting; 1–2 on this page" in html and "Page 1 of 3" in html
    assert 'href="?page=2"' in html
    for bad in ("x", "0", "99"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="queue-item"') in (1, 2)


# --- Notifications ----------------------------------------------------------------------------


def test_notifications_in_app_and_by_mail(users, django_capture_on_commit_callbacks):
    author = users["editor_author"]
    verdict = make_verdict(VerdictState.SUBMITTED, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        verdict_request_changes(verdict=verdict, user=users["reviewer"],
                                         comment="Add the source.")
    assert Notification.objects.get(recipient=author, verb="sent_back").url == \
        verdict.claim.get_absolute_url()
    assert mail.outbox[-1].to == [author.email]
    assert "sent back your verdict" in mail.outbox[-1].subject
    assert "Add the source." in mail.outbox[-1].body
    verdict.refresh_from_db()
    verdict_submit(verdict=verdict, user=author)
    with django_capture_on_commit_callbacks(execute=True):
        verdict_approve(verdict=verdict, user=users["reviewer"])
    assert "approved your verdict" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        verdict_publish(verdict=verdict, user=users["admin"])
    published = Notification.objects.filter(verb="published")
    assert {n.recipient for n in published} == {author, users["reviewer"]}
    assert sorted(m.to[0] for m in mail.outbox[-2:]) == sorted(
        [author.email, users["reviewer"].email])
    assert not Notification.objects.filter(recipient=users["admin"]).exists()  # not the actor


def test_assigning_a_claim_notifies_the_assignee_but_not_oneself(
        users, django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True):
        claim_assign(claim=claim, assignee=users["other_editor"],
                              user=users["editor_author"])
        claim_assign(claim=claim, assignee=users["editor_author"],
                              user=users["editor_author"])
    assert [n.recipient for n in Notification.objects.filter(verb="assigned")] == [
        users["other_editor"]]
    assert len(mail.outbox) == 1 and "assigned you the claim" in mail.outbox[0].subject


def test_a_refused_transition_notifies_nobody(users, django_capture_on_commit_callbacks):
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        verdict_request_changes(verdict=verdict, user=users["reviewer"], comment="")
    assert not Notification.objects.exists() and not mail.outbox


def test_notifications_page_unread_badge_and_mark_read(users):
    author = users["editor_author"]
    verdict = make_verdict(VerdictState.SUBMITTED, author=author)
    verdict_request_changes(verdict=verdict, user=users["reviewer"], comment="Fix it.")
    client = client_for(author)
    html = client.get(reverse("claims:notifications")).content.decode()
    assert "sent back your verdict" in html and 'aria-label="1 unread"' in html
    client.post(reverse("claims:notifications-read"))
    html = client.get(reverse("claims:notifications")).content.decode()
    assert 'aria-label="1 unread"' not in html
    assert Notification.objects.get().read_at is not None


def test_a_multi_line_comment_still_sends_the_mail(users, django_capture_on_commit_callbacks):
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    with django_capture_on_commit_callbacks(execute=True):
        verdict_request_changes(verdict=verdict, user=users["reviewer"],
                                         comment="Two things:\n1. the year\n2. the source")
    assert len(mail.outbox) == 1 and "\n" not in mail.outbox[0].subject
    assert "1. the year\n2. the source" in mail.outbox[0].body


def test_the_correction_form_comes_on_demand_and_only_for_who_may_correct(users):
    """The claim page's "Issue a correction" fold fetches its form when it opens; the form
    starts from what readers see. Someone who may not correct gets no form."""
    from tests.factories import UserFactory

    draft = make_verdict(VerdictState.PUBLISHED, author=users["editor_author"])
    claim = draft.claim
    url = reverse("claims:verdict-correct", args=[draft.pk])

    editor = Client()
    editor.force_login(users["editor_author"])
    page = editor.get(claim.get_absolute_url()).content.decode()
    fold = page[page.index('id="correction"'):]
    fold = fold[:fold.index("</details>")]
    assert f'hx-get="{url}" hx-trigger="toggle from:closest details once"' in fold
    assert f'<a href="{url}">Open the correction form</a>' in fold
    form = editor.get(url, HTTP_HX_REQUEST="true")
    html = form.content.decode()
    assert form.status_code == 200 and "<html" not in html
    assert 'name="correction-summary"' in html and draft.summary in html
    assert "Submit correction for review" in html
    page_of_its_own = editor.get(url).content.decode()
    assert "<html" in page_of_its_own and draft.summary in page_of_its_own
    assert "was not submitted" not in page_of_its_own  # nothing was sent yet

    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(url, HTTP_HX_REQUEST="true").status_code == 403
