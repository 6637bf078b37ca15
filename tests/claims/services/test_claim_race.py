"""Submitting a verdict and setting its claim "not checkable" exclude each other (issue 15):
both transitions lock the claim's row first, then read its status, so whichever comes
second sees what the first did and is refused in words. Deterministic tests of each
refusal, then real concurrent sessions on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from claims.choices import ClaimStatus, VerdictState
from claims.models import Claim, Verdict
from claims.services import claims as claim_services
from claims.services import verdicts as verdict_services
from claims.services.claims import _claim_set_status_locked, claim_set_status
from claims.services.verdicts import _require_state, verdict_approve, verdict_submit
from tests.verdict_setup import make_roles, make_verdict


@pytest.fixture
def users(db):
    return make_roles()


def draft(users) -> Verdict:
    return make_verdict(VerdictState.DRAFT, author=users["editor_author"])


# --- Each refusal, one after the other --------------------------------------------------------


def test_submit_is_refused_once_the_claim_is_not_checkable(users):
    verdict = draft(users)
    claim_set_status(claim=Claim.objects.get(pk=verdict.claim_id),
                              status=ClaimStatus.NOT_CHECKABLE, reason="An opinion.",
                              user=users["other_editor"])
    # `verdict` still carries the claim as it was loaded (researching): the service reads
    # the claim again under its lock.
    assert verdict.claim.status == ClaimStatus.RESEARCHING
    with pytest.raises(ValidationError, match="set aside as not checkable"):
        verdict_submit(verdict=verdict, user=users["editor_author"])
    assert Verdict.objects.get(pk=verdict.pk).state == VerdictState.DRAFT


def test_not_checkable_is_refused_once_a_verdict_is_submitted(users):
    verdict = draft(users)
    stale_claim = Claim.objects.get(pk=verdict.claim_id)  # loaded before the submit
    verdict_submit(verdict=verdict, user=users["editor_author"])
    assert stale_claim.status == ClaimStatus.RESEARCHING
    with pytest.raises(ValidationError, match="submitted for review, so the claim cannot be "
                       "set aside as not checkable"):
        claim_set_status(claim=stale_claim, status=ClaimStatus.NOT_CHECKABLE,
                                  reason="An opinion.", user=users["other_editor"])
    claim = Claim.objects.get(pk=verdict.claim_id)
    assert (claim.status, claim.not_checkable_reason) == (ClaimStatus.IN_REVIEW, "")


def test_not_checkable_is_refused_while_a_verdict_waits_for_review(users):
    """Should a claim be researching while its verdict is submitted (data from before the
    locks), the verdict still wins: the claim cannot be set aside under it."""
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    Claim.objects.filter(pk=verdict.claim_id).update(status=ClaimStatus.RESEARCHING)
    with pytest.raises(ValidationError,
                       match="submitted for review, so the claim cannot be set aside"):
        claim_set_status(claim=Claim.objects.get(pk=verdict.claim_id),
                                  status=ClaimStatus.NOT_CHECKABLE, reason="An opinion.",
                                  user=users["other_editor"])


def test_a_reviewer_cannot_approve_a_verdict_on_a_not_checkable_claim(users):
    """The state the race used to leave behind (a submitted verdict on a not-checkable
    claim) cannot be approved."""
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    Claim.objects.filter(pk=verdict.claim_id).update(
        status=ClaimStatus.NOT_CHECKABLE, not_checkable_reason="An opinion.")
    with pytest.raises(ValidationError, match="no verdict on it can be approved"):
        verdict_approve(verdict=verdict, user=users["reviewer"])
    assert Verdict.objects.get(pk=verdict.pk).state == VerdictState.SUBMITTED


# --- Real concurrent sessions (PostgreSQL) ------------------------------------------------------


def _widen(monkeypatch):
    """Hold each transition's locks a little longer, so the two overlap on every run."""
    require_state = _require_state
    set_status_locked = _claim_set_status_locked

    def slow_require_state(*args, **kwargs):
        require_state(*args, **kwargs)
        time.sleep(0.03)

    def slow_set_status(*args, **kwargs):
        time.sleep(0.03)
        return set_status_locked(*args, **kwargs)

    monkeypatch.setattr(verdict_services, "_require_state", slow_require_state)
    monkeypatch.setattr(claim_services, "_claim_set_status_locked", slow_set_status)


def race_once(users, verdict) -> dict[str, str]:
    """One editor submits the verdict while another sets its claim not checkable, each in
    their own session (thread and database connection). {transition: "done" or refusal}."""
    # Each session loads its rows first, as a view does, then acts.
    submit_verdict = Verdict.objects.select_related("claim").get(pk=verdict.pk)
    status_claim = Claim.objects.get(pk=verdict.claim_id)
    calls = {
        "submit": lambda: verdict_submit(
            verdict=submit_verdict, user=users["editor_author"]),
        "not_checkable": lambda: claim_set_status(
            claim=status_claim, status=ClaimStatus.NOT_CHECKABLE, reason="An opinion.",
            user=users["other_editor"]),
    }
    delays = [0, random.choice([0, 0.01, 0.02])]
    random.shuffle(delays)
    results: dict[str, str] = {}
    start = threading.Barrier(2)

    def act(name, delay):
        try:
            start.wait()
            time.sleep(delay)
            calls[name]()
            results[name] = "done"
        except ValidationError as error:
            results[name] = " ".join(error.messages)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(name, delay))
               for name, delay in zip(calls, delays, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submit_and_not_checkable_never_both_succeed(monkeypatch):
    users = make_roles()
    _widen(monkeypatch)
    outcomes = []
    for run in range(20):
        verdict = draft(users)
        results = race_once(users, verdict)
        claim = Claim.objects.get(pk=verdict.claim_id)
        state = Verdict.objects.get(pk=verdict.pk).state
        assert sorted(results) == ["not_checkable", "submit"], f"run {run}: {results}"
        done = [name for name, outcome in results.items() if outcome == "done"]
        assert len(done) == 1, f"run {run}: both or neither succeeded: {results}"
        refused = results["not_checkable" if done == ["submit"] else "submit"]
        assert "not checkable" in refused  # refused in words, naming the other transition
        if done == ["submit"]:
            assert (state, claim.status) == (VerdictState.SUBMITTED, ClaimStatus.IN_REVIEW)
        else:
            assert (state, claim.status) == (VerdictState.DRAFT, ClaimStatus.NOT_CHECKABLE)
        outcomes.append(done[0])
    # Both orders happened, so both refusals were exercised concurrently.
    assert set(outcomes) == {"submit", "not_checkable"}, outcomes
