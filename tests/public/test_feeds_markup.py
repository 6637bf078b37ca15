"""The Atom and RSS feeds send what editors typed as text (issue 15): a feed reader decodes
the XML, then renders the description (RSS) or the summary (Atom, type="html") as HTML, so
the decoded content must hold no element at all, only the characters the editor typed."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from tests.factories import ClaimantFactory, ClaimFactory, PublishedVerdictFactory
from tests.support.payloads import IMG, PAYLOAD, SCRIPT

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


class Elements(HTMLParser):
    """The element names an HTML renderer would build from a string."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def elements_in(markup: str) -> list[str]:
    parser = Elements()
    parser.feed(markup)
    parser.close()
    return parser.tags


@pytest.fixture
def hostile_fact_check():
    claim = ClaimFactory(statement=f"Statement {IMG}",
                         claimant=ClaimantFactory(name=f"Who {SCRIPT}"))
    claim.quote = f"quote {PAYLOAD}"
    claim.save()
    return PublishedVerdictFactory(claim=claim, summary=f"Summary {IMG}",
                                   correction_note=f"Note {SCRIPT}")


def test_rss_description_and_title_carry_text_not_markup(client, hostile_fact_check):
    root = ElementTree.fromstring(client.get(reverse("feeds:rss")).content)
    item = root.find("channel/item")
    description = item.findtext("description")  # what the reader renders as HTML
    assert elements_in(description) == []
    assert elements_in(item.findtext("title")) == []
    # The editor's words survive, as characters a reader sees.
    shown = html.unescape(description)
    assert f"quote {PAYLOAD}" in shown and f"Summary {IMG}" in shown
    assert f"Who {SCRIPT}" in shown and f"Note {SCRIPT}" in shown
    assert html.unescape(item.findtext("title")).endswith(f"Statement {IMG}")


def test_atom_html_summary_carries_text_not_markup(client, hostile_fact_check):
    root = ElementTree.fromstring(client.get(reverse("feeds:atom")).content)
    entry = root.find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert elements_in(summary.text) == []
    assert f"Summary {IMG}" in html.unescape(summary.text)
    # Atom's <title> is text (no type): sent as typed, and so shown as typed.
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text")
    assert title.text.endswith(f"Statement {IMG}")
