"""A fetched page whose JSON-LD nests deeper than the desk reads (claims/boundedjson.py):
that block is passed over like any block that is not JSON, and the rest of the page is read."""

from __future__ import annotations

from claims.fetching.extract import extract_html

ARTICLE = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
           '"Jobless figures", "author": {"name": "A. Writer"}}</script>')
DEEP = '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"


def test_json_ld_nested_too_deep_is_passed_over():
    page = (f"<html><head><title>Jobless figures</title>{DEEP}{ARTICLE}</head><body><p>"
            + "Unemployment fell last year, the minister said. " * 20 + "</p></body></html>")
    extracted = extract_html(page.encode(), "utf-8", "https://news.example/jobless")
    assert extracted.metadata["json_ld"]["headline"] == "Jobless figures"
    assert extracted.metadata["json_ld"]["author"] == "A. Writer"
    assert "Unemployment fell last year" in extracted.text
