"""Claim matching (claims/factchecks/matching.py): normalising real-shaped tweets, ranking a
small real-shaped corpus (a repeat of a claim finds its fact-check first), the index kept in
step with imports, and fact_check_matches' constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.factchecks import lexindex
from claims.factchecks.matching import (
    Match,
    match_text,
    match_texts,
    normalise_query,
    query_text,
    speaker_of,
)
from claims.models import FactCheck, FactCheckOrigin
from claims.selectors.factchecks import fact_check_matches
from tests.factories import ClaimFactory

pytestmark = pytest.mark.usefixtures("fresh_matching")

CORPUS = [
    ("https://www.snopes.com/fact-check/vaccines-autism/",
     "Vaccines cause autism in children.", "Do Vaccines Cause Autism?", "False"),
    ("https://www.snopes.com/fact-check/guantanamo-122/",
     "122 detainees released from Guantanamo Bay under President Obama have re-engaged in "
     "terrorist activities.", "Did 122 Prisoners Released from Guantanamo Return?", "Mixture"),
    ("https://www.snopes.com/fact-check/cbc-home-alone/",
     "The CBC edited Donald Trump's cameo out of its broadcast of 'Home Alone 2.'",
     "Did the CBC Cut Trump's Cameo from 'Home Alone 2'?", "True"),
    ("https://www.snopes.com/fact-check/butterflies-wombat/",
     "Wombats are herding animals into their burrows to shelter them from Australia's "
     "bushfires.", "Are Wombats Herding Animals to Safety?", "Mostly False"),
    ("https://www.snopes.com/fact-check/5g-coronavirus/",
     "5G wireless networks spread the coronavirus.", "Does 5G Spread COVID-19?", "False"),
    ("https://www.snopes.com/fact-check/charlotte-ids/",
     "70 per cent of the persons arrested during protests in Charlotte had out-of-state IDs.",
     "70% of Arrested Charlotte Protesters Are Out-of-State Criminals", "False"),
]


@pytest.fixture
def corpus(db):
    return [FactCheck.objects.create(url=url, claim_reviewed=claim, title=title,
                                     textual_rating=rating, publisher_name="Snopes",
                                     origin=FactCheckOrigin.FILE)
            for url, claim, title, rating in CORPUS]


# --- normalising -------------------------------------------------------------------------


@pytest.mark.parametrize("tweet, expected", [
    ('"DEFUND. CBC. NOW. The CBC is paid for by Canadian tax $$$ yet they continually get away '
     'with this politically charged bias. ""CBC deletes Trump from Home Alone 2"" '
     '#DefundTheCBChttps://t.co/CsHG8R9cHp — Brad Trost 🇨🇦 (@BradTrostCPC) December 26, 2019"',
     'DEFUND. CBC. NOW. The CBC is paid for by Canadian tax $$$ yet they continually get away '
     'with this politically charged bias. "CBC deletes Trump from Home Alone 2" Defund The CBC'),
    ("How are butterflies surviving the #AustralianFires? Footage by Julie Favell "
     "pic.twitter.com/0eJtwJyS1J — Center for Bio Div (@CenterForBioDiv) January 14, 2020",
     "How are butterflies surviving the Australian Fires ? Footage by Julie Favell"),
    ("Quoting — Marco Rubio (@marcorubio) July 25, 2019 Senator, will you delete this tweet?",
     "Quoting Senator, will you delete this tweet?"),
    ("Suspended by @facebook. For blowing the whistle. @Real_DonaldTrump @BarackObama",
     "Suspended by facebook . For blowing the whistle. Real Donald Trump Barack Obama"),
    ("RT @someone: Vaccines cause autism, says @doc https://bit.ly/x1 www.example.com/a",
     "Vaccines cause autism, says doc"),
    ("Plain sentence with no decoration.", "Plain sentence with no decoration."),
    ("", ""),
])
def test_normalise_query_strips_what_surrounds_a_claim(tweet, expected):
    assert normalise_query(tweet) == expected


def test_normalise_query_keeps_figures_and_email_like_text():
    assert normalise_query("Unemployment fell to 3.5% in 2019 (mail me@example.org)") == \
        "Unemployment fell to 3.5% in 2019 (mail me@example.org)"


@pytest.mark.parametrize("tweet, speaker", [
    ("IM IN THE HOSPITAL! I WAS ATTACKED 2NITE! — Corey Feldman (@Corey_Feldman) October 22, "
     "2019", "Corey Feldman"),
    ("DEFUND. CBC. NOW. #DefundTheCBChttps://t.co/x — Brad Trost 🇨🇦 (@BradTrostCPC) "
     "December 26, 2019", "Brad Trost"),
    ("The US drone attack caught on camera. — Olaudah Equiano® (@RealOlaudah) January 6, 2020",
     "Olaudah Equiano"),
    # A tweet quoting another: the last signature is the author's.
    ("Quoting — Marco Rubio (@marcorubio) July 25, 2019 Senator, delete this — Jo Bloggs "
     "(@jo_b) July 26, 2019", "Jo Bloggs"),
    # No name, only emoji: the handle's words.
    ("Big news — 🇺🇸🦅 (@Real_DonaldTrump) May 1, 2019", "Real Donald Trump"),
    ("Plain sentence, nobody signed it - not even me.", ""),
    ("", ""),
])
def test_speaker_of_reads_an_embedded_tweets_signature(tweet, speaker):
    assert speaker_of(tweet) == speaker


def test_query_text_puts_who_said_it_before_the_claim():
    tweet = ("IM IN THE HOSPITAL! I WAS ATTACKED 2NITE! https://t.co/x — Corey Feldman "
             "(@Corey_Feldman) October 22, 2019")
    assert query_text(tweet) == "Corey Feldman: IM IN THE HOSPITAL! I WAS ATTACKED 2NITE!"
    # The claimant given wins over a signature, and is tidied as a name.
    assert query_text(tweet, "  Dr.\u200b Corey\n Feldman ") == \
        "Dr. Corey Feldman: IM IN THE HOSPITAL! I WAS ATTACKED 2NITE!"
    assert query_text("Vaccines cause autism", "") == "Vaccines cause autism"
    # A "name" with no letters, or only hostile markup, is no speaker.
    assert query_text("Vaccines cause autism", "🙂 <>") == "Vaccines cause autism"
    assert query_text("Vaccines cause autism", "<script>x</script>") == \
        "script x script: Vaccines cause autism"
    # No claim, no speaker either: a bare link or emoji is not matched on a name alone.
    assert query_text("https://t.co/abc", "Corey Feldman") == ""
    assert query_text("😂😂 — Corey Feldman (@Corey_Feldman) May 1, 2019") == "😂😂"
    # A 10,000-character name is cut, not matched whole.
    assert len(query_text("Vaccines cause autism", "A" * 10_000)) < 150


# --- ranking -----------------------------------------------------------------------------


def test_a_tweet_repeating_a_claim_finds_its_fact_check_first(corpus):
    matches = match_text(
        "WOW the CBC cut Trump out of Home Alone 2 on Christmas!! #DefundTheCBC "
        "https://t.co/abc — Jane (@jane) December 26, 2019")
    assert matches[0].factcheck_id == corpus[2].id
    assert isinstance(matches[0], Match)
    assert 0.0 <= matches[-1].score <= matches[0].score <= 1.0
    assert any('"cbc"' in reason for reason in matches[0].reasons)


def test_figures_and_reasons(corpus):
    matches = match_text("Obama released 122 Gitmo prisoners who went back to terrorism")
    assert matches[0].factcheck_id == corpus[1].id
    assert "same figure: 122" in matches[0].reasons


def test_batch_gives_the_same_as_one_at_a_time(corpus):
    texts = ["vaccines are causing autism", "5G towers spread covid coronavirus",
             "nothing of the sort here zzz"]
    batch = match_texts(texts, top=3)
    assert batch == [match_text(t, top=3) for t in texts]
    assert batch[0][0].factcheck_id == corpus[0].id
    assert batch[1][0].factcheck_id == corpus[4].id
    assert batch[2] == []  # no known word: nothing matched
    assert all(len(found) <= 3 for found in batch)


def test_a_true_repeat_scores_above_a_weak_match(corpus):
    strong = match_text("Vaccines cause autism in children")[0]
    weak = match_text("children playing in the park")
    assert strong.factcheck_id == corpus[0].id
    assert not weak or weak[0].score < strong.score


def test_who_said_a_claim_finds_the_fact_check_about_them(corpus):
    """The one who says a claim is often its fact-check's subject, and a claim's own words
    seldom name its speaker: the claimant (or a tweet's signature) is read with them."""
    from claims.selectors.factchecks import PANEL_MIN_SCORE, worth_showing
    from claims.templatetags.factchecks import panel_matches

    feldman = FactCheck.objects.create(
        url="https://checks.example/feldman-stabbed", claim_reviewed="Corey Feldman was "
        "stabbed by assailants angered by his claims that he was a victim of abuse.",
        title="Was Actor Corey Feldman Stabbed Over His Claims?", origin=FactCheckOrigin.FILE)
    FactCheck.objects.create(
        url="https://checks.example/st-cloud", claim_reviewed="Photographs show injuries "
        "sustained by a victim of the St. Cloud stabbing.", title="St. Cloud Stabbing Victim",
        origin=FactCheckOrigin.FILE)
    words = ("I'm in the hospital! I was attacked tonight, a man opened my car door and "
             "stabbed me")
    said = match_text(words, speaker="Corey Feldman")
    assert said[0].factcheck_id == feldman.id
    assert said[0].score >= PANEL_MIN_SCORE
    # Why, in words: the name of who said it is told apart from the claim's own words.
    assert said[0].reasons[:2] == ("names Corey Feldman, who said it",
                                   'shares the word "stabbed"')
    unsigned = {m.factcheck_id: m.score for m in match_text(words)}
    assert unsigned.get(feldman.id, 0.0) < PANEL_MIN_SCORE <= said[0].score
    # An embedded tweet's signature names its author as the claimant would.
    assert match_text(f"{words} — Corey Feldman (@Corey_Feldman) October 22, 2019") == said
    # An unrelated claim by the same person: only the name links them. The ranking keeps
    # it, with its reason (never "shares the words"), but a panel does not offer it; the
    # words-alone re-ranker scores it about as high as the repeat (0.33 and 0.32 here).
    album = match_text("My new album comes out on Friday", speaker="Corey Feldman")
    assert [(m.reasons, m.name_only) for m in album] == [
        (("names Corey Feldman, who said it",), True)]
    assert not said[0].name_only and worth_showing(said[0]) and not worth_showing(album[0])
    assert panel_matches("My new album comes out on Friday", speaker="Corey Feldman") == []
    assert [fc for fc, _ in panel_matches(words, speaker="Corey Feldman")] == [feldman]


def test_statement_and_quote_merge_keeps_a_match_found_by_the_claims_words():
    """best_of (a claim's statement and quote): a fact-check the quote's words find is not
    "the speaker's name alone" because the statement found it by the name only, whichever
    scored higher; it is only when every text found it so."""
    from claims.selectors.factchecks import best_of

    by_name = [Match(1, 0.6, ("names Ada Okafor, who said it",), name_only=True)]
    by_words = [Match(1, 0.4, ('shares the word "bridge"',))]
    for order in ((by_name, by_words), (by_words, by_name)):
        [merged] = best_of(*order)
        assert (merged.score, merged.name_only) == (0.6, False)
    [alone] = best_of(by_name, by_name)
    assert alone.name_only


def test_index_follows_imports_updates_and_deletes(corpus, monkeypatch):
    monkeypatch.setattr(lexindex, "REFRESH_SECONDS", 0.0)
    assert match_text("flat earth photographs from NASA are fake") == []
    new = FactCheck.objects.create(
        url="https://fullfact.org/online/flat-earth/", claim_reviewed="NASA photographs of "
        "the round Earth are fake.", title="Flat earth", origin=FactCheckOrigin.FILE)
    assert match_text("flat earth photographs from NASA are fake")[0].factcheck_id == new.id
    # An update is searched by its new words, not its old ones.
    FactCheck.objects.filter(pk=corpus[3].pk).update(
        claim_reviewed="Kangaroos can swim across Sydney harbour.", title="Kangaroos swimming",
        updated_at=new.updated_at.replace(year=new.updated_at.year + 1))
    assert match_text("kangaroos swim the harbour")[0].factcheck_id == corpus[3].id
    assert all(m.factcheck_id != corpus[3].id for m in match_text("wombats herding animals"))
    # A deleted fact-check is never returned.
    corpus[4].delete()
    assert all(m.factcheck_id != corpus[4].id for m in match_text("5G spreads coronavirus"))


# --- the selector --------------------------------------------------------------------------


def test_fact_check_matches_rows_best_first_in_constant_queries(corpus):
    match_text("warm the index")  # built once per process, not per page
    with CaptureQueriesContext(connection) as few:
        small = fact_check_matches("vaccines cause autism", top=1)
    with CaptureQueriesContext(connection) as many:
        large = fact_check_matches("the CBC cut Trump from Home Alone 2 vaccines autism 5G",
                                   top=5)
    assert len(few) == len(many) <= 3
    assert small[0][0] == corpus[0] and small[0][1].factcheck_id == corpus[0].id
    assert len(large) > 1
    assert [m.score for _, m in large] == sorted((m.score for _, m in large), reverse=True)


def test_fact_check_matches_leaves_out_the_desks_own_fact_check(corpus):
    claim = ClaimFactory(statement="Vaccines cause autism in children.")
    own = FactCheck.objects.create(
        url="https://desk.example.org/claims/1/", claim_reviewed="Vaccines cause autism in "
        "children.", title="Vaccines cause autism", origin=FactCheckOrigin.DESK, claim=claim)
    ids = [fc.id for fc, _ in fact_check_matches("Vaccines cause autism in children")]
    assert own.id in ids
    ids = [fc.id for fc, _ in fact_check_matches("Vaccines cause autism in children",
                                                  exclude_claim_id=claim.id)]
    assert own.id not in ids and ids[0] == corpus[0].id


# --- what the desk's panels show --------------------------------------------------------

UNCHECKED = [  # sentences of an article about something nobody on file has checked
    "Britain's unemployment rate fell to 3.9 percent in the three months to September, the "
    "lowest level since 1975, the employment minister said on Tuesday.",
    "Economists expect the rate to rise again next year as growth slows to 1.2 percent.",
    "One in ten workers in London is on a zero-hours contract, he said.",
]


def test_a_claim_nobody_has_checked_gets_no_panel_and_a_repeat_does(corpus):
    """The re-ranker was once trained only on tweets that always had a fact-check in the
    pool: every sentence of an unrelated article then showed the best of the rest at 0.9."""
    from claims.selectors.factchecks import PANEL_MIN_SCORE, fact_check_matches_many

    repeat = "Vaccines cause autism in kids, a new post claims"
    panels = fact_check_matches_many([*UNCHECKED, repeat])
    assert panels[:3] == [[], [], []]
    assert [fc.url for fc, _ in panels[3]] == [CORPUS[0][0]]
    assert panels[3][0][1].score >= PANEL_MIN_SCORE
    # Candidates still come back, best first, for whoever asks for them: only below the bar.
    assert all(m.score < PANEL_MIN_SCORE for m in match_text(UNCHECKED[0], top=3))


# --- spelling variants of names ------------------------------------------------------------


def test_a_name_spelt_another_way_finds_the_fact_check(corpus):
    """Newsrooms transliterate names differently: "Gaddafi" in the claim, "Gadhafi" in the
    fact-check. Here the name is all the two share: words alone found nothing."""
    from claims.selectors.factchecks import PANEL_MIN_SCORE, fact_check_matches_many

    gadhafi = FactCheck.objects.create(
        url="https://checks.example/gadhafi-game-over", claim_reviewed="For Gadhafi, it is "
        "game over.", title="Is it game over for Gadhafi?", textual_rating="Mostly true",
        publisher_name="Desk", origin=FactCheckOrigin.FILE)
    for spelling in ("Gaddafi", "Qaddafi", "Kadhafi"):
        [panel] = fact_check_matches_many([f"{spelling} is finished"])
        assert [fc for fc, _ in panel] == [gadhafi], spelling
        assert panel[0][1].score >= PANEL_MIN_SCORE
        assert panel[0][1].reasons == ('shares the word "gadhafi"',)
    index = lexindex.get_index()
    # Words the index knows are never changed; a word with no close variant stays as typed.
    assert index.respell("Vaccines and Guantanamo") == "Vaccines and Guantanamo"
    assert index.respell("Gaddafi and Zelensky") == "gadhafi and Zelensky"


def test_a_spelling_shared_by_two_words_is_not_guessed(corpus):
    for claim in ("The border wall was never built.", "A broader tax was never passed."):
        FactCheck.objects.create(url=f"https://checks.example/{claim[:12]}", claim_reviewed=claim,
                                 origin=FactCheckOrigin.FILE)
    index = lexindex.get_index()
    index.refresh(force=True)
    # "boarder": "border" or "broader"? Both have its skeleton: neither is guessed.
    assert index.respell("boarder taxes") == "boarder taxes"
    assert lexindex.skeleton("gaddafi") == lexindex.skeleton("qadhafi") == "kdf"
    assert lexindex.edits("gaddafi", "gadhafi") == 1
