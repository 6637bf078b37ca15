"""Reviewers are told: a verdict (or a correction) submitted for review reaches everyone who
may review it, in the desk and by e-mail as each person chose, never its own writers; the
author hears of approval, sending back and publication as they chose; the dashboard shows
what waits for each person."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from claims.choices import VerdictState
from claims.models import Notification, VerdictEditor
from claims.models.notifications import NotificationPreference
from claims.services.verdicts import verdict_request_changes, verdict_submit
from tests.support.pages import queries_for
from tests.verdict_setup import client_for, make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return make_roles()


def _submit(verdict, user, capture):
    with capture(execute=True):
        return verdict_submit(verdict=verdict, user=user)


def test_a_submitted_verdict_reaches_every_reviewer_but_not_its_writers(
        people, django_capture_on_commit_callbacks):
    author = people["editor_author"]
    verdict = make_verdict(VerdictState.DRAFT, author=author)
    # Rita (a reviewer) edited this verdict, so the two-person rule keeps her from reviewing
    # it: she is not asked to.
    VerdictEditor.objects.create(verdict=verdict, user=people["reviewer_author"])
    _submit(verdict, author, django_capture_on_commit_callbacks)
    told = set(Notification.objects.filter(verb="submitted", verdict=verdict)
               .values_list("recipient__username", flat=True))
    assert told == {"robin", "sam"}
    notice = Notification.objects.filter(verb="submitted").first()
    assert "submitted a verdict for review" in notice.message
    assert notice.url == f"{verdict.claim.get_absolute_url()}#verdict"
    mailed = sorted(address for message in mail.outbox for address in message.to)
    assert mailed == sorted([people["reviewer"].email, people["senior"].email])
    assert all(verdict.claim.statement in message.subject for message in mail.outbox)


def test_a_reviewer_who_turned_off_review_mail_sees_the_notice_but_gets_no_mail(
        people, django_capture_on_commit_callbacks):
    client = client_for(people["reviewer"])
    response = client.post(reverse("claims:notification-preferences"),
                           {"email_my_work": "on"})  # review requests left unticked
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=people["reviewer"]).email_review_requests \
        is False
    verdict = make_verdict(VerdictState.DRAFT, author=people["editor_author"])
    _submit(verdict, people["editor_author"], django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=people["reviewer"], verb="submitted").exists()
    mailed = sorted(address for message in mail.outbox for address in message.to)
    assert mailed == sorted([people["reviewer_author"].email, people["senior"].email])


def test_an_author_who_turned_off_mail_about_their_work_is_told_only_in_the_desk(
        people, django_capture_on_commit_callbacks):
    author = people["editor_author"]
    NotificationPreference.objects.create(user=author, email_my_work=False)
    verdict = make_verdict(VerdictState.SUBMITTED, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        verdict_request_changes(verdict=verdict, user=people["reviewer"], comment="Cite it.")
    assert Notification.objects.filter(recipient=author, verb="sent_back").exists()
    assert not any(author.email in m.to for m in mail.outbox)


def test_the_notifications_page_offers_the_choices_with_labels(people):
    html = client_for(people["reviewer"]).get(reverse("claims:notifications")).content.decode()
    assert "E-mail me when a verdict is submitted for review" in html
    assert "E-mail me about my own work" in html
    assert 'name="email_review_requests"' in html and "checked" in html


def test_the_dashboard_shows_what_waits_for_each_person(people):
    author, reviewer = people["editor_author"], people["reviewer"]
    waiting = make_verdict(VerdictState.SUBMITTED, author=author)
    sent_back = make_verdict(VerdictState.CHANGES_REQUESTED, author=author, approver=reviewer)
    html = client_for(reviewer).get(reverse("claims:dashboard")).content.decode()
    section = html.split('id="waiting"')[1].split("</section>")[0]
    assert waiting.claim.statement in section and "To review" in section
    assert sent_back.claim.statement not in section  # not Robin's to act on
    html = client_for(author).get(reverse("claims:dashboard")).content.decode()
    section = html.split('id="waiting"')[1].split("</section>")[0]
    assert sent_back.claim.statement in section and "Cite the 2011 figures." in section
    assert "To review" not in section  # an editor reviews nothing
    # Nothing waits for the other editor: no section at all.
    html = client_for(people["other_editor"]).get(reverse("claims:dashboard")).content.decode()
    assert 'id="waiting"' not in html


def test_the_dashboard_counts_the_same_queries_however_much_waits(people):
    reviewer = people["reviewer"]
    client = client_for(reviewer)
    make_verdict(VerdictState.SUBMITTED, author=people["editor_author"])
    one = queries_for(client, reverse("claims:dashboard"))
    for _ in range(4):
        make_verdict(VerdictState.SUBMITTED, author=people["editor_author"])
    assert queries_for(client, reverse("claims:dashboard")) == one


def test_telling_reviewers_costs_the_same_queries_however_many_there_are(
        people, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    from tests.verdict_setup import user_in

    verdict = make_verdict(VerdictState.DRAFT, author=people["editor_author"])
    for i in range(12):
        user_in(f"extra{i}", "Reviewers")
    from claims.services.notifications import notification_send_reviewers

    with django_assert_max_num_queries(3):
        notification_send_reviewers(verdict=verdict, actor=people["editor_author"])
    assert Notification.objects.filter(verb="submitted").count() == 3 + 12  # robin, rita, sam

