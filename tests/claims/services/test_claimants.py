"""Claimants: what a claimant picker's answer means (claimant_from_picker), the close names a
half-typed name is offered, the kinds the migration gives existing claimants, and merging a
duplicate claimant (proposed by an editor, confirmed by a reviewer, never changing what
readers see of a published fact-check outside a correction)."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.choices import ClaimantKind, ClaimantMergeState
from claims.models import Claim, Claimant, ClaimantMerge
from claims.selectors.claimants import CLOSE_CANDIDATES, claimant_close_names
from claims.services.claimants import (
    ClaimantNotChosen,
    claimant_from_picker,
    claimant_merge_confirm,
    claimant_merge_decline,
    claimant_merge_propose,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def noem():
    return factories.ClaimantFactory(name="Kristi Noem", role="Secretary of Homeland Security",
                                     organisation="DHS")


@pytest.fixture
def reviewer():
    user = factories.UserFactory(username="rev")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


# --- The picker's answer ------------------------------------------------------------------


def test_a_half_typed_name_is_refused_with_the_close_name_and_nothing_is_created(
        noem, editor):
    before = Claimant.objects.count()
    with pytest.raises(ClaimantNotChosen) as refused:
        claimant_from_picker(name="Kristi", user=editor)
    assert refused.value.close == [noem]
    assert "Did you mean Kristi Noem?" in refused.value.messages[0]
    assert Claimant.objects.count() == before


def test_silvia_is_offered_silvia_s_martins():
    martins = factories.ClaimantFactory(name="Silvia S. Martins")
    factories.ClaimantFactory(name="Pedro Sánchez")
    assert claimant_close_names("Silvia") == [martins]
    assert claimant_close_names("Silvya Martins") == [martins]  # a typo


def test_an_exact_name_on_file_is_that_claimant_whatever_the_case_and_spaces(noem):
    assert claimant_from_picker(name="  kristi   NOEM ") == noem


def test_a_chosen_claimant_wins_unless_the_name_was_changed_since(noem):
    other = factories.ClaimantFactory(name="Jens Stoltenberg")
    assert claimant_from_picker(chosen=noem, name="Kristi Noem") == noem
    assert claimant_from_picker(chosen=noem, name="") == noem  # the API: an id alone
    assert claimant_from_picker(chosen=noem, name="Jens Stoltenberg") == other


def test_no_name_is_nobody_unless_a_new_claimant_was_asked_for(editor):
    assert claimant_from_picker(name="   ") is None
    with pytest.raises(ValidationError, match="Give the new claimant's name"):
        claimant_from_picker(name=" ", new=True, user=editor)


def test_an_explicit_new_claimant_is_created_with_its_kind(noem, editor):
    created = claimant_from_picker(name="Kristi", new=True, kind=ClaimantKind.ORGANISATION,
                                   organisation="Kristi Inc", user=editor)
    assert created.pk != noem.pk
    assert (created.name, created.kind, created.organisation) == (
        "Kristi", ClaimantKind.ORGANISATION, "Kristi Inc")


def test_adding_a_claimant_needs_the_permission(outsider):
    with pytest.raises(PermissionDenied):
        claimant_from_picker(name="Someone New", new=True, user=outsider)
    assert not Claimant.objects.filter(name="Someone New").exists()


def test_a_name_nobody_is_close_to_is_refused_in_words():
    with pytest.raises(ClaimantNotChosen) as refused:
        claimant_from_picker(name="Zebulon Quux")
    assert refused.value.close == []
    assert "Nobody called “Zebulon Quux” is on file" in refused.value.messages[0]


def test_close_names_read_a_bounded_number_of_rows():
    factories.ClaimantFactory.create_batch(CLOSE_CANDIDATES + 20,
                                           name=factory_names("Kristian"))
    with CaptureQueriesContext(connection) as ctx:
        close = claimant_close_names("Kristi", limit=5)
    assert len(ctx.captured_queries) == 1
    assert "LIMIT 50" in ctx.captured_queries[0]["sql"].upper()
    assert len(close) == 5


def factory_names(prefix):
    import factory

    return factory.Sequence(lambda n: f"{prefix} {n}")


# --- The kinds migration 0021 gives existing claimants -----------------------------------


@pytest.mark.parametrize(("name", "organisation", "kind"), [
    ("National Institute on Drug Abuse", "", "organisation"),
    ("Ministry of Health", "Government", "organisation"),
    ("Voice of America", "Voice of America", "organisation"),
    ("The New York Times", "", "organisation"),
    ("NATO Defence Ministers", "NATO", "organisation"),
    ("Kristi Noem", "DHS", "person"),
    ("Dmitry Medvedev", "Russia", "person"),
    ("Anders Fogh Rasmussen", "NATO", "person"),
])
def test_the_migration_tells_organisations_from_people(name, organisation, kind):
    migration = importlib.import_module("claims.migrations.0021_claimant_kind")
    assert migration.organisation_name(name, organisation) is (kind == "organisation")


# --- Merging ------------------------------------------------------------------------------


def test_a_confirmed_merge_moves_the_claims_through_claim_save_and_removes_the_duplicate(
        noem, editor, reviewer):
    duplicate = factories.ClaimantFactory(name="Kristi", role="", organisation="")
    claims = factories.ClaimFactory.create_batch(2, claimant=duplicate)
    merge = claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor)
    assert merge.state == ClaimantMergeState.PROPOSED and merge.proposed_by == editor
    merge = claimant_merge_confirm(merge=merge, user=reviewer)
    assert merge.state == ClaimantMergeState.CONFIRMED and merge.decided_by == reviewer
    assert merge.claims_moved == 2 and merge.duplicate_name == "Kristi"
    assert not Claimant.objects.filter(pk=duplicate.pk).exists()
    for claim in claims:
        stored = Claim.objects.get(pk=claim.pk)
        assert stored.claimant == noem
        assert stored.version == claim.version + 1  # claim_save moved the version on
        last = stored.history.first()
        assert last.history_user == reviewer
        assert last.history_change_reason == "Claimant merged: Kristi into Kristi Noem"
    # The duplicate's history says where it went.
    removed = Claimant.history.filter(id=duplicate.pk).first()
    assert removed.history_type == "-" and removed.history_change_reason.startswith("Merged")


def test_an_editor_proposes_but_cannot_confirm(noem, editor):
    duplicate = factories.ClaimantFactory(name="Kristi")
    merge = claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor)
    with pytest.raises(PermissionDenied, match="Reviewers"):
        claimant_merge_confirm(merge=merge, user=editor)
    assert Claimant.objects.filter(pk=duplicate.pk).exists()


def test_someone_outside_the_desk_cannot_propose(noem, outsider):
    with pytest.raises(PermissionDenied):
        claimant_merge_propose(duplicate=factories.ClaimantFactory(), kept=noem,
                               user=outsider)


def test_a_claimant_is_not_merged_into_itself_nor_proposed_twice(noem, editor):
    with pytest.raises(ValidationError, match="two different claimants"):
        claimant_merge_propose(duplicate=noem, kept=noem, user=editor)
    duplicate = factories.ClaimantFactory(name="Kristi")
    claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor)
    with pytest.raises(ValidationError, match="already proposed"):
        claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor)


def test_a_declined_merge_moves_nothing(noem, editor, reviewer):
    duplicate = factories.ClaimantFactory(name="Kristi")
    claim = factories.ClaimFactory(claimant=duplicate)
    merge = claimant_merge_decline(
        merge=claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor),
        user=reviewer)
    assert merge.state == ClaimantMergeState.DECLINED
    assert Claim.objects.get(pk=claim.pk).claimant == duplicate
    with pytest.raises(ValidationError, match="already declined"):
        claimant_merge_confirm(merge=merge, user=reviewer)


def test_a_merge_that_would_change_a_published_fact_check_is_refused_naming_it(
        noem, editor, reviewer):
    duplicate = factories.ClaimantFactory(name="Kristi", role="Governor", organisation="")
    published = factories.PublishedVerdictFactory(
        claim=factories.ClaimFactory(claimant=duplicate, status="published")).claim
    merge = claimant_merge_propose(duplicate=duplicate, kept=noem, user=editor)
    with pytest.raises(ValidationError) as refused:
        claimant_merge_confirm(merge=merge, user=reviewer)
    words = refused.value.messages[0]
    assert f"“{published.statement}” (claim #{published.pk})" in words
    assert "Start a correction" in words
    assert Claim.objects.get(pk=published.pk).claimant == duplicate
    assert ClaimantMerge.objects.get(pk=merge.pk).state == ClaimantMergeState.PROPOSED


def test_a_merge_readers_cannot_see_on_a_published_fact_check_is_confirmed(editor, reviewer):
    # Both are shown to readers as the same Organization: nothing readers see changes.
    kept = factories.ClaimantFactory(name="NIDA", role="", organisation="NIDA",
                                     kind=ClaimantKind.ORGANISATION)
    duplicate = factories.ClaimantFactory(name="NIDA", role="", organisation="",
                                          kind=ClaimantKind.ORGANISATION)
    claim = factories.PublishedVerdictFactory(
        claim=factories.ClaimFactory(claimant=duplicate, status="published")).claim
    merge = claimant_merge_confirm(
        merge=claimant_merge_propose(duplicate=duplicate, kept=kept, user=editor),
        user=reviewer)
    assert merge.claims_moved == 1
    assert Claim.objects.get(pk=claim.pk).claimant == kept


def test_webhook_events_say_whether_the_claimant_is_a_person_or_an_organisation():
    from claims.events import claim_data

    claim = factories.ClaimFactory(claimant=factories.ClaimantFactory(
        name="National Institute on Drug Abuse", kind=ClaimantKind.ORGANISATION))
    assert claim_data(claim)["claimant"]["kind"] == "organisation"
