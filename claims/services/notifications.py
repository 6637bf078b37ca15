"""Notifications: in the desk (a row per recipient) and by email, sent once the
transaction commits; marking them read."""

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

logger = logging.getLogger(__name__)


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
    """Tell someone in the app, and by email once the transaction commits (so a refused or
    rolled-back action never mails anyone). Nobody is notified of their own action."""
    if recipient is None or (actor is not None and recipient.pk == actor.pk):
        return None
    claim = claim or (verdict.claim if verdict else None)
    url = url or (claim.get_absolute_url() if claim else "")
    notification = Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:500], url=url, claim=claim,
        verdict=verdict,
    )
    if recipient.email:
        # A header cannot hold a line break (a reviewer's comment may have several).
        subject = f"[{settings.ORGANISATION_NAME}] {' '.join(message.split())[:120]}"
        body = f"{message}\n\n{settings.SITE_URL}{url}\n"

        def mail():
            try:
                send_mail(subject, body, None, [recipient.email])
            except Exception:  # the in-app notice stands; a mail outage must not break work
                logger.exception("Could not email notification %s", notification.pk)

        transaction.on_commit(mail)
    return notification


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
