"""One way to show a person: claims.people.user_display names a user on every page, in the
claims table's filters and columns, in forms, messages and the audit history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.people import user_display
from tests.factories import ClaimFactory, UserFactory
from tests.verdict_setup import make_verdict

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_user_display_prefers_the_full_name():
    assert user_display(UserFactory.build(username="rr", first_name="Robin",
                                          last_name="Reviewer")) == "Robin Reviewer"
    assert user_display(UserFactory.build(username="rr", first_name="", last_name="")) == "rr"
    assert user_display(None) == "someone"
    assert user_display(None, "nobody") == "nobody"


@pytest.fixture
def desk(client):
    editor = UserFactory(username="erin", first_name="Erin", last_name="Editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    colleague = UserFactory(username="rr42", first_name="Robin", last_name="Reviewer")
    claim = ClaimFactory(statement="Inflation halved", assignee=colleague)
    client.force_login(editor)
    return {"editor": editor, "colleague": colleague, "claim": claim}


def test_the_claims_page_names_people_by_their_full_names(client, desk):
    html = client.get(reverse("claims:claim-list")).content.decode()
    # The Assignee filter, the bulk assignment and the table column: the full name, never
    # the username alone.
    filter_select = re.search(r'<select name="assignee"[^>]*id="filter_assignee".*?</select>',
                              html, re.S).group(0)
    assert ">Robin Reviewer</option>" in filter_select
    assert ">rr42</option>" not in filter_select
    bulk_select = re.search(r'<select name="assignee"[^>]*id="id_assignee".*?</select>',
                            html, re.S).group(0)
    assert ">Robin Reviewer</option>" in bulk_select
    table = html[html.index('id="claims-table"'):]
    assert "Robin Reviewer" in table and ">rr42<" not in table
    assert "Signed in as <strong>Erin Editor</strong>" in html


def test_the_claim_page_and_the_assign_message_use_the_full_name(client, desk):
    claim = desk["claim"]
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "assigned to Robin Reviewer" in html
    response = client.post(reverse("claims:claim-assign", args=[claim.pk]),
                           {"assignee": desk["editor"].pk}, follow=True)
    assert "Claim assigned to Erin Editor." in response.content.decode()


def test_the_review_queue_names_the_author(client, desk):
    verdict = make_verdict("submitted", author=desk["colleague"], claim=desk["claim"])
    assert verdict.author.username == "rr42"
    html = client.get(reverse("claims:review-queue")).content.decode()
    assert "by Robin Reviewer" in html and "by rr42" not in html


def test_no_other_copy_of_the_rule():
    """A second copy is how the Assignee filter came to list usernames while the pages showed
    full names: only claims/people.py may ask a user for its full name."""
    copies = []
    paths = [*ROOT.joinpath("claims").rglob("*.py"), *ROOT.joinpath("public").rglob("*.py"),
             *ROOT.joinpath("templates").rglob("*.html")]
    assert ROOT / "claims" / "people.py" in paths, f"no code found under {ROOT}"
    for path in paths:
        if path.name == "people.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "get_full_name" in text or re.search(r"(?<!form)\.username\b", text):
            copies.append(str(path.relative_to(ROOT)))
    assert not copies, f"user names built outside claims/people.py: {copies}"
