"""Notifications: in the desk (a row per recipient) and by e-mail (as each person chose,
NotificationPreference), sent once the transaction commits; marking them read; each
person's e-mail choices."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from claims.models import (
    Claim,
    Notification,
    Verdict,
)
from claims.models.notifications import NotificationPreference
from claims.people import user_display
from claims.selectors.dashboard import reviewers_of

logger = logging.getLogger(__name__)


# Which of a person's e-mail choices covers a notice (by its verb).
REVIEW_REQUEST_VERBS = {"submitted"}


def _wants_email(recipient, verb: str, preference: NotificationPreference | None) -> bool:
    if not recipient.email:
        return False
    if preference is None:
        return True  # both e-mails are on until the person turns them off
    if verb in REVIEW_REQUEST_VERBS:
        return preference.email_review_requests
    return preference.email_my_work


def _mail_on_commit(notification: Notification, recipient) -> None:
    message, url = notification.message, notification.url
    # A header cannot hold a line break (a reviewer's comment may have several).
    subject = f"[{settings.ORGANISATION_NAME}] {' '.join(message.split())[:120]}"
    body = f"{message}\n\n{settings.SITE_URL}{url}\n"

    def mail():
        try:
            send_mail(subject, body, None, [recipient.email])
        except Exception:  # the in-app notice stands; a mail outage must not break work
            logger.exception("Could not email notification %s", notification.pk)

    transaction.on_commit(mail)


def notification_send(
    *,
    recipient,
    verb: str,
    message: str,
    actor=None,
    verdict: Verdict | None = None,
    claim: Claim | None = None,
    url: str = "",
) -> Notification | None:
    """Tell someone in the app, and by e-mail if they chose to, once the transaction
    commits (so a refused or rolled-back action never mails anyone). Nobody is notified of
    their own action."""
    if recipient is None or (actor is not None and recipient.pk == actor.pk):
        return None
    claim = claim or (verdict.claim if verdict else None)
    url = url or (claim.get_absolute_url() if claim else "")
    notification = Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:500], url=url, claim=claim,
        verdict=verdict,
    )
    preference = NotificationPreference.objects.filter(user=recipient).first()
    if _wants_email(recipient, verb, preference):
        _mail_on_commit(notification, recipient)
    return notification


def notification_send_reviewers(*, verdict: Verdict, actor) -> list[Notification]:
    """Tell everyone who may review a submitted verdict (the Reviewers group), except the
    people who wrote any of it (they may not review it): in the desk, and by e-mail for
    those who chose it. Two queries and one insert, whatever the number of reviewers."""
    claim = verdict.claim
    what = "correction" if verdict.supersedes_id else "verdict"
    message = (f"{user_display(actor)} submitted a {what} for review: “{claim.statement}”.")
    url = f"{claim.get_absolute_url()}#verdict"
    recipients = list(reviewers_of(verdict).exclude(pk=getattr(actor, "pk", None)))
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, verb="submitted", message=message[:500], url=url,
                     claim=claim, verdict=verdict)
        for user in recipients
    )
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(
        user__in=[user.pk for user in recipients])}
    for notification, user in zip(notifications, recipients, strict=True):
        if _wants_email(user, "submitted", preferences.get(user.pk)):
            _mail_on_commit(notification, user)
    return notifications


def notification_preferences_set(*, user, email_review_requests: bool,
                                 email_my_work: bool) -> NotificationPreference:
    """Save a person's e-mail choices."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_review_requests": email_review_requests,
                             "email_my_work": email_my_work})
    return preference


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
