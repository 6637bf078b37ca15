"""Sentence splitting with exact offsets, and the check-worthiness scorer (no database)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.assist.scoring import rank, score_sentence
from claims.assist.sentences import segment, split_sentences
from claims.demo import ARTICLES

NATO, VOA = (a.body for a in ARTICLES)


def test_offsets_slice_back_to_every_sentence_of_the_seed_articles():
    for body in (NATO, VOA):
        sentences = split_sentences(body)
        assert len(sentences) > 10
        for s in sentences:
            assert body[s.start : s.end] == s.text
            assert s.text == s.text.strip()
        starts = [s.start for s in sentences]
        assert starts == sorted(starts)
        assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))


def test_page_furniture_is_not_a_sentence():
    texts = {s.text for s in split_sentences(NATO + "\n\n" + VOA)}
    furniture = {s.text for s in segment(NATO + "\n\n" + VOA) if s.kind == "furniture"}
    for junk in (
        "Accessibility links",
        "Breaking News",
        "• 06 Oct. 2011 -",
        "• |",
        "• Last updated: 06 Oct. 2011 15:13",
        "General view of the meeting room",  # photo caption
        "NATO Officials to Meet With Libyan Rebels",  # headline
    ):
        assert junk in furniture
        assert not any(junk in t for t in texts)
    caption = next(f for f in furniture if f.startswith("NATO Secretary-General Anders Fogh"))
    assert caption.endswith("July 6, 2011")


def test_sentences_inside_curly_quotes_and_after_spaced_full_stops():
    texts = [s.text for s in split_sentences(NATO)]
    # The opening quote belongs to the quotation, not to the claim's first sentence.
    assert "It is clear that the end is in sight." in texts
    assert "Qadhafi forces are fighting for a lost cause." in texts
    assert "The threat to civilians is fading away ." in texts
    assert any(
        t.startswith("The recent positive developments in Libya are irreversible ”") for t in texts
    )


def test_non_breaking_spaces_and_abbreviations_do_not_split():
    first = "In the long term,\u00a0 Ministers met Mr. Smith and U.S. aides on Oct. 6 in Paris."
    sentences = split_sentences(first + " Then they left.")
    assert [s.text for s in sentences] == [first, "Then they left."]


def test_demo_claims_are_suggested_with_their_exact_offsets():
    quote = "Twelve of NATO's 28 members officially recognize the Libyan opposition group."
    top = rank(VOA, top=3)
    twelve = next(s for s in top if s.text == quote)
    assert twelve.start == VOA.index(quote) and twelve.end == VOA.index(quote) + len(quote)


PIECES = st.sampled_from(
    [
        "Accessibility links",
        "Breaking News",
        "  • 06 Oct. 2011 -",
        "“",
        "”",
        '"',
        "\u00a0",
        " ",
        "\n",
        "\n\n",
        ".",
        " . ",
        "?",
        "!",
        "Mr.",
        "U.S.",
        "e.g.",
        "Rasmussen said",
        "28 members",
        "it is clear",
        "The end is in sight",
        "Ça va",
        "€12bn",
        "🙂",
        "\t",
        "\r\n",
        "…",
        "-",
        "•",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=40).map("".join))
def test_any_text_splits_without_crashing_and_offsets_always_slice_back(text):
    previous_end = 0
    for s in segment(text):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.start >= previous_end
        previous_end = s.end
    for s in rank(text):
        assert text[s.start : s.end] == s.text
        assert 0.0 <= s.score <= 1.0


def test_scoring_order_sanity():
    statistic, _ = score_sentence(
        "Unemployment fell to 3.9% last year, the lowest level since 2008, the minister said."
    )
    attributed, _ = score_sentence("Rasmussen said the rebels are advancing militarily in Libya.")
    thanks, _ = score_sentence(
        "Ministers expressed their gratitude to the partners for their invaluable participation."
    )
    fragment, _ = score_sentence("Read more.")
    question, _ = score_sentence("Will fares ever fall?")
    assert statistic > attributed > thanks
    assert thanks > fragment
    assert statistic > question


def test_reasons_say_why_in_words():
    _, reasons = score_sentence("Twelve of NATO's 28 members officially recognize the rebels.")
    joined = "; ".join(reasons)
    assert "states a number (Twelve, 28)" in joined
    assert "names people or organisations (NATO's)" in joined
    _, reasons = score_sentence("“I waited nine hours with my mother,” said one woman.")
    assert any(r.startswith("an unnamed speaker") for r in reasons)
