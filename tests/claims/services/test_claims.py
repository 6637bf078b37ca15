"""Claimants: a name with NUL is refused in words before any query (PostgreSQL refuses NUL
in text, and the property test found the 500)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from claims.services.claimants import claimant_find_or_create


def test_a_claimant_name_with_nul_is_refused_in_words_before_any_query():
    try:
        claimant_find_or_create(name="Jane\x00Roe", organisation="\x00")[0]
    except ValidationError as exc:
        assert "NUL" in " ".join(exc.messages)
    else:
        raise AssertionError("a name with NUL was accepted")
