"""Property-based tests (hypothesis): whatever an editor types, URL normalisation, anchoring
and the desk's forms answer in words, never with a crash or a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.anchoring import AnchorError, anchor_at, anchor_quote, reanchor
from claims.fetching.urls import URLInvalid, normalize_url

url_like = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}/{path}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", "file", ""]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
        st.text(max_size=80),
    ),
)


@given(url_like)
@settings(max_examples=400, deadline=None)
def test_normalize_url_returns_a_url_or_refuses_in_words(raw):
    try:
        normalized = normalize_url(raw)
    except URLInvalid as exc:
        assert str(exc).strip()
        return
    assert normalized.startswith(("http://", "https://"))
    assert normalize_url(normalized) == normalized  # idempotent: one Source per URL


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                max_size=400)


@given(texts, st.integers(-5, 450), st.integers(-5, 450))
@settings(max_examples=400, deadline=None)
def test_anchor_at_selects_exactly_or_refuses(text, start, end):
    try:
        anchor = anchor_at(text, start, end)
    except AnchorError as exc:
        assert str(exc).strip()
        return
    assert 0 <= anchor.start < anchor.end <= len(text)
    assert text[: anchor.start].endswith(anchor.prefix)
    assert text[anchor.end:].startswith(anchor.suffix)


@given(texts, st.data(), st.text(max_size=50))
@settings(max_examples=300, deadline=None)
def test_reanchor_finds_the_quote_after_text_is_inserted_before_it(text, data, inserted):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    anchor = anchor_at(text, start, end, quote)
    shifted = inserted + text
    again = reanchor(shifted, quote=quote, start=anchor.start, prefix=anchor.prefix,
                     suffix=anchor.suffix)
    assert shifted[again.start: again.end] == quote
    # With its context intact, the quote is found at its own place, not an earlier repeat.
    assert again.start == anchor.start + len(inserted) or shifted.count(quote) > 1


@given(texts)
@settings(max_examples=200, deadline=None)
def test_anchor_quote_of_any_slice_round_trips(text):
    quote = text[len(text) // 3: max(len(text) // 3 + 1, 2 * len(text) // 3)]
    anchor = anchor_quote(text, quote)
    assert text[anchor.start: anchor.end] == quote


HOSTILE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "<script>", "%00", "\x00",
                     "' OR 1=1 --", "2026-02-30", "../../etc/passwd", "a" * 5000]),
)


@pytest.fixture
def editor_client(client, demo_users):
    client.force_login(demo_users["editor"])
    return client


@pytest.mark.django_db
@given(data=st.fixed_dictionaries({
    "quote": HOSTILE, "start": HOSTILE, "end": HOSTILE, "statement": HOSTILE,
    "claimant_name": HOSTILE, "claimed_on": HOSTILE, "tags": HOSTILE,
}))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_claim_log_form_never_errors(editor_client, data):
    from claims.models import Article

    article = Article.objects.first() or Article.objects.create(title="A", body="Some words here.")
    response = editor_client.post(reverse("claims:claim-log", args=[article.pk]), data)
    assert response.status_code in (200, 302, 400)


@pytest.mark.django_db
@given(url=HOSTILE | url_like, note=HOSTILE, stance=HOSTILE)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_source_and_evidence_forms_never_error(editor_client, url, note, stance):
    from claims.models import Article, Claim

    claim = Claim.objects.first()
    if claim is None:
        article = Article.objects.create(title="A", body="Some words here.")
        claim = Claim.objects.create(article=article, statement="S", quote="Some",
                                     anchor_start=0, anchor_end=4)
    response = editor_client.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                                  {"url": url})
    assert response.status_code in (200, 302, 400)
    response = editor_client.post(reverse("claims:claim-evidence-add", args=[claim.pk]),
                                  {"note": note, "stance": stance, "excerpt": ""})
    assert response.status_code in (200, 302, 400)


@pytest.mark.django_db
@given(title=HOSTILE, body=HOSTILE, published_on=HOSTILE)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_article_paste_form_never_errors(editor_client, title, body, published_on):
    response = editor_client.post(reverse("claims:article-add"), {
        "method": "text", "text-title": title, "text-body": body,
        "text-published_on": published_on})
    assert response.status_code in (200, 302, 400)
