"""Writes about claimants: adding one, deciding which claimant a claimant picker's answer
means, and merging a duplicate into the claimant to keep.

Every form and the API that sets a claimant calls claimant_from_picker: a claimant chosen by
id, an explicit new one (name, kind, role, organisation), or a typed name that is exactly a
claimant on file. Any other typed name is refused with the close names on file
(ClaimantNotChosen), so a half-typed "Kristi" never becomes a second Kristi Noem."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.choices import ClaimantKind, ClaimantMergeState, VerdictState
from claims.exporters.claimreview import claimant_node
from claims.models import Claim, Claimant, ClaimantMerge, Verdict
from claims.permissions import require
from claims.selectors.claimants import claimant_close_names, claimants_named, normal_name
from claims.selectors.published import claims_showing
from claims.services.claim_store import claim_save
from claims.services.published import claims_under_review_showing


class ClaimantNotChosen(ValidationError):
    """A typed name that is not exactly a claimant on file, sent without choosing a claimant
    or choosing to add it: `close` holds the claimants it may mean, closest first."""

    def __init__(self, *, name: str, close: list[Claimant]):
        self.name = name
        self.close = close
        if close:
            names = [c.name for c in close]
            said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            message = (f"“{name}” is not a claimant on file. Did you mean {said}? Choose one, "
                       f"or add “{name}” as a new claimant.")
        else:
            message = (f"Nobody called “{name}” is on file. Check the spelling, or add "
                       f"“{name}” as a new claimant.")
        super().__init__({"claimant": ValidationError(message, code="not_chosen")})


def claimant_find_or_create(
    *, name: str, kind: str = ClaimantKind.PERSON, role: str = "", organisation: str = ""
) -> tuple[Claimant, bool]:
    """The claimant with this name and organisation (whatever the letter case), and whether
    it was created now. Creating never alters what exists: a claimant on file is returned as
    it is, whatever `kind` or `role` say, because they may be shown on a published
    fact-check, where they change only through a correction (or an admin's recorded
    override)."""
    name, role, organisation = normal_name(name), role.strip(), organisation.strip()
    if not name:
        raise ValidationError({"name": "Give the claimant's name."})
    if "\x00" in name + role + organisation:  # PostgreSQL refuses NUL in any text it is sent
        raise ValidationError({"name": "A claimant's name, role or organisation cannot "
                                       "contain NUL characters."})
    existing = _claimant_named(name, organisation)
    if existing:
        return existing, False
    claimant = Claimant(name=name, kind=kind or ClaimantKind.PERSON, role=role,
                        organisation=organisation)
    claimant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            claimant.save()
    except IntegrityError:
        # Someone added the same claimant a moment ago: theirs is the one on file.
        existing = _claimant_named(name, organisation)
        if existing is None:
            raise
        return existing, False
    return claimant, True


def _claimant_named(name: str, organisation: str) -> Claimant | None:
    organisation = organisation.casefold()
    for claimant in claimants_named(name):
        if claimant.organisation.casefold() == organisation:
            return claimant
    return None


def claimant_from_picker(
    *,
    chosen: Claimant | None = None,
    name: str = "",
    new: bool = False,
    kind: str = ClaimantKind.PERSON,
    role: str = "",
    organisation: str = "",
    user=None,
) -> Claimant | None:
    """The claimant a claimant picker's answer means, or None for nobody.

    - `chosen` (picked from the suggestions, or by id in the API) wins while the name, if
      sent, is still its name;
    - `new` adds the typed name as a new claimant of `kind` (or answers the one on file with
      that name and organisation), for a user allowed to add claimants;
    - otherwise the typed name must be exactly one claimant's on file: anything else is
      refused with the close names (ClaimantNotChosen), never saved as a new person."""
    name = normal_name(name)
    if chosen is not None and (not name or name.casefold() == chosen.name.casefold()):
        return chosen
    if not name:
        if new:
            raise ValidationError({"claimant": "Give the new claimant's name."})
        return None
    if new:
        if user is not None:
            require(user, "add_claimant")
        return claimant_find_or_create(name=name, kind=kind, role=role,
                                       organisation=organisation)[0]
    named = claimants_named(name)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ValidationError({"claimant": f"Several claimants on file are called “{name}”: "
                               "choose one from the suggestions as you type."})
    raise ClaimantNotChosen(name=name, close=claimant_close_names(name))


# Merging claimants.


def claimant_merge_propose(*, duplicate: Claimant, kept: Claimant, user,
                           note: str = "") -> ClaimantMerge:
    """Propose merging `duplicate` into `kept` (an editor); a reviewer confirms it."""
    require(user, "propose_claimant_merge")
    if duplicate.pk == kept.pk:
        raise ValidationError("Choose two different claimants: the duplicate and the one "
                              "to keep.")
    merge = ClaimantMerge(duplicate=duplicate, kept=kept, duplicate_name=str(duplicate),
                          kept_name=str(kept), note=note.strip(), proposed_by=user)
    try:
        with transaction.atomic():
            merge.save()
    except IntegrityError:
        raise ValidationError(f"Merging “{duplicate}” is already proposed and waits for a "
                              "reviewer.") from None
    return merge


def _decidable(merge: ClaimantMerge) -> ClaimantMerge:
    merge = ClaimantMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.state != ClaimantMergeState.PROPOSED:
        raise ValidationError(f"This merge was already {merge.get_state_display().lower()}.")
    return merge


@transaction.atomic
def claimant_merge_confirm(*, merge: ClaimantMerge, user) -> ClaimantMerge:
    """Confirm a proposed merge (a reviewer or an admin): the duplicate's claims move to the
    kept claimant, each through claim_save (version, history), and the duplicate is removed
    (its history keeps it).

    What readers see of a published fact-check changes only through a correction, and a
    verdict under review shows readers what its reviewer saw: a merge that would change the
    claimant such a fact-check shows (anything of it readers see differs) is refused, naming
    the fact-checks. So is one while a correction under way would put the duplicate on a
    claim."""
    require(user, "confirm_claimant_merge")
    merge = _decidable(merge)
    duplicate = Claimant.objects.select_for_update().filter(pk=merge.duplicate_id).first()
    kept = Claimant.objects.filter(pk=merge.kept_id).first()
    if duplicate is None or kept is None:
        raise ValidationError("One of these claimants is no longer on file: decline this "
                              "merge and propose it again if it is still needed.")
    if claimant_node(duplicate) != claimant_node(kept):
        shown = {c.pk: c for c in [*claims_showing(duplicate),
                                   *claims_under_review_showing(duplicate)]}
        if shown:
            listed = "; ".join(f"“{c.statement}” (claim #{c.pk})" for c in shown.values())
            raise ValidationError(
                f"Readers see “{duplicate}” on {len(shown)} fact-check"
                f"{'s' if len(shown) > 1 else ''} published or under review: {listed}. "
                f"Merging would show “{kept}” there instead, which changes only through a "
                "correction: use “Start a correction” on each claim page to set the claimant "
                "to the one to keep (or ask a reviewer to send a verdict under review back), "
                "then confirm this merge.")
    pending = list(Verdict.objects.filter(claim_changes__claimant_id=duplicate.pk)
                   .exclude(state=VerdictState.PUBLISHED).select_related("claim"))
    if pending:
        raise ValidationError(
            "A correction under way puts this duplicate on "
            + "; ".join(f"“{v.claim.statement}” (claim #{v.claim_id})" for v in pending)
            + ": change that correction to the claimant to keep, or publish it, first.")
    moved = 0
    for claim in Claim.objects.filter(claimant=duplicate).only("pk").order_by("pk"):
        claim.claimant = kept
        claim_save(claim, fields=["claimant"], user=user,
                   reason=f"Claimant merged: {duplicate.name} into {kept.name}")
        moved += 1
    duplicate._history_user = user
    duplicate._change_reason = f"Merged into {kept.name}"[:100]
    duplicate.delete()
    merge.duplicate = None
    merge.state = ClaimantMergeState.CONFIRMED
    merge.decided_by = user
    merge.decided_at = timezone.now()
    merge.claims_moved = moved
    merge.save()
    return merge


@transaction.atomic
def claimant_merge_decline(*, merge: ClaimantMerge, user) -> ClaimantMerge:
    """Decline a proposed merge (a reviewer or an admin): nothing moves."""
    require(user, "confirm_claimant_merge")
    merge = _decidable(merge)
    merge.state = ClaimantMergeState.DECLINED
    merge.decided_by = user
    merge.decided_at = timezone.now()
    merge.save(update_fields=["state", "decided_by", "decided_at"])
    return merge

