"""The places a claim is about, for telling apart a fact-check about another place than the
claim ("legal in 11 states and DC" is not "Texas has legalized it";
"a problem in South Dakota" is not "Obama ceded South Dakota to the Sioux").

US_STATES, COUNTRIES, ALIASES: the US states but Washington (and DC) and the countries
most named in the news, written from public knowledge (no download), with the spellings they go by.
`places()` finds them whatever the case (a few short ones, "DC", "UK", only in capitals).
"""

from __future__ import annotations

import re
from functools import lru_cache

from claims.factchecks.lexindex import tokenize

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
    "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
    "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
    "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
    "West Virginia", "Wisconsin", "Wyoming",
)
COUNTRIES = (
    "Afghanistan", "Albania", "Algeria", "Argentina", "Armenia", "Australia", "Austria",
    "Azerbaijan", "Bahrain", "Bangladesh", "Belarus", "Belgium", "Bolivia", "Bosnia",
    "Brazil", "Bulgaria", "Cambodia", "Cameroon", "Canada", "Chile", "China", "Colombia",
    "Congo", "Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Denmark",
    "Ecuador", "Egypt", "El Salvador", "Estonia", "Ethiopia", "Finland", "France",
    "Germany", "Ghana", "Greece", "Guatemala", "Haiti", "Honduras", "Hungary", "Iceland",
    "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica", "Japan",
    "Jordan", "Kazakhstan", "Kenya", "Kosovo", "Kuwait", "Latvia", "Lebanon", "Libya",
    "Lithuania", "Luxembourg", "Malaysia", "Mali", "Mexico", "Moldova", "Mongolia",
    "Morocco", "Mozambique", "Myanmar", "Nepal", "Netherlands", "New Zealand", "Nicaragua",
    "Niger", "Nigeria", "North Korea", "Norway", "Oman", "Pakistan", "Palestine", "Panama",
    "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia",
    "Rwanda", "Saudi Arabia", "Senegal", "Serbia", "Singapore", "Slovakia", "Slovenia",
    "Somalia", "South Africa", "South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan",
    "Sweden", "Switzerland", "Syria", "Taiwan", "Tanzania", "Thailand", "Tunisia", "Turkey",
    "Uganda", "Ukraine", "United Arab Emirates", "United Kingdom", "United States",
    "Uruguay", "Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe",
)
# Other spellings: (spelling, the place it names).
ALIASES = (
    ("DC", "District of Columbia"), ("D.C.", "District of Columbia"),
    ("Washington DC", "District of Columbia"), ("Washington D.C.", "District of Columbia"),
    ("District of Columbia", "District of Columbia"),
    ("USA", "United States"), ("U.S.", "United States"), ("U.S.A.", "United States"),
    ("America", "United States"), ("UK", "United Kingdom"), ("U.K.", "United Kingdom"),
    ("Britain", "United Kingdom"), ("Great Britain", "United Kingdom"),
    ("England", "United Kingdom"), ("Scotland", "United Kingdom"), ("Wales", "United Kingdom"),
    ("UAE", "United Arab Emirates"), ("Holland", "Netherlands"), ("Burma", "Myanmar"),
    ("Russian Federation", "Russia"), ("DPRK", "North Korea"), ("Czechia", "Czech Republic"),
)
# Spellings read only as written ("DC", "UK"), the rest whatever the case.
# Washington is left out (a president, a newspaper, the government); Turkey, Jordan and
# China are read only capitalised (a bird, a name, plates).
_CASED = {"DC", "USA", "UK", "UAE", "DPRK", "U.S.", "U.S.A.", "U.K.", "D.C.", "Turkey",
          "Jordan", "China"}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    spellings = {name: name for name in (*US_STATES, *COUNTRIES)}
    spellings.update(dict(ALIASES))
    canonical = {s.lower(): place for s, place in spellings.items()}

    def alternation(words):
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    edge = r"(?<![\w.])(?:{})(?![\w])"
    cased = re.compile(edge.format(alternation(_CASED)))
    uncased = re.compile(edge.format(alternation(s for s in spellings if s not in _CASED)),
                         re.IGNORECASE)
    return cased, uncased, canonical


def places(text: str) -> set[str]:
    """The places of PLACES the text names ("South Dakota", "District of Columbia")."""
    cased, uncased, canonical = _patterns()
    found = {canonical[m.group(0).lower()] for m in cased.finditer(text)}
    found |= {canonical[m.group(0).lower()] for m in uncased.finditer(text)}
    # "New York" names New York, not also York; "West Virginia" not also Virginia: the
    # alternation takes the longest spelling first.
    return found


def place_tokens(found: set[str]) -> set[str]:
    """The word index's stems of these places' names."""
    return {token for place in found for token in tokenize(place)}
