"""Articles: added by pasting, by upload or from a URL (imported in the background), refused
in words when the input is bad, the article page with its claims highlighted, and the
article and source lists in constant queries."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article
from tests import factories
from tests.support.pages import error_text, queries_for

pytestmark = pytest.mark.django_db


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


def test_article_page_query_count_is_constant(client_ed):
    article = factories.ArticleFactory()
    factories.ClaimFactory(article=article)
    one = queries_for(client_ed, article.get_absolute_url())
    factories.ClaimFactory.create_batch(20, article=article, quote="the end is in sight")
    assert queries_for(client_ed, article.get_absolute_url()) == one


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
