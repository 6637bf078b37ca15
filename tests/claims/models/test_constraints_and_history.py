"""Database constraints hold whatever code writes, and history records every change."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower  # noqa: F401

from claims.choices import CaptureStatus, ClaimantKind, ClaimStatus, VerdictState
from claims.models import Capture, Claim, Claimant, Rating, RatingScale, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db


def violates(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_claim_anchor_must_not_be_empty():
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(anchor_end=claim.anchor_start + 1)  # fine
    violates(lambda: Claim.objects.filter(pk=claim.pk).update(anchor_end=claim.anchor_start))


def test_not_checkable_claim_needs_a_reason():
    claim = ClaimFactory()
    violates(lambda: Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.NOT_CHECKABLE))
    Claim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.NOT_CHECKABLE, not_checkable_reason="An opinion, not a fact."
    )


def test_claim_status_must_be_known():
    claim = ClaimFactory()
    violates(lambda: Claim.objects.filter(pk=claim.pk).update(status="bogus"))


def test_claimant_unique_ignoring_case():
    Claimant.objects.create(name="Anders Fogh Rasmussen", organisation="NATO")
    violates(lambda: Claimant.objects.create(name="anders fogh rasmussen", organisation="nato"))
    Claimant.objects.create(name="Anders Fogh Rasmussen", organisation="Denmark")


def test_source_normalized_url_unique():
    SourceFactory(url="https://example.org/a", normalized_url="https://example.org/a")
    violates(lambda: SourceFactory(url="https://EXAMPLE.org/a", normalized_url="https://example.org/a"))


def test_one_successful_capture_per_request():
    source = SourceFactory()
    fields = dict(source=source, status=CaptureStatus.SUCCESS, sha256="a" * 64,
                  request_key="task-1:1", started_at="2026-01-01T00:00Z")
    Capture.objects.create(**fields)
    violates(lambda: Capture.objects.create(**fields))
    # A failure for the same request, or a success without a request key, is allowed.
    Capture.objects.create(**{**fields, "status": CaptureStatus.FAILED, "sha256": "",
                              "error_kind": "timeout"})


def test_failed_capture_needs_an_error_kind():
    source = SourceFactory()
    violates(lambda: Capture.objects.create(source=source, status=CaptureStatus.FAILED,
                                            started_at="2026-01-01T00:00Z"))


def test_evidence_one_row_per_claim_and_source():
    evidence = EvidenceFactory()
    violates(lambda: EvidenceFactory(claim=evidence.claim, source=evidence.source))


def test_evidence_needs_a_source_or_a_note():
    claim = ClaimFactory()
    violates(lambda: EvidenceFactory(claim=claim, source=None, note=""))
    EvidenceFactory(claim=claim, source=None, note="Spoke to the statistics office.")


def test_two_person_rule_in_the_database():
    verdict = VerdictFactory()
    violates(lambda: Verdict.objects.filter(pk=verdict.pk).update(reviewer=verdict.author))
    Verdict.objects.filter(pk=verdict.pk).update(
        reviewer=verdict.author, override_reason="Only editor on duty during the election night."
    )


def test_published_verdict_needs_rating_rationale_and_date():
    verdict = VerdictFactory(rationale="")
    violates(lambda: Verdict.objects.filter(pk=verdict.pk).update(
        state=VerdictState.PUBLISHED, published_at="2026-01-01T00:00Z"))


def test_only_one_current_verdict_per_claim():
    verdict = VerdictFactory()
    violates(lambda: VerdictFactory(claim=verdict.claim, version=2, author=verdict.author))
    Verdict.objects.filter(pk=verdict.pk).update(is_current=False)
    VerdictFactory(claim=verdict.claim, version=2, author=verdict.author)


def test_rating_colour_must_be_hex():
    scale = RatingScale.objects.create(name="Test", slug="test")
    violates(lambda: Rating.objects.create(scale=scale, label="Odd", slug="odd", colour="red"))


def test_only_one_default_rating_scale():
    violates(lambda: RatingScale.objects.create(name="Another", slug="another", is_default=True))


def test_default_scale_has_six_levels_with_one_non_ordinal():
    ratings = list(Rating.objects.filter(scale__is_default=True))
    assert [r.label for r in ratings] == [
        "True", "Mostly true", "Half true", "Mostly false", "False", "Unverifiable"
    ]
    assert [r.value for r in ratings] == [5, 4, 3, 2, 1, None]


def test_history_records_claim_changes_with_user():
    user = UserFactory()
    claim = ClaimFactory()
    claim.statement = "Changed statement"
    claim._history_user = user
    claim.save()
    history = list(claim.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].statement == "Changed statement"
    assert history[-1].history_user == user
    delta = history[-1].diff_against(history[0])
    assert [c.field for c in delta.changes] == ["statement"]


@pytest.mark.parametrize("factory", [ClaimFactory, VerdictFactory, EvidenceFactory, SourceFactory])
def test_history_is_kept_for(factory):
    obj = factory()
    assert obj.history.count() == 1


def test_article_needs_a_title():
    violates(lambda: ArticleFactory(title=""))


@pytest.mark.parametrize(("name", "role", "organisation", "shown"), [
    ("Anders Fogh Rasmussen", "Secretary General", "NATO",
     "Anders Fogh Rasmussen, Secretary General, NATO"),
    ("Robert Gates", "former U.S. defense secretary", "",
     "Robert Gates, former U.S. defense secretary"),
    ("French government", "", "Government of France", "French government, Government of France"),
    # An organisation speaking for itself is named once, whatever the case or spacing.
    ("Voice of America", "", "voice of america ", "Voice of America"),
    ("Ban Ki-moon", "", "", "Ban Ki-moon"),
])
def test_a_claimant_reads_as_name_role_organisation_never_twice(name, role, organisation, shown):
    claimant = Claimant(name=name, role=role, organisation=organisation)
    assert str(claimant) == shown
    assert claimant.is_organisation is False  # a person unless its kind says otherwise
    claimant.kind = ClaimantKind.ORGANISATION
    assert claimant.is_organisation is True
