"""pk_url gives what reverse() gives, under another URL prefix and another URLconf too."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from claims.urlcache import pk_url


@pytest.mark.parametrize("view", ["claims:claim-detail", "claims:article-detail",
                                  "claims:source-detail"])
@pytest.mark.parametrize("pk", [1, 42, 10**9])
def test_pk_url_matches_reverse(view, pk):
    assert pk_url(view, pk) == reverse(view, args=[pk])


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/desk/")
        assert pk_url("claims:claim-detail", 7) == reverse("claims:claim-detail", args=[7])
        assert pk_url("claims:claim-detail", 7).startswith("/desk/")
    finally:
        clear_script_prefix()
    assert not pk_url("claims:claim-detail", 7).startswith("/desk/")


def test_pk_url_follows_the_urlconf():
    with override_settings(ROOT_URLCONF="tests.urls_prefixed"):
        assert pk_url("claims:claim-detail", 7) == "/elsewhere/claims/7/"
    assert pk_url("claims:claim-detail", 7) == reverse("claims:claim-detail", args=[7])


def test_pk_url_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        pk_url("claims:claim-detail", "7/../../admin")
