"""match_claims: one claim or a file of `id<TAB>text` lines, --top, --json (one object a line,
best first), errors in words."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import FactCheck, FactCheckOrigin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def corpus(fresh_matching):
    rows = [
        ("https://www.snopes.com/fact-check/vaccines-autism/", "Vaccines cause autism.",
         "Do Vaccines Cause Autism?", "False", "Snopes"),
        ("https://fullfact.org/health/5g-covid/", "5G masts spread the coronavirus.",
         "5G does not spread coronavirus", "", "Full Fact"),
        ("https://www.politifact.com/wall/", "Mexico paid for the border wall.",
         "Who paid for the wall?", "Pants on Fire", "PolitiFact"),
    ]
    return [FactCheck.objects.create(url=url, claim_reviewed=claim, title=title,
                                     textual_rating=rating, publisher_name=publisher,
                                     origin=FactCheckOrigin.FILE)
            for url, claim, title, rating, publisher in rows]


def run(*args) -> str:
    out = io.StringIO()
    call_command("match_claims", *args, stdout=out)
    return out.getvalue()


def test_one_claim_in_words(corpus):
    out = run("Do vaccines really cause autism? #vaxxed https://t.co/x")
    assert out.splitlines()[0].split()[1:3] == ["False", "(Snopes):"]
    assert "https://www.snopes.com/fact-check/vaccines-autism/" in out
    assert 'why: shares the words "vaccines", "cause", "autism"' in out


def test_file_json_top(tmp_path, corpus):
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\tVaccines cause autism, says my aunt\n"
                       "\n"
                       "q2\tthe coronavirus is spread by 5G masts!! @user\n"
                       "q3\tzzz qqq\n"
                       "no tab here: Mexico paid for the wall\n", encoding="utf-8")
    lines = run("--file", str(queries), "--json", "--top", "1").splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["id"] for r in results] == ["q1", "q2", "q3", "5"]
    assert results[0]["matches"] == [{
        "url": "https://www.snopes.com/fact-check/vaccines-autism/",
        "claim_reviewed": "Vaccines cause autism.", "publisher": "Snopes", "rating": "False",
        "score": results[0]["matches"][0]["score"]}]
    assert 0 < results[0]["matches"][0]["score"] <= 1
    assert results[1]["matches"][0]["publisher"] == "Full Fact"
    assert results[1]["matches"][0]["rating"] == ""  # unrated stays unrated
    assert results[2]["matches"] == []
    assert results[3]["matches"][0]["url"] == "https://www.politifact.com/wall/"


def test_json_matches_best_first_and_top_bounds(tmp_path, corpus):
    queries = tmp_path / "q.tsv"
    queries.write_text("a\tvaccines autism 5G coronavirus wall Mexico paid\n", encoding="utf-8")
    (result,) = [json.loads(line) for line in run("--file", str(queries), "--json",
                                                  "--top", "2").splitlines()]
    scores = [m["score"] for m in result["matches"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    (result,) = [json.loads(line) for line in run("--file", str(queries), "--json").splitlines()]
    assert len(result["matches"]) == 3


def test_who_said_it_counts(tmp_path, corpus):
    """--speaker names who said TEXT; in a file, an embedded tweet's signature does."""
    FactCheck.objects.create(url="https://checks.example/wakefield", origin=FactCheckOrigin.FILE,
                             claim_reviewed="Andrew Wakefield said the MMR jab is unsafe.",
                             title="Did Wakefield Call the Jab Unsafe?", publisher_name="Snopes")
    words = "the jab is unsafe for children"
    plain = json.loads(run(words, "--json", "--top", "1"))["matches"]
    said = json.loads(run(words, "--speaker", "Andrew Wakefield", "--json",
                          "--top", "1"))["matches"]
    assert said[0]["url"] == "https://checks.example/wakefield"
    assert not plain or plain[0]["score"] < said[0]["score"]
    queries = tmp_path / "q.tsv"
    queries.write_text(f"t1\t{words} — Andrew Wakefield (@AWakefield) May 1, 2019\n",
                       encoding="utf-8")
    (signed,) = [json.loads(line) for line in run("--file", str(queries), "--json",
                                                  "--top", "1").splitlines()]
    assert signed["matches"] == said
    with pytest.raises(CommandError, match="--speaker is for one claim given as TEXT"):
        run("--file", str(queries), "--speaker", "Andrew Wakefield")


def test_errors_in_words(tmp_path):
    with pytest.raises(CommandError, match="Give a claim to match, or --file"):
        run()
    with pytest.raises(CommandError, match="not both"):
        run("text", "--file", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("--file", str(tmp_path / "missing.tsv"))
    with pytest.raises(CommandError, match="--top must be between 1 and 100"):
        run("text", "--top", "0")
