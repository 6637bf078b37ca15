import pytest

from claims.anchoring import AnchorError, anchor_at, anchor_quote, reanchor

TEXT = (
    "Ministers said: \u201cIt is clear that the end is in sight.\u201d Later: the end is in sight."
)


def test_anchor_quote_selects_exact_words_and_context():
    anchor = anchor_quote(TEXT, "the end is in sight")
    assert TEXT[anchor.start : anchor.end] == "the end is in sight"
    assert anchor.prefix.endswith("It is clear that ")
    assert anchor.suffix.startswith(".\u201d")


def test_second_occurrence():
    first = anchor_quote(TEXT, "the end is in sight")
    second = anchor_quote(TEXT, "the end is in sight", occurrence=1)
    assert second.start > first.start
    assert TEXT[second.start : second.end] == "the end is in sight"


@pytest.mark.parametrize(
    ("start", "end", "quote", "message"),
    [
        (5, 5, None, "empty"),
        (-1, 4, None, "outside"),
        (0, 10_000, None, "outside"),
        (0, 9, "Something", "does not match"),
    ],
)
def test_bad_spans_are_refused_in_words(start, end, quote, message):
    with pytest.raises(AnchorError, match=message):
        anchor_at(TEXT, start, end, quote)


def test_reanchor_after_text_shifted():
    anchor = anchor_quote(TEXT, "the end is in sight", occurrence=1)
    shifted = "UPDATED. " + TEXT
    again = reanchor(shifted, quote="the end is in sight", start=anchor.start,
                     prefix=anchor.prefix, suffix=anchor.suffix)
    assert again.start == anchor.start + len("UPDATED. ")


def test_reanchor_fails_when_quote_is_gone():
    with pytest.raises(AnchorError, match="no longer appears"):
        reanchor("Nothing here.", quote="the end is in sight", start=3)
