"""The claims table's bulk action (claims:claim-bulk): every choice is explicit, an
incomplete submission changes nothing and says why, and the message says what was done to
each claim."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.models import Claim
from tests import factories
from tests.verdict_setup import make_verdict

pytestmark = pytest.mark.django_db

URL = reverse("claims:claim-bulk")


@pytest.fixture
def robin(db):
    return factories.UserFactory(username="robin", first_name="Robin", last_name="")


@pytest.fixture
def ana(db):
    return factories.UserFactory(username="ana", first_name="Ana", last_name="")


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def states(*claims) -> list[tuple[str, int | None, int]]:
    return [tuple(Claim.objects.filter(pk=c.pk).values_list("status", "assignee", "version")[0])
            for c in claims]


def test_status_change_leaves_the_assignee_alone(client_ed, robin):
    claims = factories.ClaimFactory.create_batch(2, assignee=robin)
    response = client_ed.post(URL, {"action": "status", "status": "researching",
                                    "claims": [c.pk for c in claims], "next": "/claims/?q=x"})
    assert response["Location"] == "/claims/?q=x"
    assert said(response) == ["2 claims set to Researching."]
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.assignee) == (ClaimStatus.RESEARCHING, robin)


def test_a_published_claim_is_skipped_with_its_reason(client_ed, editor, robin):
    fresh = factories.ClaimFactory.create_batch(2)
    published = make_verdict("published", author=editor, approver=robin).claim
    response = client_ed.post(URL, {"action": "status", "status": "researching",
                                    "claims": [published.pk, *(c.pk for c in fresh)]})
    assert said(response) == [
        "2 claims set to Researching; 1 skipped: its fact-check is published."]
    assert Claim.objects.get(pk=published.pk).status == ClaimStatus.PUBLISHED
    assert Claim.objects.filter(status=ClaimStatus.RESEARCHING).count() == 2


def test_claims_already_in_the_status_are_counted_apart(client_ed):
    new = factories.ClaimFactory()
    researching = factories.ClaimFactory.create_batch(2, status=ClaimStatus.RESEARCHING)
    in_review = factories.ClaimFactory.create_batch(2, status=ClaimStatus.IN_REVIEW)
    response = client_ed.post(URL, {"action": "status", "status": "researching", "claims": [
        new.pk, *(c.pk for c in researching), *(c.pk for c in in_review)]})
    assert said(response) == [
        "1 claim set to Researching; 2 already were; 2 skipped: their verdicts are in review."]


def test_not_checkable_with_its_reason(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(URL, {"action": "status", "status": "not_checkable",
                                    "reason": "An opinion", "claims": [claim.pk]})
    assert said(response) == ["1 claim set to Not checkable."]
    claim.refresh_from_db()
    assert claim.not_checkable_reason == "An opinion"


def test_assign_says_who_and_which_already_were(client_ed, robin, ana):
    first, second = factories.ClaimFactory(assignee=robin), factories.ClaimFactory()
    already = factories.ClaimFactory(assignee=ana, status=ClaimStatus.RESEARCHING)
    response = client_ed.post(URL, {"action": "assign", "assignee": ana.pk,
                                    "claims": [first.pk, second.pk, already.pk]})
    assert said(response) == ["2 claims assigned to Ana; 1 already was."]
    assert Claim.objects.filter(assignee=ana).count() == 3
    assert Claim.objects.get(pk=already.pk).status == ClaimStatus.RESEARCHING


def test_nobody_is_an_explicit_choice(client_ed, robin):
    claim = factories.ClaimFactory(assignee=robin)
    response = client_ed.post(URL, {"action": "assign", "assignee": "nobody",
                                    "claims": [claim.pk]})
    assert said(response) == ["1 claim unassigned."]
    claim.refresh_from_db()
    assert claim.assignee is None


def test_missing_claims_are_skipped(client_ed, ana):
    claim = factories.ClaimFactory()
    response = client_ed.post(URL, {"action": "assign", "assignee": ana.pk,
                                    "claims": [claim.pk, 999999]})
    assert said(response) == ["1 claim assigned to Ana; 1 skipped: it no longer exists."]


@pytest.mark.parametrize(
    ("sent", "words"),
    [
        # What a reset bar used to send: "assign" with the assignee empty. Not "Nobody".
        ({"action": "assign", "assignee": ""},
         "Nothing was changed. Choose who to assign the claims to, or “Nobody”."),
        ({"action": "assign"},
         "Nothing was changed. Choose who to assign the claims to, or “Nobody”."),
        ({"action": "status"}, "Nothing was changed. Choose the new status."),
        ({"action": "status", "status": "", "assignee": "nobody"},
         "Nothing was changed. Choose the new status."),
        ({"action": "status", "status": "not_checkable", "reason": "  "},
         "Nothing was changed. Say why the claims cannot be checked."),
        ({}, "Nothing was changed. Choose an action: assign the claims or set their status."),
        ({"action": "", "status": "researching"},
         "Nothing was changed. Choose an action: assign the claims or set their status."),
        ({"action": "delete"}, "Nothing was changed. Select a valid choice. delete is not one "
         "of the available choices."),
    ],
)
def test_incomplete_submissions_are_refused_in_words(client_ed, robin, sent, words):
    claims = factories.ClaimFactory.create_batch(2, assignee=robin)
    before = states(*claims)
    response = client_ed.post(URL, {**sent, "claims": [c.pk for c in claims]})
    assert response.status_code == 302
    assert said(response) == [words]
    assert states(*claims) == before


def test_nothing_ticked_is_refused(client_ed):
    response = client_ed.post(URL, {"action": "status", "status": "researching"})
    assert said(response) == ["Nothing was changed. Select at least one claim."]


def test_bulk_bar_offers_explicit_choices(client_ed, robin):
    factories.ClaimFactory()
    html = client_ed.get(reverse("claims:claim-list")).content.decode()
    bar = html.split('id="bulk-form"')[1].split("</form>")[0]
    assert '<option value="" selected>Choose an action</option>' in bar
    assert '<option value="" selected>Choose a person</option>' in bar
    assert '<option value="nobody">Nobody</option>' in bar
    assert 'hx-preserve="true"' in bar


def test_the_filter_form_reloads_on_its_own_selects_only(client_ed):
    html = client_ed.get(reverse("claims:claim-list")).content.decode()
    form = html.split('id="claim-filter-form"')[1].split(">")[0]
    assert "change from:(#claim-filter-form select)" in form
    assert "from:select" not in form
