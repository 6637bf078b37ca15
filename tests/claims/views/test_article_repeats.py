"""The same article twice: a page already on the desk (same URL or same text) is refused
with a link to the first copy, adding it again is an explicit choice, and a copy says so on
its page. An uploaded web page keeps the outlet, author and date it declares, as a fetched
one does."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.fetching.extract import extract_html
from claims.fetching.pipeline import article_fill
from claims.models import Article
from tests.support.pages import error_text
from tests.support.web_pages import ARTICLE_HTML

pytestmark = pytest.mark.django_db

BODY = "Ministers said the end is in sight.\n\nThe opposition disagreed."


def _paste(client, **extra):
    return client.post(reverse("claims:article-add"), {
        "method": "text", "text-title": "Budget day", "text-body": BODY, **extra})


def test_pasting_the_same_text_again_is_refused_with_a_link_to_the_first(client_ed):
    assert _paste(client_ed).status_code == 302
    first = Article.objects.get()
    response = _paste(client_ed, **{"text-title": "Budget day (again)"})
    assert response.status_code == 400
    assert Article.objects.count() == 1  # nothing saved
    html = response.content.decode()
    assert "already on the desk" in error_text(response)
    assert f'href="{first.get_absolute_url()}"' in html
    # The choice to add it anyway is offered, unticked, and what was typed is kept.
    assert 'name="text-repeat_ok"' in html and "checked" not in html.split(
        'name="text-repeat_ok"')[1].split(">")[0]
    assert 'value="Budget day (again)"' in html


def test_adding_a_second_copy_is_an_explicit_choice_and_the_copy_says_so(client_ed):
    _paste(client_ed)
    first = Article.objects.get()
    response = _paste(client_ed, **{"text-repeat_ok": "on"})
    assert response.status_code == 302
    second = Article.objects.exclude(pk=first.pk).get()
    html = client_ed.get(second.get_absolute_url()).content.decode()
    banner = html.split('id="article-repeats"')[1].split("</div>")[0]
    assert f'href="{first.get_absolute_url()}"' in banner and "same text" in banner
    # The first copy names the second too: whichever one an editor opens, they see both.
    html = client_ed.get(first.get_absolute_url()).content.decode()
    assert f'href="{second.get_absolute_url()}"' in html.split('id="article-repeats"')[1]


def test_an_article_alone_shows_no_repeat_banner(client_ed):
    _paste(client_ed)
    html = client_ed.get(Article.objects.get().get_absolute_url()).content.decode()
    assert 'id="article-repeats"' not in html


def test_the_same_url_is_refused_even_written_differently(client_ed):
    url = "https://news.example.org/2024/budget?id=7"
    response = client_ed.post(reverse("claims:article-add"), {"method": "url", "url-url": url})
    assert response.status_code == 302
    # Tracking parameters and a fragment do not make it another page.
    response = client_ed.post(reverse("claims:article-add"), {
        "method": "url", "url-url": "https://NEWS.example.org/2024/budget?id=7&utm_source=x#top"})
    assert response.status_code == 400
    assert "same URL" in error_text(response)
    assert Article.objects.count() == 1


def test_pasted_text_whose_url_is_on_the_desk_is_refused(client_ed):
    client_ed.post(reverse("claims:article-add"),
                   {"method": "url", "url-url": "https://news.example.org/budget"})
    response = _paste(client_ed, **{"text-url": "https://news.example.org/budget"})
    assert response.status_code == 400 and "same URL" in error_text(response)


def test_uploading_a_page_already_pasted_is_refused(client_ed):
    _paste(client_ed)
    upload = SimpleUploadedFile("budget.txt", BODY.encode(), "text/plain")
    response = client_ed.post(reverse("claims:article-add"),
                              {"method": "upload", "upload-file": upload})
    assert response.status_code == 400 and "same text" in error_text(response)
    assert "choose the file again" in response.content.decode()
    assert Article.objects.count() == 1


def test_an_uploaded_page_keeps_its_outlet_author_and_date_as_a_fetched_one(client_ed):
    upload = SimpleUploadedFile("jobless.html", ARTICLE_HTML.encode(), "text/html")
    response = client_ed.post(reverse("claims:article-add"),
                              {"method": "upload", "upload-file": upload})
    assert response.status_code == 302
    uploaded = Article.objects.get()
    assert uploaded.outlet == "Example Times"
    assert uploaded.author == "Jane Doe"
    assert uploaded.published_on == date(2024, 3, 5)
    # Exactly what the same page gives when the desk fetches it from a URL.
    fetched = Article(title="x")
    article_fill(fetched, extract_html(ARTICLE_HTML.encode(), "", ""))
    assert (uploaded.title, uploaded.body, uploaded.outlet, uploaded.author,
            uploaded.published_on, uploaded.language) == (
        fetched.title, fetched.body, fetched.outlet, fetched.author, fetched.published_on,
        fetched.language)
    html = client_ed.get(uploaded.get_absolute_url()).content.decode()
    assert "Unknown outlet" not in html and "Example Times" in html


def test_what_the_editor_types_wins_over_what_the_page_declares(client_ed):
    upload = SimpleUploadedFile("jobless.html", ARTICLE_HTML.encode(), "text/html")
    client_ed.post(reverse("claims:article-add"), {
        "method": "upload", "upload-file": upload, "upload-outlet": "Wire copy",
        "upload-title": "Jobless"})
    article = Article.objects.get()
    assert (article.outlet, article.title) == ("Wire copy", "Jobless")


def test_the_api_answers_409_with_the_first_copy_unless_told_to_repeat(editor):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(editor)
    url = "/api/v1/articles/"
    first = api.post(url, {"title": "Budget day", "body": BODY}, format="json")
    assert first.status_code == 201
    again = api.post(url, {"title": "Budget day", "body": BODY}, format="json")
    assert again.status_code == 409
    assert again.json()["existing"] == first.json()["id"]
    assert "already on the desk" in again.json()["detail"]
    assert Article.objects.count() == 1
    anyway = api.post(url, {"title": "Budget day", "body": BODY, "repeat_ok": True},
                      format="json")
    assert anyway.status_code == 201 and Article.objects.count() == 2
