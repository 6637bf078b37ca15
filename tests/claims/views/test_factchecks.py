"""Already fact-checked, on the desk's pages: the claim page's panel (linked fact-checks
and matches, Link and Unlink), the claim logging form's live panel (its button saves the
claim linked), the article's suggested sentences (matched all at once), permissions,
hostile fact-checks shown as text, clear words when nothing matches or nothing is on file,
and constant query counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.assist import services as assist
from claims.demo import ARTICLES
from claims.factchecks import lexindex
from claims.models import Claim, ClaimFactCheckLink, ClaimSuggestion
from claims.services.factcheck_links import claim_factcheck_link
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory
from tests.support.factchecks import HOSTILE_CLAIM, make_factcheck, make_hostile_factcheck

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."


@pytest.fixture(autouse=True)
def fresh_index(fresh_matching, monkeypatch):
    """A new matching index per test, lexical only, and in step with the table at every
    search (so query counts do not depend on the clock)."""
    monkeypatch.setattr(lexindex, "REFRESH_SECONDS", 0.0)


@pytest.fixture
def vaccines():
    return make_factcheck(
        url="https://checks.example/vaccines-autism",
        claim_reviewed="Vaccines cause autism in children.",
        publisher_name="Science Checkers", textual_rating="False",
    )


@pytest.fixture
def others():
    return [
        make_factcheck(claim_reviewed="5G wireless networks spread the coronavirus."),
        make_factcheck(claim_reviewed="Wombats herd animals into burrows during bushfires."),
    ]


def _queries(client, url, **extra):
    """Queries of one request once the matching index has caught up with the table (its
    own catching up, after rows were written, reads the changed rows once)."""
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return len(ctx), response.content.decode()


# --- The claim page ------------------------------------------------------------------------


def test_the_claim_page_shows_what_the_claim_is_linked_to(client_ed, editor, vaccines):
    claim = ClaimFactory(statement="Vaccines cause autism, the senator said")
    claim_factcheck_link(claim=claim, factcheck=vaccines, user=editor)
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    panel = html.split('id="factchecks"')[1].split("</section>")[0]
    assert "Already fact-checked by" in panel
    assert "Science Checkers" in panel and ">False</span>" in panel and "14 Mar 2026" in panel
    assert (f'<a href="{vaccines.url}" target="_blank" rel="noopener noreferrer nofollow">'
            "Read the fact-check") in panel
    assert "Linked by Erin Editor" in panel
    # The matches come after the page (htmx), with a plain link without JavaScript.
    assert f'hx-get="{reverse("claims:claim-factchecks", args=[claim.pk])}"' in panel


def test_the_panel_matches_links_and_unlinks(client_ed, vaccines, others):
    claim = ClaimFactory(statement="Vaccines cause autism in kids")
    panel_url = reverse("claims:claim-factchecks", args=[claim.pk])
    html = client_ed.get(panel_url, **HTMX).content.decode()
    assert html.strip().startswith("<section") and "<html" not in html
    matches = html.split('data-testid="factcheck-matches"')[1]
    assert f'id="factcheck-match-{vaccines.pk}"' in matches
    assert "Why it matched:" in matches and "vaccines" in matches.lower()
    assert "5G wireless" not in matches  # shares no word with the claim
    assert "Link this fact-check" in matches

    html = client_ed.post(reverse("claims:claim-factcheck-link", args=[claim.pk]),
                          {"factcheck": vaccines.pk}, **HTMX).content.decode()
    assert ClaimFactCheckLink.objects.filter(claim=claim, factcheck=vaccines).exists()
    linked = html.split('data-testid="factcheck-links"')[1].split("</ul>")[0]
    assert vaccines.url in linked and "Unlink" in linked
    assert f'id="factcheck-match-{vaccines.pk}"' not in html  # linked: not offered again

    response = client_ed.post(reverse("claims:claim-factcheck-unlink", args=[claim.pk]),
                              {"factcheck": vaccines.pk, "next": claim.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert not ClaimFactCheckLink.objects.exists()


def test_the_panel_matches_the_quote_as_well_as_the_statement(client_ed, vaccines, others):
    """An editor's statement is often a paraphrase; the words said in the article may be
    what repeats a published fact-check."""
    article = ArticleFactory(body="At the rally, in what the senator said was a warning, she "
                                  "told parents that vaccines cause autism in our children.")
    paraphrase = "Senator links childhood jabs to developmental disorders"
    quoted = ClaimFactory(article=article, statement=paraphrase,
                          quote="vaccines cause autism in our children")
    unquoted = ClaimFactory(article=article, statement=paraphrase, quote="what the senator said")
    panels = [client_ed.get(reverse("claims:claim-factchecks", args=[claim.pk]),
                            **HTMX).content.decode() for claim in (quoted, unquoted)]
    assert f'id="factcheck-match-{vaccines.pk}"' in panels[0]
    # The statement alone finds nothing: the match came from the quote.
    assert f'id="factcheck-match-{vaccines.pk}"' not in panels[1]


def test_linking_without_javascript_redirects_back_with_a_message(client_ed, vaccines):
    claim = ClaimFactory(statement="Vaccines cause autism")
    response = client_ed.post(reverse("claims:claim-factcheck-link", args=[claim.pk]),
                              {"factcheck": vaccines.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    words = [str(m) for m in get_messages(response.wsgi_request)]
    assert words == ["Linked: this claim was already fact-checked by Science Checkers."]
    # Without JavaScript the panel is a page of its own.
    html = client_ed.get(reverse("claims:claim-factchecks", args=[claim.pk])).content.decode()
    assert "<html" in html and vaccines.url in html


def test_bad_and_refused_links_say_why(client_ed, client, outsider, vaccines):
    claim = ClaimFactory(statement="Vaccines cause autism")
    url = reverse("claims:claim-factcheck-link", args=[claim.pk])
    html = client_ed.post(url, {"factcheck": "²"}, **HTMX).content.decode()
    assert "Choose the fact-check that already checked this claim." in html
    client.force_login(outsider)
    response = client.post(url, {"factcheck": vaccines.pk}, **HTMX)
    assert response.status_code == 403
    assert "that needs the Editors role" in response.content.decode()
    assert "Link this fact-check" not in response.content.decode()  # not offered either
    assert client.get(url).status_code == 405  # a link is a POST, never a GET
    assert not ClaimFactCheckLink.objects.exists()


def test_hostile_factchecks_are_shown_as_text_and_never_as_links(client_ed, editor):
    hostile = make_hostile_factcheck()
    claim = ClaimFactory(statement="Moon landing faked, script says")
    claim_factcheck_link(claim=claim, factcheck=hostile, user=editor)
    for html in (client_ed.get(claim.get_absolute_url()).content.decode(),
                 client_ed.get(reverse("claims:claim-factchecks", args=[claim.pk]),
                               **HTMX).content.decode(),
                 client_ed.get(reverse("claims:text-factchecks"),
                               {"statement": "moon landing faked"}).content.decode()):
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
        assert "<img src=x" not in html and "<b>False</b>" not in html
        assert 'href="javascript:' not in html.lower()
        assert "Evil &quot;Press&quot;" in html  # the publisher, as text
    assert HOSTILE_CLAIM.startswith("<script>")


def test_clear_words_when_nothing_is_on_file_or_nothing_matches(client_ed):
    claim = ClaimFactory(statement="Unemployment fell by 12% last year")
    panel_url = reverse("claims:claim-factchecks", args=[claim.pk])
    html = client_ed.get(panel_url, **HTMX).content.decode()
    assert "No fact-checks have been imported yet" in html
    assert "python manage.py import_factchecks" in html
    make_factcheck(claim_reviewed="Wombats herd animals into burrows during bushfires.")
    html = client_ed.get(panel_url, **HTMX).content.decode()
    assert "No fact-check found that repeats this claim." in html
    assert "imported yet" not in html


def test_claim_page_and_panel_queries_do_not_grow(client_ed, editor, vaccines, others):
    claim = ClaimFactory(statement="Vaccines cause autism, spread by 5G wireless networks")
    claim_factcheck_link(claim=claim, factcheck=others[1], user=editor)
    page_one, _ = _queries(client_ed, claim.get_absolute_url())
    panel_url = reverse("claims:claim-factchecks", args=[claim.pk])
    panel_one, html = _queries(client_ed, panel_url, **HTMX)
    assert html.count('id="factcheck-match-') >= 1
    for n in range(6):
        fc = make_factcheck(claim_reviewed=f"Vaccines cause autism and 5G networks, part {n}")
        claim_factcheck_link(claim=claim, factcheck=fc, user=editor)
    make_factcheck(claim_reviewed="Vaccines and 5G wireless networks cause autism")
    page_many, _ = _queries(client_ed, claim.get_absolute_url())
    panel_many, html = _queries(client_ed, panel_url, **HTMX)
    assert html.count('id="factcheck-link-') == 7 and html.count('id="factcheck-match-') >= 1
    assert (page_many, panel_many) == (page_one, panel_one)


# --- The claim logging form ----------------------------------------------------------------


def test_the_log_form_asks_for_matches_as_the_editor_types(client_ed, vaccines):
    article = ArticleFactory()
    html = client_ed.get(reverse("claims:claim-log", args=[article.pk])).content.decode()
    assert f'hx-get="{reverse("claims:text-factchecks")}"' in html
    assert "from:#id_statement" in html and "from:#id_quote" in html
    url = reverse("claims:text-factchecks")
    assert "Type the statement" in client_ed.get(url, HTMX).content.decode()
    html = client_ed.get(url, {"statement": "", "quote": "vaccines cause autism"},
                         **HTMX).content.decode()
    assert f'name="link_factcheck" value="{vaccines.pk}"' in html
    assert 'type="submit"' in html and "Link this fact-check" in html
    html = client_ed.get(url, {"statement": "bushfires in Australia"}).content.decode()
    assert "No fact-check found that repeats this claim." in html
    # A paraphrased statement: the quote selected in the article still finds the match.
    html = client_ed.get(url, {"statement": "Senator links jabs to developmental disorders",
                               "quote": "vaccines cause autism in children"}).content.decode()
    assert f'name="link_factcheck" value="{vaccines.pk}"' in html
    html = client_ed.get(url, {"statement": "vaccines cause autism\x00"}).content.decode()
    assert "Type the statement" in html  # text no database could be asked about


ATTACKED = "I was attacked tonight, a man opened my car door and stabbed me"


@pytest.fixture
def feldman():
    return make_factcheck(
        url="https://checks.example/feldman-stabbed", publisher_name="Snopes",
        claim_reviewed="Corey Feldman was stabbed by assailants angered by his claims that "
                       "he was a victim of abuse.",
        title="Was Actor Corey Feldman Stabbed Over His Claims?")


def test_the_panels_read_who_made_the_claim(client_ed, feldman, others):
    """The claimant is read with the claim's words (a claimant is often the subject of the
    fact-check): on the claim page, and on the logging form as the name is typed, with
    JavaScript or without."""
    hit = f'id="factcheck-match-{feldman.pk}"'
    article = ArticleFactory(body=f"At the hospital: {ATTACKED}.")
    said = ClaimFactory(article=article, statement=ATTACKED, quote=ATTACKED,
                        claimant=ClaimantFactory(name="Corey Feldman"))
    unknown = ClaimFactory(article=article, statement=ATTACKED, quote=ATTACKED, claimant=None)
    panels = [client_ed.get(reverse("claims:claim-factchecks", args=[claim.pk]),
                            **HTMX).content.decode() for claim in (said, unknown)]
    assert hit in panels[0] and "feldman" in panels[0].split(hit)[1].lower()
    assert hit not in panels[1]

    url = reverse("claims:text-factchecks")
    assert hit in client_ed.get(url, {"statement": ATTACKED, "claimant_name": "Corey Feldman"},
                                **HTMX).content.decode()
    assert hit not in client_ed.get(url, {"statement": ATTACKED}, **HTMX).content.decode()
    html = client_ed.get(reverse("claims:claim-log", args=[ArticleFactory().pk])).content.decode()
    assert "#id_claimant_name" in html.split('id="log-factchecks"')[1].split(">")[0]
    # Without JavaScript, "Look for fact-checks" sends the name typed too.
    article = ArticleFactory(body=f"{ATTACKED}, the actor said.")
    html = client_ed.post(reverse("claims:claim-log", args=[article.pk]), {
        "statement": ATTACKED, "claimant_name": "Corey Feldman", "check_factchecks": "1",
    }).content.decode()
    assert f'name="link_factcheck" value="{feldman.pk}"' in html
    assert not Claim.objects.filter(article=article).exists()


def test_link_this_factcheck_saves_the_claim_linked(client_ed, vaccines):
    article = ArticleFactory(body="The senator said vaccines cause autism in children today.")
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]), {
        "quote": "vaccines cause autism in children", "statement": "Vaccines cause autism",
        "link_factcheck": str(vaccines.pk)})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    link = ClaimFactCheckLink.objects.get()
    assert (link.claim, link.factcheck) == (claim, vaccines)
    words = [str(m) for m in get_messages(response.wsgi_request)]
    assert words == [f"Claim #{claim.pk} logged: “Vaccines cause autism”, and linked to the "
                     "fact-check by Science Checkers."]


def test_without_javascript_the_log_form_looks_for_factchecks_on_request(client_ed, vaccines):
    """The panel fills as the editor types only with JavaScript; without it, a button in a
    <noscript> asks the server, which shows the form again as typed, with the matches and
    their "Link this fact-check" buttons, and saves nothing."""
    article = ArticleFactory(body="The senator said vaccines cause autism in children today.")
    url = reverse("claims:claim-log", args=[article.pk])
    html = client_ed.get(url).content.decode()
    assert '<noscript><button type="submit" name="check_factchecks"' in html
    typed = {"quote": "vaccines cause autism in children", "statement": "Jabs and autism",
             "claimed_on": "2026-03-01", "check_factchecks": "1"}
    response = client_ed.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.exists()
    assert f'name="link_factcheck" value="{vaccines.pk}"' in html
    assert 'value="Jabs and autism"' in html and 'value="2026-03-01"' in html
    # Asking is not a failed save: no "this field is required" for what is not typed yet.
    html = client_ed.post(url, {"statement": "Vaccines cause autism in children",
                                "check_factchecks": "1"}).content.decode()
    assert f'name="link_factcheck" value="{vaccines.pk}"' in html
    assert "This field is required." not in html and "invalid-feedback d-block" not in html
    typed.pop("check_factchecks")
    client_ed.post(url, {**typed, "link_factcheck": str(vaccines.pk)})
    assert ClaimFactCheckLink.objects.get().claim == Claim.objects.get()


def test_a_log_without_a_link_stays_as_it_was(client_ed):
    article = ArticleFactory(body="The senator said vaccines cause autism in children today.")
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]), {
        "quote": "vaccines cause autism in children", "statement": "Vaccines cause autism",
        "link_factcheck": "not-an-id"})
    claim = Claim.objects.get()
    assert response["Location"] == f"{article.get_absolute_url()}#claim-{claim.pk}"
    assert not ClaimFactCheckLink.objects.exists()


# --- The article's suggested sentences -----------------------------------------------------


@pytest.fixture
def voa():
    article = ArticleFactory(title=VOA.title, body=VOA.body)
    assist.suggestions_refresh(article=article)
    return article


def test_suggested_sentences_show_their_matches_beside_each(client_ed, voa):
    nato = make_factcheck(claim_reviewed="Twelve NATO members recognize the Libyan opposition.",
                          publisher_name="Alliance Checks")
    html = client_ed.get(voa.get_absolute_url()).content.decode()
    loader = reverse("claims:article-suggestion-factchecks", args=[voa.pk])
    assert f'hx-get="{loader}"' in html
    suggestion = ClaimSuggestion.objects.get(article=voa, text=TWELVE)
    assert f'id="suggestion-{suggestion.pk}-factchecks"' in html
    fragment = client_ed.get(loader, **HTMX).content.decode()
    own = fragment.split(f'id="suggestion-{suggestion.pk}-factchecks"')[1].split("</form>")[0]
    assert 'hx-swap-oob="true"' in own and "Alliance Checks" in own
    assert reverse("claims:suggestion-log-linked", args=[suggestion.pk]) in own
    assert f'name="factcheck" value="{nato.pk}"' in own
    assert "No fact-check found that repeats this sentence." in fragment  # the others
    page = client_ed.get(loader).content.decode()  # without JavaScript: a page
    assert "<html" in page and TWELVE.replace("'", "&#x27;") in page and "Alliance Checks" in page


def test_log_as_claim_and_link_in_one_click(client_ed, voa):
    nato = make_factcheck(claim_reviewed="Twelve NATO members recognize the Libyan opposition.")
    suggestion = ClaimSuggestion.objects.get(article=voa, text=TWELVE)
    response = client_ed.post(reverse("claims:suggestion-log-linked", args=[suggestion.pk]),
                              {"factcheck": nato.pk}, **HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    claim = Claim.objects.get(article=voa)
    assert claim.quote == TWELVE
    assert ClaimFactCheckLink.objects.get().factcheck == nato


def test_suggestions_with_no_factchecks_on_file_say_how_to_import(client_ed, voa):
    fragment = client_ed.get(reverse("claims:article-suggestion-factchecks", args=[voa.pk]),
                             **HTMX).content.decode()
    assert "No fact-checks have been imported yet" in fragment
    assert "hx-swap-oob" not in fragment


def test_suggestion_matches_take_the_same_queries_for_any_number(client_ed, voa):
    url = reverse("claims:article-suggestion-factchecks", args=[voa.pk])
    make_factcheck(claim_reviewed="Twelve NATO members recognize the Libyan opposition.")
    one, html = _queries(client_ed, url, **HTMX)
    assert 1 <= html.count("Log as claim and link this fact-check") <= 2
    # Every sentence repeats a published fact-check: a match beside each, same queries.
    for suggestion in ClaimSuggestion.objects.filter(article=voa):
        make_factcheck(claim_reviewed=suggestion.text)
    many, html = _queries(client_ed, url, **HTMX)
    assert html.count("Log as claim and link this fact-check") > 5
    assert many == one


@pytest.mark.parametrize("value, shown", [
    ("https://checks.example/a", "https://checks.example/a"),
    ("HTTP://checks.example/a", "HTTP://checks.example/a"),
    ("javascript:alert(1)", ""),
    (" JavaScript:alert(1)", ""),
    ("data:text/html,<script>alert(1)</script>", ""),
    ("//evil.example/", ""),
    ("", ""),
    (None, ""),
])
def test_only_http_addresses_become_links(value, shown):
    from claims.templatetags.factchecks import http_url

    assert http_url(value) == shown
