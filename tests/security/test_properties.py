"""Property-based tests (hypothesis): whatever an editor types, URL normalisation, anchoring
and the desk's forms answer in words, never with a crash or a server error."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from claims.anchoring import AnchorError, anchor_at, anchor_quote, reanchor
from claims.fetching.urls import URLInvalid, normalize_url
from tests.support import urlmap

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


# --- Every parameter of every URL, for every role -----------------------------------------
# The parameter names are read from the code, so a new view, form or filter is covered
# without editing this test: the fields of every form and filter set in claims/, the forms'
# prefixes as the views use them, and every name a view reads from request.GET or .POST.

ODD_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "a\x00b", "²", "٣", "١٢", "99999999999999999999", "-1", "0",
                     "1e309", "NaN", "-0", "0001-01-01T00:00:00-23:59",
                     "9999-12-31T23:59:59-23:59", "2026-02-30", "+inf", "/\\evil.example",
                     "x" * 3000]),
    st.integers(-(2**70), 2**70).map(str),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=24),
)


def _claims_forms():
    import django_filters
    from django import forms

    import claims.filtersets
    import claims.forms.articles
    import claims.forms.claims
    import claims.forms.reports
    import claims.forms.sources
    import claims.forms.verdicts  # noqa: F401  (imported for their subclasses)


    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = [c for c in subclasses(forms.BaseForm) if c.__module__.startswith("claims.")]
    filtersets = [c for c in subclasses(django_filters.FilterSet)
                  if c.__module__.startswith("claims.")]
    return found, filtersets


def request_parameter_names() -> list[str]:
    import ast
    import inspect
    import re
    from pathlib import Path

    import claims
    import public

    forms_found, filtersets = _claims_forms()
    form_fields = {form.__name__: set(form.base_fields) for form in forms_found}
    names = {name for fields in form_fields.values() for name in fields}
    names |= {name for fs in filtersets for name in fs.base_filters}
    read = re.compile(r"""\.(?:GET|POST|data)\.(?:get|getlist)\(\s*["']([\w-]+)["']""")
    packages = (Path(inspect.getfile(claims)).parent, Path(inspect.getfile(public)).parent)
    for path in (path for package in packages for path in package.rglob("*.py")):
        source = path.read_text()
        names |= set(read.findall(source))
        # A form built with prefix="text" reads "text-<field>" for each of its fields.
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                for keyword in node.keywords:
                    if keyword.arg == "prefix" and isinstance(keyword.value, ast.Constant):
                        names |= {f"{keyword.value.value}-{field}"
                                  for field in form_fields.get(node.func.id, ())}
    # What the libraries read: django-tables2's sort and page, Django's login "next".
    names |= {"page", "sort", "per_page", "next"}
    return sorted(names)


PARAMETER_NAMES = request_parameter_names()


def test_the_parameter_list_is_read_from_the_code():
    # A few that must be there: a filter field, a prefixed form field, a name read directly.
    for name in ("claimant", "text-title", "page_size", "domain", "other", "id", "q"):
        assert name in PARAMETER_NAMES, name
    assert len(PARAMETER_NAMES) > 50


def odd_parameters():
    """Every parameter name at once with one odd value (a view that stops at its first bad
    parameter still meets each of them across examples), or a random handful of names with
    odd values of their own."""
    return st.one_of(
        ODD_VALUES.map(lambda value: dict.fromkeys(PARAMETER_NAMES, value)),
        st.dictionaries(st.sampled_from(PARAMETER_NAMES), ODD_VALUES, min_size=1, max_size=8),
    )


@pytest.fixture
def every_url(desk):
    """(name, url, takes a POST) for every URL of the site but the admin and logout."""
    urls = []
    for name, pattern in urlmap.site_urls():
        if name == "logout":
            continue  # logging out would end the role's session mid-test
        urls.append((name, urlmap.url_for(name, pattern, desk),
                     urlmap.EXPECTED.get(name) in urlmap.WRITES))
    return urls


ODD_PARAMETER_SETTINGS = settings(
    max_examples=int(os.environ.get("ODD_PARAMETER_EXAMPLES", 6)), deadline=None,
    derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "editor", "reviewer", "admin"])
@given(data=st.data())
@ODD_PARAMETER_SETTINGS
def test_odd_parameters_never_get_a_server_error(client, every_url, role, data):
    """Each example sends every URL (GET, and POST where it takes one) a handful of its
    parameters with arbitrary strings, huge numbers, NUL bytes and non-ASCII digits."""
    from django.contrib.auth import get_user_model

    client.raise_request_exception = False
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    errors = []
    for name, url, takes_post in every_url:
        params = data.draw(odd_parameters(), label=name)
        for method in ("post",) if takes_post else ("get",):
            response = getattr(client, method)(url, params)
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                errors.append(f"{role} {method.upper()} {url} {params!r}: "
                              f"{response.status_code} {exc[1]!r}" if exc else "")
    assert not errors, "\n".join(errors)
