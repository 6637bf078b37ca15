"""The editor desk's pages through the test client: access, forms, bad input, and the
number of queries each list page makes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.models import Article, Claim, Claimant, Evidence
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    user = factories.UserFactory(username="ed", first_name="Erin", last_name="Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def outsider(db):
    """Logged in, but in no group: may read, may not write."""
    return factories.UserFactory(username="guest")


@pytest.fixture
def client_ed(client, editor):
    client.force_login(editor)
    return client


def error_text(response) -> str:
    return " ".join(
        re.findall(
            r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', response.content.decode(), re.S
        )
    )


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("claims:dashboard", []),
        ("claims:article-list", []),
        ("claims:claim-list", []),
        ("claims:source-list", []),
        ("claims:claimant-autocomplete", []),
    ],
)
def test_pages_require_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_pages_require_login(client):
    claim = factories.ClaimFactory()
    source = factories.SourceFactory()
    for url in (
        claim.get_absolute_url(),
        claim.article.get_absolute_url(),
        source.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 302, url


def test_login_and_logout(client, editor):
    response = client.post(reverse("login"), {"username": "ed", "password": "pass"})
    assert response.status_code == 302
    page = client.get(reverse("claims:dashboard"))
    assert "Signed in as <strong>Erin Editor</strong>" in page.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("claims:dashboard")).status_code == 302


def test_layout_has_navigation(client_ed):
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    for label in ("Dashboard", "Articles", "Claims", "Sources"):
        assert f">{label}</a>" in html
    assert "Log out" in html


@pytest.mark.parametrize(
    "name",
    ["claims:article-add", "claims:claim-bulk"],
)
def test_writes_need_permission(client, outsider, name):
    client.force_login(outsider)
    assert client.post(reverse(name), {}).status_code == 403


def test_outsider_cannot_log_edit_or_add_evidence(client, outsider):
    claim = factories.ClaimFactory()
    client.force_login(outsider)
    urls = [
        reverse("claims:claim-log", args=[claim.article_id]),
        reverse("claims:claim-edit", args=[claim.pk]),
        reverse("claims:claim-status", args=[claim.pk]),
        reverse("claims:claim-assign", args=[claim.pk]),
        reverse("claims:claim-evidence-add", args=[claim.pk]),
        reverse("claims:claim-source-attach", args=[claim.pk]),
        reverse("claims:claimant-create"),
    ]
    for url in urls:
        assert client.post(url, {"statement": "x", "note": "x"}).status_code == 403, url
    # Reading is allowed, and the page offers no write forms.
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Change status" not in html and "Add evidence" not in html


def test_404_page_fits_layout(client_ed):
    response = client_ed.get("/claims/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Main navigation" in html


def test_500_template_renders_without_context():
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Something went wrong" in html


# --- Dashboard -----------------------------------------------------------------------------


def test_dashboard_shows_my_claims_counts_chart_and_failing_sources(client_ed, editor):
    mine = factories.ClaimFactory(assignee=editor, statement="Mine to check")
    factories.ClaimFactory(statement="Someone else's")
    verdict = factories.PublishedVerdictFactory(claim=factories.ClaimFactory(status="published"))
    factories.SourceFactory(status="failed", last_error_kind="timeout", last_error="Took too long")
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    assigned = html.split('id="mine"')[1].split("</section>")[0]
    assert mine.statement in assigned and "Someone else" not in assigned
    assert "3 claims in all" in html
    assert f'fill="{verdict.rating.colour}"' in html and "<svg" in html
    assert "Took too long" in html
    assert verdict.claim.statement in html.split('id="published"')[1]


def test_dashboard_reads_cached_counts(client_ed):
    from django.core.cache import cache

    from claims.selectors.dashboard import DESK_STATS_CACHE_KEY

    factories.ClaimFactory()
    cache.set(
        DESK_STATS_CACHE_KEY,
        {"claims_by_status": {"new": 123456}, "claims_total": 123456, "verdicts_by_rating": []},
    )
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    assert "123,456 claims in all" in html


def test_dashboard_works_when_redis_is_down(client_ed, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    factories.ClaimFactory()
    response = client_ed.get(reverse("claims:dashboard"))
    assert response.status_code == 200
    assert "1 claims in all" in response.content.decode()


# --- Articles ------------------------------------------------------------------------------


def test_add_article_by_pasting(client_ed, editor):
    response = client_ed.post(
        reverse("claims:article-add"),
        {
            "method": "text",
            "text-title": "Budget day",
            "text-outlet": "The Times",
            "text-body": "Line one.\r\nThe end is in sight.\r\n",
        },
    )
    article = Article.objects.get(title="Budget day")
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    # Browsers turn CRLF into LF, so offsets computed there only match an LF body.
    assert article.body == "Line one.\nThe end is in sight."
    assert article.created_by == editor


def test_add_article_without_text_says_why_and_keeps_input(client_ed):
    response = client_ed.post(
        reverse("claims:article-add"),
        {"method": "text", "text-title": "Kept title", "text-body": "   "},
    )
    assert response.status_code == 400
    assert "Paste the article text" in error_text(
        response
    ) or "This field is required" in error_text(response)
    assert 'value="Kept title"' in response.content.decode()
    assert not Article.objects.exists()


def test_upload_txt_article(client_ed):
    upload = SimpleUploadedFile(
        "budget_speech.txt", b"Ministers said the end is in sight.", "text/plain"
    )
    response = client_ed.post(
        reverse("claims:article-add"), {"method": "upload", "upload-file": upload}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "budget speech"
    assert article.body == "Ministers said the end is in sight."


def test_upload_html_article_keeps_only_text(client_ed):
    html = (
        "<html><head><title>Speech &amp; reply</title><script>alert(1)</script></head>"
        "<body><article><p>The minister said the end is in sight for the strike.</p>"
        "<p>Unions disagreed strongly with the minister's claim on Tuesday.</p></article>"
        "<style>p{}</style></body></html>"
    )
    upload = SimpleUploadedFile("speech.html", html.encode(), "text/html")
    response = client_ed.post(
        reverse("claims:article-add"), {"method": "upload", "upload-file": upload}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "Speech & reply"
    assert "the end is in sight" in article.body
    assert "alert" not in article.body and "<p>" not in article.body


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("report.pdf", b"%PDF-1.4", "Upload a .txt or .html file"),
        ("binary.txt", b"\x00\x01\x02binary", "not text"),
        ("empty.txt", b"   ", "no article text"),
    ],
)
def test_upload_bad_files_are_refused_in_words(client_ed, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_ed.post(
        reverse("claims:article-add"), {"method": "upload", "upload-file": upload}
    )
    assert response.status_code == 400
    assert message in error_text(response)
    assert not Article.objects.exists()


def test_upload_too_large_is_refused(client_ed, settings):
    settings.ARTICLE_UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.txt", b"a" * 5000)
    response = client_ed.post(
        reverse("claims:article-add"), {"method": "upload", "upload-file": upload}
    )
    assert response.status_code == 400
    assert "the limit is 1 KB" in error_text(response)


def test_add_article_by_url_bad_url_is_an_error(client_ed):
    response = client_ed.post(
        reverse("claims:article-add"), {"method": "url", "url-url": "not a url at all"}
    )
    assert response.status_code == 400
    assert "Enter a valid URL" in error_text(response)


def test_article_page_highlights_claims_and_escapes_text(client_ed):
    article = factories.ArticleFactory(
        body="<script>alert(1)</script> It is clear that the end is in sight. Really."
    )
    wide = factories.ClaimFactory(article=article, quote="that the end is in sight")
    narrow = factories.ClaimFactory(article=article, quote="the end")
    html = client_ed.get(article.get_absolute_url()).content.decode()
    body = html.split('id="article-body"')[1].split("</article>")[0]
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert re.search(rf'data-claims="{wide.pk}" title="[^"]*">that </mark>', body)
    assert f'class="claim-anchor claim-overlap" data-claims="{wide.pk} {narrow.pk}"' in body
    # The marks hold exactly the article text: offsets computed in the page match the body.
    text = re.sub(r"<[^>]+>", "", body.split(">", 1)[1])
    import html as html_lib

    assert html_lib.unescape(text) == article.body


def test_article_list_offers_add_forms_to_editors_only(client, editor, outsider):
    factories.ArticleFactory(title="Listed article")
    client.force_login(editor)
    html = client.get(reverse("claims:article-list")).content.decode()
    assert "Listed article" in html and "Add pasted article" in html
    client.force_login(outsider)
    html = client.get(reverse("claims:article-list")).content.decode()
    assert "Listed article" in html and "Add pasted article" not in html


# --- Logging a claim -------------------------------------------------------------------------


def test_log_claim_form_is_prefilled_from_selection(client_ed):
    article = factories.ArticleFactory()
    start = article.body.index("the end is in sight")
    url = reverse("claims:claim-log", args=[article.pk])
    html = client_ed.get(
        url, {"quote": "the end is in sight", "start": start, "end": start + 19}
    ).content.decode()
    assert ">\nthe end is in sight</textarea>" in html
    assert f'name="start" value="{start}"' in html


def test_log_claim_with_offsets_and_new_claimant(client_ed, editor):
    article = factories.ArticleFactory()
    start = article.body.index("the end is in sight")
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {
            "quote": "the end is in sight",
            "start": start,
            "end": start + 19,
            "claimant_name": "Jo Bloggs",
            "claimant_role": "Mayor",
            "claimant_organisation": "Town",
            "statement": "The end is in sight",
            "tags": "economy, strikes",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#claim-{claim.pk}"
    assert (claim.anchor_start, claim.anchor_end) == (start, start + 19)
    assert claim.claimant.name == "Jo Bloggs" and claim.claimant.organisation == "Town"
    assert sorted(t.name for t in claim.tags.all()) == ["economy", "strikes"]
    assert claim.created_by == editor
    page = client_ed.get(article.get_absolute_url()).content.decode()
    assert f'data-claims="{claim.pk}"' in page


def test_log_claim_without_javascript_finds_the_typed_quote(client_ed):
    article = factories.ArticleFactory()
    claimant = factories.ClaimantFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "claimant": claimant.pk, "statement": "End in sight"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.anchor_start == article.body.index("the end is in sight")
    assert claim.claimant == claimant


def test_log_claim_with_non_bmp_characters_uses_code_point_offsets(client_ed):
    article = factories.ArticleFactory(body="Crowds 🎉🎉 cheered: the end is in sight, he said.")
    start = article.body.index("the end")  # Python counts code points, as the page's JS does
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "start": start, "end": start + 19, "statement": "End"},
    )
    assert response.status_code == 302
    # 19 code points; JavaScript's UTF-16 String.length would say 21.
    assert Claim.objects.get().anchor_start == start == 19


def test_log_claim_quote_not_in_article_is_an_error_next_to_the_quote(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "words nobody wrote", "statement": "Nothing"},
    )
    assert response.status_code == 400
    assert "does not appear in the article text" in error_text(response)
    assert "words nobody wrote</textarea>" in response.content.decode()
    assert not Claim.objects.exists()


def test_log_claim_missing_statement(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(reverse("claims:claim-log", args=[article.pk]), {"quote": "the end"})
    assert response.status_code == 400
    assert "This field is required" in error_text(response)


def test_claimant_autocomplete_and_inline_create(client_ed):
    factories.ClaimantFactory(name="Anders Fogh Rasmussen", organisation="NATO")
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"claimant_name": "fogh"}
    ).content.decode()
    assert "Choose Anders Fogh Rasmussen" in html and 'role="option"' in html
    response = client_ed.post(
        reverse("claims:claimant-create"),
        {"claimant_name": "New Person", "claimant_organisation": "Council"},
        HTTP_HX_REQUEST="true",
    )
    created = Claimant.objects.get(name="New Person")
    assert f'data-claimant-id="{created.pk}"' in response.content.decode()
    bad = client_ed.post(reverse("claims:claimant-create"), {"claimant_name": " "})
    assert bad.status_code == 400 and "Give the claimant" in bad.content.decode()


# --- Claims table --------------------------------------------------------------------------------


def claim_rows(html: str) -> list[str]:
    body = html.split('id="claims-table"')[1].split("<tbody")[1].split("</tbody>")[0]
    return re.findall(r"<tr", body)


def test_claims_table_filters_by_claimant_status_and_text(client_ed):
    alice = factories.ClaimantFactory(name="Alice")
    factories.ClaimFactory(claimant=alice, statement="Unemployment fell sharply")
    factories.ClaimFactory(statement="Taxes rose", status=ClaimStatus.RESEARCHING)
    url = reverse("claims:claim-list")
    html = client_ed.get(url, {"claimant": alice.pk}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" not in html
    html = client_ed.get(url, {"status": "researching"}).content.decode()
    assert "Taxes rose" in html and "Unemployment fell" not in html
    html = client_ed.get(url, {"q": "sharply"}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" not in html
    # The search covers the quote too (both claims quote the factory's sentence).
    html = client_ed.get(url, {"q": "unemployment fell"}).content.decode()
    assert "Unemployment fell sharply" in html and "Taxes rose" in html


def test_claims_table_filters_by_rating_tag_assignee_and_dates(client_ed, editor):
    verdict = factories.PublishedVerdictFactory(
        claim=factories.ClaimFactory(statement="Rated claim")
    )
    tagged = factories.ClaimFactory(statement="Tagged claim", assignee=editor)
    tagged.tags.create(name="health")
    url = reverse("claims:claim-list")
    html = client_ed.get(url, {"rating": verdict.rating_id}).content.decode()
    assert "Rated claim" in html and "Tagged claim" not in html
    html = client_ed.get(url, {"tag": tagged.tags.get().pk}).content.decode()
    assert "Tagged claim" in html and "Rated claim" not in html
    html = client_ed.get(url, {"assignee": editor.pk}).content.decode()
    assert "Tagged claim" in html and "Rated claim" not in html
    html = client_ed.get(
        url, {"created_from": "2000-01-01", "created_to": "2000-12-31"}
    ).content.decode()
    assert "No claims match these filters" in html


def test_claims_table_htmx_returns_only_results(client_ed):
    factories.ClaimFactory(statement="Partial claim")
    url = reverse("claims:claim-list")
    response = client_ed.get(
        url, {"q": "partial"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claim-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claim-results"') and "Partial claim" in html
    assert "<nav" not in html and "Filter claims" not in html
    # A link in the table (sorting, a claimant's name) swaps the filters and the results.
    response = client_ed.get(
        url, {"sort": "id"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claims-page"
    )
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False and 'id="claims-page"' in html
    assert "Filter claims" in html and "Main navigation" not in html


def test_claims_table_sorts_by_indexed_columns(client_ed):
    first = factories.ClaimFactory(statement="Alpha claim", claimed_on="2020-01-01")
    second = factories.ClaimFactory(statement="Beta claim", claimed_on="2021-01-01")
    html = client_ed.get(reverse("claims:claim-list"), {"sort": "claimed_on"}).content.decode()
    assert html.index(first.statement) < html.index(second.statement)
    html = client_ed.get(reverse("claims:claim-list"), {"sort": "-claimed_on"}).content.decode()
    assert html.index(second.statement) < html.index(first.statement)


def table_headers(html: str) -> list[str]:
    head = html.split('id="claims-table"')[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th.*?</th>", head, re.S)]


def test_claims_table_columns_are_remembered(client_ed):
    factories.ClaimFactory()
    headers = table_headers(client_ed.get(reverse("claims:claim-list")).content.decode())
    assert "Assignee" in headers and "Logged" not in headers
    response = client_ed.post(
        reverse("claims:claim-columns"),
        {"columns": ["id", "created_at"], "next": "/claims/?status=new"},
    )
    assert response["Location"] == "/claims/?status=new"
    headers = table_headers(client_ed.get(reverse("claims:claim-list")).content.decode())
    assert headers == ["", "Id", "Statement", "Logged"]


def test_columns_next_does_not_redirect_offsite(client_ed):
    response = client_ed.post(
        reverse("claims:claim-columns"), {"columns": ["id"], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("claims:claim-list")


def test_claims_table_paginates_without_counting(client_ed):
    factories.ClaimFactory.create_batch(55)
    url = reverse("claims:claim-list")
    with CaptureQueriesContext(connection) as queries:
        html = client_ed.get(url).content.decode()
    assert len(claim_rows(html)) == 50
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "claims_claim" in q["sql"]]
    html = client_ed.get(url, {"page": 2}).content.decode()
    assert len(claim_rows(html)) == 5


def queries_for(client, url, params=None) -> int:
    from django.core.cache import cache

    cache.clear()  # the dashboard's cached counts would otherwise save queries on a rerun
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_claims_table_query_count_is_constant(client_ed, editor):
    def make(n):
        for claim in factories.ClaimFactory.create_batch(n, assignee=editor):
            claim.tags.create(name=f"tag-{claim.pk}")
            factories.PublishedVerdictFactory(claim=claim)

    url = reverse("claims:claim-list")
    make(1)
    one = queries_for(client_ed, url)
    one_filtered = queries_for(client_ed, url, {"q": "unemployment", "status": "new"})
    make(49)
    assert queries_for(client_ed, url) == one
    assert queries_for(client_ed, url, {"q": "unemployment", "status": "new"}) == one_filtered


def test_article_and_source_lists_query_count_is_constant(client_ed):
    article_url, source_url = reverse("claims:article-list"), reverse("claims:source-list")
    factories.ClaimFactory()
    factories.SourceFactory()
    articles_one, sources_one = (
        queries_for(client_ed, article_url),
        queries_for(client_ed, source_url),
    )
    factories.ClaimFactory.create_batch(49)
    factories.SourceFactory.create_batch(49, status="failed", last_error_kind="timeout")
    assert queries_for(client_ed, article_url) == articles_one
    assert queries_for(client_ed, source_url) == sources_one


def test_dashboard_query_count_is_constant(client_ed, editor):
    factories.ClaimFactory(assignee=editor)
    factories.PublishedVerdictFactory()
    factories.SourceFactory(status="failed")
    one = queries_for(client_ed, reverse("claims:dashboard"))
    factories.ClaimFactory.create_batch(20, assignee=editor)
    factories.PublishedVerdictFactory.create_batch(20)
    factories.SourceFactory.create_batch(20, status="failed")
    assert queries_for(client_ed, reverse("claims:dashboard")) == one


def test_claim_page_query_count_is_constant(client_ed):
    claim = factories.ClaimFactory()
    factories.EvidenceFactory(claim=claim)
    one = queries_for(client_ed, claim.get_absolute_url())
    factories.EvidenceFactory.create_batch(10, claim=claim)
    assert queries_for(client_ed, claim.get_absolute_url()) == one


def test_bulk_assign_and_status(client_ed, editor):
    claims = factories.ClaimFactory.create_batch(3)
    ids = [c.pk for c in claims]
    response = client_ed.post(
        reverse("claims:claim-bulk"),
        {
            "action": "assign",
            "claims": ids[:2],
            "assignee": editor.pk,
            "next": "/claims/?status=new",
        },
    )
    assert response["Location"] == "/claims/?status=new"
    assert Claim.objects.filter(assignee=editor).count() == 2
    client_ed.post(
        reverse("claims:claim-bulk"), {"action": "status", "claims": ids, "status": "researching"}
    )
    assert Claim.objects.filter(status="researching").count() == 3


def test_bulk_status_refusals_are_reported_in_words(client_ed):
    published = factories.ClaimFactory(status=ClaimStatus.PUBLISHED)
    fresh = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-bulk"),
        {"action": "status", "claims": [published.pk, fresh.pk], "status": "researching"},
        follow=True,
    )
    html = response.content.decode()
    assert "1 claim updated" in html
    assert f"#{published.pk}: A claim that is published cannot be set to researching" in html
    published.refresh_from_db()
    assert published.status == ClaimStatus.PUBLISHED


def test_bulk_without_selection_says_so(client_ed):
    response = client_ed.post(reverse("claims:claim-bulk"), {"action": "assign"}, follow=True)
    assert "Select at least one claim" in response.content.decode()


def test_export_link_only_when_exports_exist(client_ed):
    from django.urls import NoReverseMatch

    html = client_ed.get(reverse("claims:claim-list"), {"status": "new"}).content.decode()
    try:
        export = reverse("claims:export")
    except NoReverseMatch:
        assert "Export this view" not in html
    else:
        # One link per format, each carrying the table's filters.
        for fmt in ("csv", "json", "jsonl", "claimreview"):
            assert f'href="{export}?status=new&amp;format={fmt}"' in html


# --- Claim page --------------------------------------------------------------------------------


def test_claim_page_shows_context_sources_evidence_history(client_ed):
    claim = factories.ClaimFactory()
    evidence = factories.EvidenceFactory(claim=claim, note="Stats office says no", stance="refutes")
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    quoted = '<mark class="claim-anchor">unemployment fell by 12 per cent last year</mark>'
    assert f"The minister said {quoted}" in html
    assert "Stats office says no" in html
    assert evidence.source.url in html or evidence.source.domain in html
    assert "logged the claim" in html


def test_claim_status_change_and_error(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-status", args=[claim.pk]), {"status": "not_checkable"}
    )
    assert response.status_code == 400
    assert "Say why the claim cannot be checked" in error_text(response)
    response = client_ed.post(
        reverse("claims:claim-status", args=[claim.pk]), {"status": "researching"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "researching"


def test_claim_assign(client_ed, editor):
    claim = factories.ClaimFactory()
    client_ed.post(reverse("claims:claim-assign", args=[claim.pk]), {"assignee": editor.pk})
    claim.refresh_from_db()
    assert claim.assignee == editor


def test_claim_edit_and_stale_edit_conflict(client_ed, editor):
    claim = factories.ClaimFactory(statement="Original")
    url = reverse("claims:claim-edit", args=[claim.pk])
    stale_version = claim.version
    response = client_ed.post(
        url, {"version": stale_version, "statement": "First edit", "tags": "a"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.statement == "First edit" and claim.version == stale_version + 1
    # A second editor's form still carries the old version.
    response = client_ed.post(url, {"version": stale_version, "statement": "Second edit"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html and "First edit" in html and "Second edit" in html
    claim.refresh_from_db()
    assert claim.statement == "First edit"
    # The conflict form now carries the current version: saving it again is deliberate.
    assert f'name="version" value="{claim.version}"' in html
    assert (
        client_ed.post(url, {"version": claim.version, "statement": "Second edit"}).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.statement == "Second edit"


def test_claim_edit_bad_input(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]), {"version": claim.version, "statement": ""}
    )
    assert response.status_code == 400
    assert "This field is required" in error_text(response)


def test_claim_page_picks_the_claimant_by_name_not_from_a_list_of_all(client_ed):
    claim = factories.ClaimFactory()
    factories.ClaimantFactory.create_batch(30)
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    # No <select> of every claimant on file: the name, with suggestions, and the id hidden.
    assert '<select name="claimant"' not in html
    assert f'name="claimant" value="{claim.claimant_id}"' in html
    assert re.search(rf'name="claimant_name"[^>]*value="{claim.claimant.name}"', html)
    assert 'role="combobox"' in html


@pytest.mark.parametrize(
    "case", ["same", "other on file", "new name", "emptied", "id only", "chosen from list"]
)
def test_claim_edit_claimant_cases(client_ed, case):
    claim = factories.ClaimFactory()
    original = claim.claimant
    other = factories.ClaimantFactory(name="Jens Stoltenberg")
    url = reverse("claims:claim-edit", args=[claim.pk])
    base = {"version": claim.version, "statement": claim.statement}
    # Without JavaScript the hidden id stays as the page gave it: the name decides.
    post, expected = {
        "same": ({"claimant": original.pk, "claimant_name": original.name}, original),
        "other on file": ({"claimant": original.pk, "claimant_name": "jens  STOLTENBERG"}, other),
        "new name": ({"claimant": original.pk, "claimant_name": "Mahmoud Jibril"}, "new"),
        "emptied": ({"claimant": original.pk, "claimant_name": "  "}, None),
        "id only": ({"claimant": other.pk}, other),
        "chosen from list": ({"claimant": other.pk, "claimant_name": other.name}, other),
    }[case]
    response = client_ed.post(url, {**base, **post})
    assert response.status_code == 302, error_text(response)
    claim.refresh_from_db()
    if expected == "new":
        assert claim.claimant.name == "Mahmoud Jibril"
        assert claim.claimant.pk not in (original.pk, other.pk)
    else:
        assert claim.claimant == expected


def test_claim_edit_asks_for_a_choice_when_a_typed_name_is_ambiguous(client_ed):
    claim = factories.ClaimFactory()
    factories.ClaimantFactory(name="Ali Tarhouni", organisation="NTC")
    factories.ClaimantFactory(name="Ali Tarhouni", organisation="University of Washington")
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]),
        {"version": claim.version, "statement": "Edited", "claimant_name": "ali tarhouni"},
    )
    assert response.status_code == 400
    assert "Several claimants on file are called" in error_text(response)
    claim.refresh_from_db()
    assert claim.statement != "Edited"  # nothing half-saved


def test_claim_edit_rejects_an_unknown_claimant_id(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-edit", args=[claim.pk]),
        {"version": claim.version, "statement": "x", "claimant": 999999, "claimant_name": "X"},
    )
    assert response.status_code == 400
    assert "That claimant is no longer on file" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement != "x"


def test_add_evidence_inline_with_htmx(client_ed, editor):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[claim.pk]),
        {"stance": "supports", "note": "The survey agrees", "excerpt": "12% lower"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="evidence"')
    assert "The survey agrees" in html and "Evidence added" in html
    evidence = Evidence.objects.get()
    assert evidence.stance == "supports" and evidence.created_by == editor


def test_add_evidence_needs_note_or_source(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[claim.pk]), {"stance": "refutes"}
    )
    assert response.status_code == 400
    assert "Write a note, or choose the source" in error_text(response)
    assert not Evidence.objects.exists()


def test_evidence_on_attached_source_fills_in_that_citation(client_ed):
    evidence = factories.EvidenceFactory(note="", stance="context")
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[evidence.claim_id]),
        {"stance": "refutes", "source": evidence.source_id, "note": "Contradicts it"},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.note) == ("refutes", "Contradicts it")
    assert Evidence.objects.count() == 1


def test_evidence_source_must_be_one_of_the_claims(client_ed):
    claim = factories.ClaimFactory()
    elsewhere = factories.SourceFactory()
    response = client_ed.post(
        reverse("claims:claim-evidence-add", args=[claim.pk]),
        {"stance": "refutes", "source": elsewhere.pk, "note": "x"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_text(response)


# --- Sources ---------------------------------------------------------------------------------


def test_source_page_escapes_extracted_text_and_offers_download(client_ed):
    capture = factories.CaptureFactory(
        text="<img src=x onerror=alert(1)> Official figures", metadata={"lang": "<b>en</b>"}
    )
    capture.snapshot.save(
        "x",
        __import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(
            b"<html><script>alert(1)</script></html>"
        ),
    )
    html = client_ed.get(capture.source.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; Official figures" in html
    assert "<img src=x" not in html and "<b>en</b>" not in html
    download = reverse("claims:capture-snapshot", args=[capture.pk])
    assert download in html
    response = client_ed.get(download)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<html><script>alert(1)</script></html>"


def test_snapshot_download_requires_login(client):
    capture = factories.CaptureFactory()
    response = client.get(reverse("claims:capture-snapshot", args=[capture.pk]))
    assert response.status_code == 302


def test_source_list_filters_by_status(client_ed):
    factories.SourceFactory(url="https://ok.example/a", status="fetched")
    factories.SourceFactory(
        url="https://bad.example/b", status="failed", last_error_kind="timeout", last_error="slow"
    )
    html = client_ed.get(reverse("claims:source-list"), {"status": "failed"}).content.decode()
    assert "bad.example" in html and "ok.example" not in html
    assert "Timed out: slow" in html


def test_source_status_partial_polls_only_while_pending(client_ed):
    pending = factories.SourceFactory(status="pending")
    fetched = factories.SourceFactory(status="fetched")
    html = client_ed.get(reverse("claims:source-status", args=[pending.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    html = client_ed.get(reverse("claims:source-status", args=[fetched.pk])).content.decode()
    assert "hx-trigger" not in html and "Fetched" in html


# --- Sources attached from the claim page (services from the fetching part of the desk) -------


def test_attach_source_shows_it_pending_with_live_status(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-source-attach", args=[claim.pk]),
        {"url": "https://stats.example.org/report"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.source.status == "pending"
    html = client_ed.get(claim.get_absolute_url()).content.decode()
    assert "stats.example.org" in html
    assert f'hx-get="{reverse("claims:source-status", args=[evidence.source_id])}"' in html


def test_attach_source_bad_url_is_an_error_next_to_the_field(client_ed):
    claim = factories.ClaimFactory()
    response = client_ed.post(
        reverse("claims:claim-source-attach", args=[claim.pk]), {"url": "http://10.0.0.1/x"}
    )
    assert response.status_code == 400
    assert "only public addresses can be fetched" in error_text(response)
    assert not Evidence.objects.exists()


def test_refetch_source_with_htmx_returns_the_status_partial(client_ed):
    source = factories.SourceFactory(status="failed", last_error_kind="timeout")
    response = client_ed.post(
        reverse("claims:source-refetch", args=[source.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="source-status-{source.pk}"' in html and "Pending" in html
    source.refresh_from_db()
    assert source.status == "pending"


def test_refetch_needs_permission(client, outsider):
    source = factories.SourceFactory(status="failed")
    client.force_login(outsider)
    assert client.post(reverse("claims:source-refetch", args=[source.pk])).status_code == 403


def test_add_article_by_url_starts_a_background_import(client_ed):
    response = client_ed.post(
        reverse("claims:article-add"),
        {"method": "url", "url-url": "https://news.example.com/story"},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.status == "pending"
    html = client_ed.get(article.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("claims:article-status", args=[article.pk])}"' in html
    # Once the worker has the text, the polled partial makes htmx reload the page.
    Article.objects.filter(pk=article.pk).update(status="ready", body="Text")
    poll = client_ed.get(
        reverse("claims:article-status", args=[article.pk]), HTTP_HX_REQUEST="true"
    )
    assert poll["HX-Refresh"] == "true"


def test_search_index_migration_matches_the_search_expression():
    """The migration keeps a frozen copy of the search expression; they must agree or
    PostgreSQL would not use the index."""
    import importlib

    from claims.filtersets import claim_search_vector

    migration = importlib.import_module("claims.migrations.0004_claim_search_index")
    assert migration._index().expressions[0] == claim_search_vector()


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(client_ed):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches by substring")
    from claims.filtersets import claim_search

    factories.ClaimFactory(statement="Inflation is falling fast")
    factories.ClaimFactory(statement="Taxes rose")
    found = claim_search(Claim.objects.all(), "falling inflation")
    assert [c.statement for c in found] == ["Inflation is falling fast"]  # stemmed, any order
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'claim_search_gin_idx'")
        assert cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = found.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_search_gin_idx" in plan
    html = client_ed.get(reverse("claims:claim-list"), {"q": "falling inflation"}).content.decode()
    assert "Inflation is falling fast" in html and "Taxes rose" not in html


def test_claimant_links_in_the_table_keep_the_other_filters(client_ed):
    alice = factories.ClaimantFactory(name="Alice")
    factories.ClaimFactory(claimant=alice, status="researching")
    html = client_ed.get(
        reverse("claims:claim-list"), {"status": "researching", "page": 1}
    ).content.decode()
    assert f'href="?status=researching&amp;claimant={alice.pk}"' in html


def test_claimant_finder_for_the_table_filter(client_ed):
    alice = factories.ClaimantFactory(name="Alice Smith")
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"for": "filter", "claimant_name": "smi"}
    ).content.decode()
    assert f'href="{reverse("claims:claim-list")}?claimant={alice.pk}"' in html
    html = client_ed.get(
        reverse("claims:claimant-autocomplete"), {"for": "filter", "claimant_name": "zzz"}
    ).content.decode()
    assert "No claimant called “zzz”" in html


def test_claims_table_checkboxes_are_labelled_for_bulk_actions(client_ed):
    claim = factories.ClaimFactory()
    html = client_ed.get(reverse("claims:claim-list")).content.decode()
    box = re.search(r'<input[^>]*name="claims"[^>]*>', html).group(0)
    assert f'value="{claim.pk}"' in box and f'aria-label="Select claim #{claim.pk}"' in box
    assert 'form="bulk-form"' in box


def test_claim_history_names_the_changes_in_constant_queries(client_ed, editor):
    from claims.services.claims import claim_set_status, claim_update

    claim = factories.ClaimFactory()
    url = claim.get_absolute_url()
    claim_set_status(claim=claim, status="researching", user=editor)
    one = queries_for(client_ed, url)
    for i in range(5):
        claim.refresh_from_db()
        claim_update(
            claim=claim,
            version=claim.version,
            statement=f"Edit {i}",
            claimant=claim.claimant,
            claimed_on=None,
            user=editor,
        )
    html = client_ed.get(url).content.decode()
    assert "changed statement" in html and "changed status" in html
    assert queries_for(client_ed, url) == one


def test_article_page_query_count_is_constant(client_ed):
    article = factories.ArticleFactory()
    factories.ClaimFactory(article=article)
    one = queries_for(client_ed, article.get_absolute_url())
    factories.ClaimFactory.create_batch(20, article=article, quote="the end is in sight")
    assert queries_for(client_ed, article.get_absolute_url()) == one


def test_source_page_query_count_is_constant(client_ed):
    source = factories.SourceFactory()
    factories.CaptureFactory(source=source, text="Text")
    factories.EvidenceFactory(source=source)
    one = queries_for(client_ed, source.get_absolute_url())
    factories.CaptureFactory.create_batch(10, source=source)
    factories.EvidenceFactory.create_batch(10, source=source)
    assert queries_for(client_ed, source.get_absolute_url()) == one


def test_log_claim_with_an_unknown_claimant_id_says_so(client_ed):
    article = factories.ArticleFactory()
    response = client_ed.post(
        reverse("claims:claim-log", args=[article.pk]),
        {"quote": "the end is in sight", "claimant": 999999, "statement": "End in sight"},
    )
    assert response.status_code == 400
    assert "Claimant: Select a valid choice" in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_claim_page_shows_a_verdict_led_status_read_only(client, demo_users):
    """In review and published follow the verdict: the page shows them as they are and offers
    no status form that would pretend the claim is new."""
    claim = factories.ClaimFactory(status=ClaimStatus.IN_REVIEW)
    client.force_login(demo_users["editor"])
    html = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert "Status: <strong>In review</strong>" in html
    assert reverse("claims:claim-status", args=[claim.pk]) not in html
