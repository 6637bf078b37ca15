"""Linking a claim to a fact-check that already checked it: editors only, one link per
pair, never the desk's own fact-check of the same claim, history kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import ClaimFactCheckLink, FactCheckOrigin
from claims.selectors.factchecks import claim_export_factcheck_urls, claim_factcheck_links
from claims.services.factcheck_links import claim_factcheck_link, claim_factcheck_unlink
from tests.factories import ClaimFactory
from tests.support.factchecks import make_factcheck

pytestmark = pytest.mark.django_db


def test_an_editor_links_a_claim_once_and_the_history_says_who(editor):
    claim, factcheck = ClaimFactory(), make_factcheck()
    link = claim_factcheck_link(claim=claim, factcheck=factcheck, user=editor, note=" seen ")
    again = claim_factcheck_link(claim=claim, factcheck=factcheck, user=editor)
    assert again.pk == link.pk and ClaimFactCheckLink.objects.count() == 1
    assert (link.linked_by, link.note) == (editor, "seen")
    assert [lk.factcheck for lk in claim_factcheck_links(claim.pk)] == [factcheck]
    record = ClaimFactCheckLink.history.get()
    assert (record.history_type, record.history_user) == ("+", editor)


def test_someone_outside_the_editors_may_not_link_or_unlink(outsider, editor):
    claim, factcheck = ClaimFactory(), make_factcheck()
    with pytest.raises(PermissionDenied, match="needs the Editors role"):
        claim_factcheck_link(claim=claim, factcheck=factcheck, user=outsider)
    claim_factcheck_link(claim=claim, factcheck=factcheck, user=editor)
    with pytest.raises(PermissionDenied, match="unlink a fact-check"):
        claim_factcheck_unlink(claim=claim, factcheck_id=factcheck.pk, user=outsider)
    assert ClaimFactCheckLink.objects.count() == 1


def test_unlink_removes_the_link_and_keeps_its_history(editor):
    claim, factcheck = ClaimFactory(), make_factcheck()
    claim_factcheck_link(claim=claim, factcheck=factcheck, user=editor)
    assert claim_factcheck_unlink(claim=claim, factcheck_id=factcheck.pk, user=editor) is True
    assert claim_factcheck_unlink(claim=claim, factcheck_id=factcheck.pk, user=editor) is False
    assert not ClaimFactCheckLink.objects.exists()
    assert list(ClaimFactCheckLink.history.values_list("history_type", flat=True)
                .order_by("history_id")) == ["+", "-"]


def test_a_claim_is_never_linked_to_the_desks_own_factcheck_of_itself(editor):
    claim = ClaimFactory()
    own = make_factcheck(origin=FactCheckOrigin.DESK, claim=claim)
    with pytest.raises(ValidationError, match="desk's own fact-check of this claim"):
        claim_factcheck_link(claim=claim, factcheck=own, user=editor)
    other = ClaimFactory()
    assert claim_factcheck_link(claim=other, factcheck=own, user=editor).claim == other


def test_export_urls_come_per_claim_oldest_link_first(editor):
    first, second, bare = ClaimFactory(), ClaimFactory(), ClaimFactory()
    a, b = make_factcheck(), make_factcheck()
    claim_factcheck_link(claim=first, factcheck=a, user=editor)
    claim_factcheck_link(claim=first, factcheck=b, user=editor)
    claim_factcheck_link(claim=second, factcheck=b, user=editor)
    found = claim_export_factcheck_urls([first.pk, second.pk, bare.pk])
    assert found == {first.pk: [a.url, b.url], second.pk: [b.url]}
