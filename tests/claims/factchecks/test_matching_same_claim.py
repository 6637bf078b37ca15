"""Quiet unless it is the same claim (issue 31): a fact-check about another place than the
claim, or linked to it by a place's name alone, is not offered on the default install (words
alone), and real repeats in other words are still found."""

from __future__ import annotations

import pytest

from claims.factchecks.matching import match_text
from claims.factchecks.places import place_tokens, places
from claims.models import FactCheck, FactCheckOrigin
from claims.selectors.factchecks import worth_showing

# A small desk's pool: the two fact-checks the issue saw offered wrongly, and others.
POOL = [
    ("The state of Texas has legalized recreational use of marijuana.",
     "Did Texas Legalize Recreational Marijuana?"),
    ("Obama ceded South Dakota to the Sioux.", "Did Obama Give South Dakota Back to the Sioux?"),
    ("Drinking hot water kills the coronavirus.", "Does Hot Water Kill COVID-19?"),
    ("The Eiffel Tower was sold for scrap twice.", "Was the Eiffel Tower Sold?"),
    ("Bill Gates wants to put microchips in vaccines.", "Gates Microchip Vaccines"),
    ("Vaccines cause autism in children.", "Do Vaccines Cause Autism?"),
    ("A shark was photographed swimming on a flooded highway in Houston.",
     "Shark on a Highway?"),
    ("Nancy Pelosi diverted Social Security money to pay for impeachment.",
     "Did Pelosi Divert Social Security Funds for Impeachment?"),
]


@pytest.fixture
def pool(fresh_matching):
    return [FactCheck.objects.create(url=f"https://example.org/fc/{i}", claim_reviewed=c,
                                     title=t, origin=FactCheckOrigin.FILE)
            for i, (c, t) in enumerate(POOL)]


def offered(text):
    return [m for m in match_text(text) if worth_showing(m)]


def test_places_and_names():
    assert places("Recreational marijuana is legal in 11 states and DC") == {
        "District of Columbia"}
    assert places("West Virginia and new york") == {"West Virginia", "New York"}
    assert places("The state of Texas has legalized it") == {"Texas"}
    assert places("Obama ceded South Dakota to the Sioux") == {"South Dakota"}
    assert place_tokens({"South Dakota"}) == {"south", "dakota"}


@pytest.mark.django_db
def test_another_place_or_figure_is_not_offered(pool):
    assert offered("Recreational marijuana is legal in 11 states and DC") == []


@pytest.mark.django_db
def test_a_shared_place_name_alone_is_not_offered(pool):
    assert offered("Methamphetamine is a serious problem in South Dakota") == []


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "at"), [
    ("Texas just legalized recreational marijuana!", 0),
    ("Barack Obama gave South Dakota back to the Sioux nation", 1),
    ("Hot water will kill the coronavirus, drink lots of it", 2),
    ("Pelosi took money from Social Security to pay for the impeachment", 7),
    ("BREAKING: vaccines are causing autism in our kids", 5),
])
def test_real_repeats_in_other_words_are_still_found(pool, text, at):
    found = offered(text)
    assert found and found[0].factcheck_id == pool[at].id
