"""Fact-checks for the tests of the "Already fact-checked" desk side: one imported from
outside, and one with hostile text and addresses."""

from __future__ import annotations

from datetime import date
from itertools import count

from claims.models import FactCheck, FactCheckOrigin

_numbers = count(1)


def make_factcheck(**fields) -> FactCheck:
    n = next(_numbers)
    values = {
        "url": f"https://checks.example/{n}",
        "claim_reviewed": f"Vaccines cause autism, says post number {n}",
        "publisher_name": "Checkers Weekly",
        "publisher_url": "https://checks.example/",
        "textual_rating": "False",
        "date_published": date(2026, 3, 14),
        "origin": FactCheckOrigin.FILE,
        **fields,
    }
    return FactCheck.objects.create(**values)


HOSTILE_CLAIM = '<script>alert("pwned")</script> Moon landing faked'


def make_hostile_factcheck(**fields) -> FactCheck:
    """Script in the text, `javascript:` addresses wherever the database lets them in (the
    fact-check's own URL is http(s) by a database constraint)."""
    return make_factcheck(
        claim_reviewed=HOSTILE_CLAIM,
        publisher_name='<img src=x onerror=alert(1)>Evil "Press"',
        publisher_url="javascript:alert(1)",
        appearance_url="javascript:alert(2)",
        textual_rating="<b>False</b>",
        **fields,
    )
