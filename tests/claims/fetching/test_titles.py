"""An article's title without the site's name pages add to it (" | TheHill", " - BBC News"),
from a fetched page and from an uploaded one; a title that merely holds a separator keeps it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.fetching.extract import extract_html
from claims.fetching.pipeline import article_fill
from claims.fetching.titles import title_without_site_name
from claims.models import Article
from claims.uploads import text_from_upload


@pytest.mark.parametrize(("title", "site_name", "url", "expected"), [
    # The page's declared site name, or its host name, says the part is the site's.
    ("Senate passes stopgap bill to avert shutdown | TheHill", "TheHill", "",
     "Senate passes stopgap bill to avert shutdown"),
    ("Senate passes stopgap bill to avert shutdown | TheHill", "", "https://thehill.com/x/",
     "Senate passes stopgap bill to avert shutdown"),
    ("Libya: Nato says the end is in sight - BBC News", "", "https://www.bbc.co.uk/news/1",
     "Libya: Nato says the end is in sight"),
    ("Nato ministers agree to keep Libya mission going — The Guardian", "the Guardian", "",
     "Nato ministers agree to keep Libya mission going"),
    ("NATO - Ministers determined to pursue operation in Libya", "",
     "https://www.nato.int/cps/en/natohq/news_79000.htm",
     "Ministers determined to pursue operation in Libya"),
    # Kept: the part after the pipe is the title's own, or names another site.
    ("Brexit | A timeline of the talks", "TheHill", "https://thehill.com/x/",
     "Brexit | A timeline of the talks"),
    ("What the BBC News review found | TheHill", "", "https://www.bbc.co.uk/news/1",
     "What the BBC News review found | TheHill"),
    ("Senate passes stopgap bill | TheHill", "", "", "Senate passes stopgap bill | TheHill"),
    ("TheHill", "TheHill", "", "TheHill"),
])
def test_site_name_is_stripped_only_when_it_names_the_site(title, site_name, url, expected):
    assert title_without_site_name(title, site_name=site_name, url=url) == expected


PAGE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Senate passes stopgap bill to avert shutdown | TheHill</title>
<meta property="og:title" content="Senate passes stopgap bill to avert shutdown | TheHill">
<meta property="og:site_name" content="TheHill">
<meta property="og:url" content="https://thehill.com/homenews/senate/4231-senate/">
</head><body><main><article><h1>Senate passes stopgap bill to avert shutdown</h1>
<p>The Senate voted 88-9 on Saturday night to pass a 45-day stopgap funding measure, sending
it to President Biden's desk hours before a government shutdown was set to begin.</p>
<p>The bill does not include any new aid for Ukraine, which had been a priority.</p>
</article></main></body></html>"""


def test_a_fetched_article_takes_the_title_without_the_site_name(db):
    article = Article(url="https://thehill.com/homenews/senate/4231-senate/", title="thehill.com")
    article_fill(article, extract_html(PAGE, "", article.url))
    assert article.title == "Senate passes stopgap bill to avert shutdown"
    assert article.outlet == "TheHill"


def test_an_uploaded_page_takes_the_title_without_the_site_name():
    uploaded = text_from_upload(SimpleUploadedFile("page.html", PAGE, "text/html"))
    assert uploaded.title == "Senate passes stopgap bill to avert shutdown"
    unnamed = PAGE.replace(b'<meta property="og:site_name" content="TheHill">', b"").replace(
        b"thehill.com", b"example.org")
    assert text_from_upload(SimpleUploadedFile("page.html", unnamed, "text/html")).title == (
        "Senate passes stopgap bill to avert shutdown | TheHill")
