"""Claim assistance on the pages: the inclusion tags (constant queries), the POST views
(permissions, plain forms and htmx), and similar-claim search on each backend."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from claims.assist import services as assist
from claims.assist.selectors import similar_claims, similarity_backend
from claims.assist.similarity import embeddings_available, trigram_similarity
from claims.demo import ARTICLES
from claims.models import Claim, ClaimSuggestion
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, UserFactory

VOA = ARTICLES[1]
TWELVE = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."
TWELVE_HTML = escape(TWELVE)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor(db):
    user = UserFactory(username="assist-view-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="assist-view-outsider")


@pytest.fixture
def article(db):
    article = ArticleFactory(title=VOA.title, body=VOA.body)
    assist.suggestions_refresh(article=article)
    return article


def _render(source: str, user, **context) -> tuple[str, int]:
    request = RequestFactory().get("/somewhere/")
    request.user = type(user).objects.get(pk=user.pk)  # fresh: no permission cache
    with CaptureQueriesContext(connection) as queries:
        html = Template("{% load assist %}" + source).render(
            Context({"request": request, "csrf_token": "t0ken", **context})
        )
    return html, len(queries)


def _body(n_sentences: int) -> str:
    return " ".join(
        f"Minister {i} said unemployment fell by {i + 3}% in region {i}."
        for i in range(n_sentences)
    )


def test_suggestions_tag_lists_ranked_sentences_with_buttons_in_constant_queries(editor):
    counts = []
    for n in (3, 30):
        article = ArticleFactory(body=_body(n))
        assist.suggestions_refresh(article=article)
        html, queries = _render("{% claim_suggestions article %}", editor, article=article)
        assert html.count("Log as claim") == n and html.count(">Dismiss<") == n
        counts.append(queries)
    assert counts[0] == counts[1] <= 4
    assert 'name="csrfmiddlewaretoken" value="t0ken"' in html
    assert 'hx-post="/suggestions/' in html and 'method="post"' in html


def test_suggestions_tag_hides_buttons_from_users_without_the_role(article, outsider):
    html, _ = _render("{% claim_suggestions article %}", outsider, article=article)
    assert TWELVE_HTML in html
    assert "Log as claim" not in html and ">Dismiss<" not in html


def test_similar_claims_tag_in_constant_queries(editor, settings):
    settings.CLAIMS_SIMILARITY_BACKEND = "python"
    counts = []
    for n in (2, 20):
        target = ClaimFactory()
        for _ in range(n):
            ClaimFactory()  # the factory's claims all say unemployment fell by 12%
        html, queries = _render("{% similar_claims claim %}", editor, claim=target)
        assert html.count("Link as same claim") == min(n, 5)
        counts.append(queries)
    assert counts[0] == counts[1] <= 5


def test_log_view_plain_form_logs_and_redirects_back(client, article, editor):
    suggestion = ClaimSuggestion.objects.get(article=article, text=TWELVE)
    client.force_login(editor)
    response = client.post(
        reverse("claims:suggestion-log", args=[suggestion.pk]), {"next": "/articles/1/"}
    )
    assert response.status_code == 302 and response["Location"] == "/articles/1/"
    claim = Claim.objects.get(article=article)
    assert (claim.anchor_start, claim.anchor_end, claim.quote) == (
        suggestion.start,
        suggestion.end,
        TWELVE,
    )
    # A second click says why nothing happened, and logs nothing.
    response = client.post(reverse("claims:suggestion-log", args=[suggestion.pk]), follow=True)
    assert "already logged as the claim" in response.content.decode()
    assert Claim.objects.filter(article=article).count() == 1


def test_log_view_with_htmx_reloads_the_page_and_names_similar_claims(client, article, editor):
    ClaimFactory(
        article=ArticleFactory(body="Reuters: Twelve of the alliance's 28 members recognise it."),
        quote="Twelve of the alliance's 28 members recognise it.",
        statement="Twelve of NATO's 28 members recognise the Libyan rebels",
    )
    suggestion = ClaimSuggestion.objects.get(article=article, text=TWELVE)
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-log", args=[suggestion.pk]), **HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    suggestion.refresh_from_db()
    assert suggestion.claim is not None
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Logged the claim" in page
    assert "already has 1 claim that may say the same thing" in page
    # Not offered again: shown as logged, with a link to its claim and no button.
    assert f'id="suggestion-{suggestion.pk}"' not in page
    logged = page.split(f'id="logged-suggestion-{suggestion.pk}"')[1].split("</li>")[0]
    assert f'href="{suggestion.claim.get_absolute_url()}"' in logged
    assert "Log as claim" not in logged


def test_log_view_says_which_claimant_the_sentence_named(client, editor):
    article = ArticleFactory(body='"Ridership has fallen by a third since 2019," said '
                                  "Councillor Mark Ellison, who chairs the committee.")
    ClaimantFactory(name="Mark Ellison", role="Councillor", organisation="Northford Council")
    suggestion = assist.suggestions_refresh(article=article)[0]
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-log", args=[suggestion.pk]), follow=True)
    page = response.content.decode()
    assert ("Logged the claim “Ridership has fallen by a third since 2019”. Claimant: Mark "
            "Ellison, named in the sentence; change it on the claim&#x27;s page if someone else "
            "made it.") in page
    assert Claim.objects.get().claimant.name == "Mark Ellison"


def test_log_view_with_htmx_shows_refusals_in_the_panel(client, article, editor):
    suggestion = ClaimSuggestion.objects.get(article=article, text=TWELVE)
    assist.suggestion_dismiss(suggestion=suggestion, user=editor)
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-log", args=[suggestion.pk]), **HTMX)
    html = response.content.decode()
    assert 'id="claim-suggestions"' in html and "was dismissed" in html
    assert 'role="alert"' in html


def test_dismiss_view_hides_the_suggestion_for_good(client, article, editor):
    suggestion = ClaimSuggestion.objects.filter(article=article).first()
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-dismiss", args=[suggestion.pk]), **HTMX)
    assert f'id="suggestion-{suggestion.pk}"' not in response.content.decode()
    assert "1 dismissed" in response.content.decode()
    client.post(reverse("claims:article-suggest", args=[article.pk]))
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None


def test_views_need_login_the_role_and_post(client, article, outsider):
    suggestion = ClaimSuggestion.objects.filter(article=article).first()
    log_url = reverse("claims:suggestion-log", args=[suggestion.pk])
    response = client.post(log_url)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(outsider)
    for url in (
        log_url,
        reverse("claims:suggestion-dismiss", args=[suggestion.pk]),
        reverse("claims:article-suggest", args=[article.pk]),
    ):
        assert client.post(url).status_code == 403
    assert client.get(log_url).status_code == 405
    suggestion.refresh_from_db()
    assert suggestion.claim is None and suggestion.dismissed_at is None


def test_article_suggest_view_enqueues_and_refuses_an_empty_article(
    client, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(body=VOA.body)
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("claims:article-suggest", args=[article.pk]), **HTMX)
    # The request only enqueues: no sentence was scored inside it.
    assert len(callbacks) == 1 and not ClaimSuggestion.objects.filter(article=article).exists()
    assert "waiting for a worker" in response.content.decode()
    empty = ArticleFactory(body="")
    response = client.post(reverse("claims:article-suggest", args=[empty.pk]), **HTMX)
    assert "no text yet" in response.content.decode()


def test_link_view_links_the_later_claim_to_the_earlier(client, editor, outsider):
    first, later = ClaimFactory(), ClaimFactory()
    url = reverse("claims:claim-link", args=[later.pk])
    client.force_login(outsider)
    assert client.post(url, {"other": first.pk}).status_code == 403
    client.force_login(editor)
    response = client.post(url, {"other": first.pk}, **HTMX)
    html = response.content.decode()
    assert "This claim repeats" in html and first.statement in html
    later.refresh_from_db()
    assert later.appearance_of == first
    # The refusal comes back in words, in the panel.
    response = client.post(url, {"other": later.pk}, **HTMX)
    assert "cannot be another appearance of itself" in response.content.decode()
    response = client.post(url, {"other": "nonsense"}, follow=True)
    assert "Choose the claim that says the same thing" in response.content.decode()
    response = client.post(reverse("claims:claim-unlink", args=[later.pk]), follow=True)
    later.refresh_from_db()
    assert later.appearance_of is None


def test_pages_show_the_panels(client, article, editor):
    client.force_login(editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="claim-suggestions"' in html and "Log as claim" in html
    claim = ClaimFactory()
    earlier = ClaimFactory()  # the factory's claims all say the same thing
    html = client.get(claim.get_absolute_url()).content.decode()
    # The claim page loads the panel after itself (htmx) and links to it without JavaScript.
    panel_url = reverse("claims:claim-similar", args=[claim.pk])
    assert 'id="similar-claims"' in html and f'hx-get="{panel_url}"' in html
    assert f'href="{panel_url}"' in html
    panel = client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="similar-claims"' in panel
    assert f'id="similar-{earlier.pk}"' in panel and "Link as same claim" in panel
    page = client.get(panel_url).content.decode()  # no JavaScript: a page of its own
    assert "<nav" in page and f'id="similar-{earlier.pk}"' in page


# --- Similar-claim search ---------------------------------------------------------------


def _desk():
    """Claims from three articles: the same statistic twice, a paraphrased quote, and
    distractors on the same topic."""
    made = {}
    for key, statement, quote in [
        (
            "jobs",
            "Unemployment is at its lowest since 2008",
            "The unemployment rate fell to 3.9% in the three months to January.",
        ),
        (
            "jobs_again",
            "Jobless rate at 3.9%, lowest since 2008",
            "Unemployment dropped to 3.9 per cent, its lowest rate since 2008.",
        ),
        (
            "jobs_up",
            "Unemployment rose to 4.2%",
            "The unemployment rate rose to 4.2% in the three months to June.",
        ),
        ("nato", "Twelve of NATO's 28 members recognise the Libyan rebels", TWELVE),
        (
            "nato_again",
            "12 of 28 NATO allies recognise the rebel council",
            "Twelve of the alliance's 28 member states have formally recognised the council.",
        ),
        ("rents", "Rents rose 9.2% in a year", "Average private rents rose 9.2% in the year."),
    ]:
        article = ArticleFactory(body=f"Intro. {quote} Outro.")
        made[key] = ClaimFactory(article=article, statement=statement, quote=quote)
    return made


@pytest.mark.parametrize("backend", ["python", "trigram", "embeddings"])
def test_similar_claims_finds_the_same_claim_first(db, backend):
    if backend == "trigram" and connection.vendor != "postgresql":
        pytest.skip("pg_trgm exists only on PostgreSQL; CI runs this with DATABASE_URL=postgres")
    if backend == "embeddings" and not embeddings_available():
        pytest.skip("the optional [embeddings] extra (sentence-transformers) is not installed")
    desk = _desk()
    for key, expected in [("jobs", "jobs_again"), ("nato", "nato_again"), ("nato_again", "nato")]:
        found = similar_claims(desk[key], backend=backend)
        assert found, f"{backend} found nothing for {key}"
        assert found[0].claim == desk[expected], (
            key,
            [(m.claim.statement, m.score) for m in found],
        )
        assert desk[key] not in [m.claim for m in found]
    # Linked appearances are not offered again.
    desk["jobs_again"].appearance_of = desk["jobs"]
    desk["jobs_again"].save()
    assert desk["jobs_again"] not in [
        m.claim for m in similar_claims(desk["jobs"], backend=backend)
    ]


@pytest.mark.postgres
def test_trigram_search_uses_pg_trgm_and_its_indexes(db):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm exists only on PostgreSQL; CI runs this with DATABASE_URL=postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('claim_statement_trgm_gist', 'claim_quote_trgm_gist') ORDER BY indexname"
        )
        assert [r[0] for r in cursor.fetchall()] == [
            "claim_quote_trgm_gist",
            "claim_statement_trgm_gist",
        ]
    desk = _desk()
    with CaptureQueriesContext(connection) as queries:
        found = similar_claims(desk["jobs"], backend="trigram")
    assert found[0].claim == desk["jobs_again"]
    # Nearest neighbours by trigram distance: an index-ordered scan of the GiST index.
    assert any(" <-> " in q["sql"] for q in queries.captured_queries)
    assert similarity_backend() == "trigram"
    # The Python fallback computes pg_trgm's similarity() exactly, so both rank alike.
    pairs = [
        (TWELVE, "Twelve of the alliance's 28 members recognise it."),
        ("Ça coûte 12,5 € — “vraiment”?", "ca coute 12.5 euros vraiment"),
        ("Unemployment fell to 3.9%", "Jobless rate at 3.9%, lowest since 2008"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(trigram_similarity(a, b), abs=1e-6)


def test_backend_setting_is_checked(settings):
    settings.CLAIMS_SIMILARITY_BACKEND = "python"
    assert similarity_backend() == "python"
    settings.CLAIMS_SIMILARITY_BACKEND = "magic"
    with pytest.raises(ValueError, match="must be one of"):
        similarity_backend()
