"""Migration 0012 turns the history's record of who wrote each verdict into VerdictEditor
rows: after it, the two-person rule refuses the author and anyone who edited a verdict, and
lets a third person approve it, for verdicts written before the migration."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from claims.models import Verdict as CurrentVerdict
from claims.permissions import require
from claims.services.verdicts import verdict_approve

BEFORE = ("claims", "0011_drop_exportline")
AFTER = ("claims", "0012_verdict_editor")


def migrate(target):
    """Bring the test database to `target` and return the models as they are there."""
    call_command("migrate", *target, verbosity=0)
    return MigrationExecutor(connection).loader.project_state([target]).apps


def history_row(apps, verdict, user, reason: str, kind: str = "~", **changed):
    """A history row as django-simple-history wrote it at 0011: the verdict's fields, who
    saved it and the reason given."""
    HistoricalVerdict = apps.get_model("claims", "HistoricalVerdict")
    recorded = {f.attname for f in HistoricalVerdict._meta.concrete_fields}
    values = {f.attname: getattr(verdict, f.attname) for f in verdict._meta.concrete_fields
              if f.attname in recorded}
    values.update(changed)
    return HistoricalVerdict.objects.create(
        **values, history_date=timezone.now(), history_type=kind,
        history_user_id=user.pk if user else None, history_change_reason=reason,
    )


@pytest.mark.django_db(transaction=True)
def test_editors_recorded_in_history_cannot_approve_after_the_migration():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        reviewers = apps.get_model("auth", "Group").objects.get(name="Reviewers")
        erin, rita, robin = (User.objects.create(username=name) for name in
                             ("erin", "rita", "robin"))
        for user in (erin, rita, robin):
            user.groups.add(reviewers)
        Article = apps.get_model("claims", "Article")
        article = Article.objects.create(title="Speech", body="Unemployment fell by 12%.")
        claim = apps.get_model("claims", "Claim").objects.create(
            article=article, statement="Unemployment fell", quote="Unemployment fell",
            anchor_start=0, anchor_end=17, status="in_review")
        Verdict = apps.get_model("claims", "Verdict")
        verdict = Verdict.objects.create(
            claim=claim, author=erin, rating=apps.get_model("claims", "Rating").objects.first(),
            summary="It rose.", rationale="The figures.", state="submitted",
            submitted_at=timezone.now())
        history_row(apps, verdict, erin, "Drafted", "+", state="draft")
        history_row(apps, verdict, rita, "Edited", state="draft")
        history_row(apps, verdict, erin, "Submitted for review")
        # Robin sent an earlier version back: no writing, so he may still review it.
        history_row(apps, verdict, robin, "Sent back for changes", state="changes_requested")
        history_row(apps, verdict, None, "Edited")  # written by a command: nobody to refuse
        other = Verdict.objects.create(claim=apps.get_model("claims", "Claim").objects.create(
            article=article, statement="Prices fell", quote="fell", anchor_start=13,
            anchor_end=17), author=robin, state="draft")
        history_row(apps, other, robin, "Drafted", "+")
        gone = history_row(apps, other, rita, "Edited")
        gone.id = other.pk + 1000  # the history of a verdict since deleted
        gone.save()

        apps = migrate(AFTER)
        VerdictEditor = apps.get_model("claims", "VerdictEditor")
        assert set(VerdictEditor.objects.values_list("verdict_id", "user_id")) == {
            (verdict.pk, erin.pk), (verdict.pk, rita.pk), (other.pk, robin.pk)}
        # Today's services write today's tables (approval records captures, 0018): run them
        # on the latest schema, which keeps these rows.
        call_command("migrate", "claims", verbosity=0)
        users = {u.username: u for u in get_user_model().objects.all()}
        current = CurrentVerdict.objects.get(pk=verdict.pk)
        with pytest.raises(PermissionDenied, match="you wrote this verdict"):
            require(users["erin"], "approve", current)
        with pytest.raises(PermissionDenied, match="you edited this verdict"):
            verdict_approve(verdict=current, user=users["rita"])
        approved = verdict_approve(verdict=current, user=users["robin"])
        assert approved.state == "approved" and approved.reviewer == users["robin"]
    finally:
        call_command("migrate", "claims", verbosity=0)  # the database the other tests expect


@pytest.mark.django_db(transaction=True)
def test_migrating_back_drops_the_rows_and_keeps_the_history():
    migrate(AFTER)
    try:
        apps = migrate(BEFORE)
        tables = connection.introspection.table_names()
        assert "claims_verdicteditor" not in tables
        assert apps.get_model("claims", "HistoricalVerdict")._meta.db_table in tables
    finally:
        call_command("migrate", "claims", verbosity=0)  # the database the other tests expect
