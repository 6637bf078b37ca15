"""import_factchecks: every format on a real-shaped file (data/factchecks/ here), hostile
records, idempotency, the report and exit status, URLs through the network guard, streaming
in bounded memory, and the desk's own fact-checks kept in step."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import FactCheck, FactCheckFeed, FactCheckOrigin
from claims.services.factchecks import (
    ImportFailed,
    factcheck_feed_run,
    factcheck_from_verdict,
    factcheck_sync_claim,
    factchecks_import_file,
    factchecks_import_stream,
    factchecks_sync_desk,
)
from tests.factories import ClaimFactory, PublishedVerdictFactory
from tests.localserver import Response

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "factchecks"


def run(source: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_factchecks", source, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def reasons(report) -> dict[str, str]:
    return {p.position: p.reason for p in report.problems if p.rejected}


# --- every format --------------------------------------------------------------------------


def test_one_claimreview_object():
    report = factchecks_import_file(DATA / "claimreview_single.json")
    assert report.counts() == {"created": 1, "updated": 0, "skipped": 0, "rejected": 0}
    fc = FactCheck.objects.get()
    # Normalised: tracking parameters and the fragment dropped.
    assert fc.url == "https://fullfact.example/health/nhs-waiting-list-record/"
    assert fc.claim_reviewed == "The NHS waiting list fell to a record low last month."
    assert fc.title == "The NHS waiting list did not fall to a record low"
    assert (fc.publisher_name, fc.publisher_url) == ("Full Fact", "https://fullfact.example/")
    assert fc.author_name == ""  # the author was the organisation
    assert fc.textual_rating == "Incorrect"
    assert (fc.rating_value, fc.best_rating, fc.worst_rating) == (1, 5, 1)
    assert fc.rating_explanation == "The list fell, but it is far from a record low."
    assert fc.date_published == date(2024, 3, 14)
    assert fc.claimant == "A. Minister"
    assert fc.claim_date == date(2024, 3, 10)
    assert fc.appearance_url == "https://social.example/aminister/status/1767"
    assert fc.language == "en-GB"
    assert fc.origin == FactCheckOrigin.FILE
    assert fc.source.endswith("claimreview_single.json")


def test_list_of_claimreviews_keeps_unrated_and_rejects_missing_url_or_claim():
    report = factchecks_import_file(DATA / "claimreview_list.json")
    assert report.counts() == {"created": 2, "updated": 0, "skipped": 0, "rejected": 2}
    assert reasons(report) == {
        "record 3": "It has no url.",
        "record 4": "It has no claim text (claimReviewed).",
    }
    turbines = FactCheck.objects.get(claim_reviewed="Wind turbines cause cancer.")
    assert turbines.textual_rating == "Pants on Fire"
    assert (turbines.rating_value, turbines.best_rating) == (1.0, 6.0)  # numbers given as text
    unrated = FactCheck.objects.get(claim_reviewed__startswith="Inflation")
    assert not unrated.is_rated
    assert (unrated.textual_rating, unrated.rating_value) == ("", None)


def test_schema_org_datafeed():
    report = factchecks_import_file(DATA / "datafeed.json")
    assert report.counts() == {"created": 2, "updated": 0, "skipped": 0, "rejected": 2}
    assert reasons(report) == {
        "feed element 3": "It is a NewsArticle, not a ClaimReview.",
        "feed element 4": "It is text, not a DataFeedItem.",
    }
    inflation = FactCheck.objects.get(url="https://chequeado.example/verificacion/inflacion-abril/")
    assert inflation.claim_reviewed == "La inflación de abril fue la más baja del año."
    assert (inflation.textual_rating, inflation.language) == ("Verdadero", "es")
    assert inflation.claimant == "Ministro de Economía"
    assert FactCheck.objects.get(url__endswith="/desempleo/").textual_rating == "Engañoso"


def test_json_lines_reports_each_bad_line_and_goes_on():
    out, err = run(str(DATA / "claimreviews.jsonl"))
    assert sorted(FactCheck.objects.values_list("url", flat=True)) == [
        "https://checks.example/a", "https://checks.example/script",
    ]
    assert "9 records read" in out and "2 created" in out and "7 rejected" in out
    lines = err.splitlines()
    assert "Rejected line 3: Its url “javascript:alert(document.cookie)” is a javascript: " \
           "address; only http and https addresses are accepted." in lines
    assert any(line.startswith("Rejected line 4: The line is not valid JSON") for line in lines)
    assert "Rejected line 6: It is a number, not an object." in lines
    assert "Rejected line 7: Its claim text (claimReviewed) is a list, not text." in lines
    assert "Rejected line 8: Its reviewRating is text, not an object." in lines
    assert "Rejected line 9: Its datePublished is a number, not a date." in lines
    assert any(line.startswith("Rejected line 10: Its url “data:text/html") for line in lines)
    assert not any("line 5" in line for line in lines)  # a blank line is no record


def test_html_page_with_claimreview_json_ld_in_graph_and_in_a_list():
    report = factchecks_import_file(DATA / "factcheck_article.html")
    # From a file there is no page address to give the ClaimReview that has no url.
    assert report.counts() == {"created": 1, "updated": 0, "skipped": 0, "rejected": 2}
    found = reasons(report)
    assert found["JSON-LD block 1, node 3"] == "It has no url."
    assert found["JSON-LD block 3"].startswith("The block is not valid JSON")
    fc = FactCheck.objects.get()
    assert fc.claim_reviewed == "Police overtime rose by 40% &amp; more."  # JSON text, as given
    assert fc.textual_rating == "True"


def test_google_fact_check_tools_claims_search_response():
    report = factchecks_import_file(DATA / "google_claims_search.json")
    assert report.counts() == {"created": 3, "updated": 0, "skipped": 0, "rejected": 1}
    assert reasons(report) == {"claim 3": "The claim has no reviews (claimReview)."}
    afp = FactCheck.objects.get(url="https://factcheck.afp.example/5g-coronavirus")
    assert afp.claim_reviewed == "5G towers spread the coronavirus."
    assert afp.claimant == "Social media users"
    assert afp.claim_date == date(2020, 4, 1)
    assert (afp.publisher_name, afp.publisher_url) == ("AFP Fact Check",
                                                       "https://factcheck.afp.example/")
    assert afp.title == "No, 5G does not spread the novel coronavirus"
    assert (afp.textual_rating, afp.language, afp.date_published) == ("False", "en",
                                                                      date(2020, 4, 3))
    assert FactCheck.objects.get(url__contains="maldita").textual_rating == "Falso"
    unrated = FactCheck.objects.get(url="https://healthfeedback.example/hot-water")
    assert unrated.publisher_name == "healthfeedback.example"  # no name: the site stands in
    assert not unrated.is_rated


def test_json_lines_is_recognised_without_its_file_name(tmp_path):
    rows = [{"@type": "ClaimReview", "url": f"https://x.example/{i}", "claimReviewed": f"C{i}"}
            for i in range(3)]
    path = tmp_path / "export.txt"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert factchecks_import_file(path).created == 3


def test_a_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "claimreview_single.json").read_bytes())
    assert factchecks_import_file(path).created == 1


# --- idempotency and the report ------------------------------------------------------------


def test_second_import_updates_never_duplicates(tmp_path):
    first = factchecks_import_file(DATA / "datafeed.json")
    again = factchecks_import_file(DATA / "datafeed.json")
    assert (first.created, again.created, again.updated, again.skipped) == (2, 0, 0, 2)
    assert FactCheck.objects.count() == 2
    before = FactCheck.objects.get(url__endswith="/desempleo/")

    feed = json.loads((DATA / "datafeed.json").read_text())
    feed["dataFeedElement"][1]["item"]["reviewRating"]["alternateName"] = "Falso"
    changed = tmp_path / "feed.json"
    changed.write_text(json.dumps(feed))
    report = factchecks_import_file(changed)
    assert (report.created, report.updated, report.skipped) == (0, 1, 1)
    after = FactCheck.objects.get(url__endswith="/desempleo/")
    assert (after.pk, after.textual_rating) == (before.pk, "Falso")
    assert after.imported_at == before.imported_at and after.updated_at > before.updated_at
    assert FactCheck.objects.count() == 2


def test_the_same_url_spelled_differently_is_one_fact_check(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"@type": "ClaimReview", "url": "HTTPS://Checks.Example/a?utm_medium=x", '
        '"claimReviewed": "First"}\n'
        '{"@type": "ClaimReview", "url": "https://checks.example/a#section", '
        '"claimReviewed": "Second"}\n'
    )
    report = factchecks_import_file(path)
    assert FactCheck.objects.get().claim_reviewed == "Second"
    assert (report.created, report.skipped) == (1, 1)
    assert any("given before (line 1)" in p.reason for p in report.problems)


def test_batches_upsert_across_batch_boundaries(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(
        json.dumps({"@type": "ClaimReview", "url": f"https://x.example/{i}",
                    "claimReviewed": f"Claim {i}"}) + "\n" for i in range(25)))
    assert factchecks_import_file(path, batch_size=7).created == 25
    path.write_text("".join(
        json.dumps({"@type": "ClaimReview", "url": f"https://x.example/{i}",
                    "claimReviewed": f"Claim {i}" + (" (revised)" if i % 5 == 0 else "")})
        + "\n" for i in range(30)))
    report = factchecks_import_file(path, batch_size=7)
    assert (report.created, report.updated, report.skipped) == (5, 5, 20)
    assert FactCheck.objects.count() == 30


def test_exit_status_is_non_zero_only_when_nothing_could_be_read(tmp_path):
    rejected_only = tmp_path / "bad.jsonl"
    rejected_only.write_text('{"@type": "ClaimReview", "url": "javascript:x", '
                             '"claimReviewed": "x"}\n{"url": "https://a.example/"}\n')
    out, err = run(str(rejected_only))  # records were read, all rejected: exit 0
    assert "2 records read" in out and "2 rejected" in out

    cases = {
        "missing.json": (None, "Cannot read"),
        "empty.json": (b"", "It is empty."),
        "image.png": (b"\x89PNG\r\n\x1a\n" + bytes(100), "is not JSON, JSON Lines or an HTML"),
        "broken.json": (b'{"@type": "ClaimReview", "url": ', "It is not valid JSON"),
        "page.html": (b"<html><body>No markup here</body></html>", "no fact-check"),
        "utf16.json": ("[]".encode("utf-16"), "UTF-16"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(CommandError, match=words):
            run(str(path))


def test_json_broken_half_way_keeps_what_was_read(tmp_path):
    good = {"@type": "ClaimReview", "url": "https://a.example/1", "claimReviewed": "One"}
    path = tmp_path / "cut.json"
    path.write_text("[" + json.dumps(good) + ', {"@type": "ClaimRev')
    report = factchecks_import_file(path)
    assert report.created == 1 and report.rejected == 1
    problem = report.problems[-1]
    assert problem.position == "after record 1"
    assert problem.reason.startswith("The JSON is broken from here on")


# --- hostile input -------------------------------------------------------------------------


def test_script_in_text_stays_text_and_is_escaped_in_the_admin(admin_client):
    factchecks_import_file(DATA / "claimreviews.jsonl")
    fc = FactCheck.objects.get(url="https://checks.example/script")
    assert fc.claim_reviewed == "<script>alert('claim')</script> is safe"
    assert fc.publisher_name == "<img src=x onerror=alert(1)>"
    assert fc.publisher_url == ""  # javascript: never becomes a link
    assert fc.textual_rating == "<b>False</b>"
    page = admin_client.get("/admin/claims/factcheck/").content.decode()
    assert "&lt;script&gt;alert(&#x27;claim&#x27;)&lt;/script&gt;" in page
    assert "<script>alert('claim')" not in page and "<img src=x" not in page
    assert "javascript:" not in page
    detail = admin_client.get(f"/admin/claims/factcheck/{fc.pk}/change/").content.decode()
    assert "<script>alert('claim')" not in detail and "<img src=x" not in detail


def test_a_10_mb_claim_is_rejected_and_a_10_mb_explanation_is_cut(tmp_path):
    huge = "A" * (10 * 1024 * 1024)
    path = tmp_path / "huge.jsonl"
    path.write_text(
        json.dumps({"@type": "ClaimReview", "url": "https://big.example/1",
                    "claimReviewed": huge}) + "\n"
        + json.dumps({"@type": "ClaimReview", "url": "https://big.example/2",
                      "claimReviewed": "Short", "reviewRating": {"alternateName": "False",
                                                                  "ratingExplanation": huge}})
        + "\n"
    )
    report = factchecks_import_file(path)
    assert reasons(report) == {
        "line 1": "Its claim text (claimReviewed) is 10,485,760 characters long; the limit "
                  "is 5,000."}
    kept = FactCheck.objects.get()
    assert len(kept.rating_explanation) == 10_000
    assert any(p.position == "line 2" and not p.rejected and "was cut from 10,485,760 to "
               "10,000 characters" in p.reason for p in report.problems)


def test_control_characters_and_nul_are_removed(tmp_path):
    # JSON Lines (read by the json module) keeps a lone surrogate for us to replace; ijson
    # already replaces it while parsing.
    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps({"@type": "ClaimReview", "url": "https://n.example/",
                                "claimReviewed": "Nul\u0000 and \u001b[31mescape\ud800"}))
    run(str(path))
    assert FactCheck.objects.get().claim_reviewed == "Nul and [31mescape\ufffd"


def test_wrong_types_are_rejected_in_words(tmp_path):
    records = [
        {"@type": "ClaimReview", "url": 42, "claimReviewed": "x"},
        {"@type": "ClaimReview", "url": "https://t.example/1", "claimReviewed": {"a": 1}},
        {"@type": "ClaimReview", "url": "https://t.example/2", "claimReviewed": "x",
         "reviewRating": {"ratingValue": True}},
        {"@type": "ClaimReview", "url": "https://t.example/3", "claimReviewed": "x",
         "author": 7},
        {"@type": "ClaimReview", "url": "https://t.example/4", "claimReviewed": "x",
         "itemReviewed": "a string"},
        "just text",
    ]
    path = tmp_path / "types.json"
    path.write_text(json.dumps(records))
    report = factchecks_import_file(path)
    assert reasons(report) == {
        "record 1": "Its url is a number, not text.",
        "record 2": "Its claim text (claimReviewed) is an object, not text.",
        "record 3": "Its ratingValue is true/false, not a number.",
        "record 4": "Its author is a number, not a name or an object.",
        "record 5": "Its itemReviewed is text, not an object.",
        "record 6": "It is text, not an object.",
    }
    assert report.created == 0


def test_a_publisher_link_that_is_not_http_is_dropped_with_a_warning(tmp_path):
    path = tmp_path / "pub.json"
    path.write_text(json.dumps({
        "@type": "ClaimReview", "url": "https://p.example/1", "claimReviewed": "x",
        "publisher": {"name": "P", "url": "JavaScript:alert(1)"},
        "itemReviewed": {"appearance": [{"url": "vbscript:msgbox"}]}}))
    report = factchecks_import_file(path)
    fc = FactCheck.objects.get()
    assert (fc.publisher_name, fc.publisher_url, fc.appearance_url) == ("P", "", "")
    warnings = [p.reason for p in report.problems if not p.rejected]
    assert len(warnings) == 2 and all("only http and https" in w for w in warnings)


def test_a_very_long_json_lines_line_is_skipped_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setattr("claims.factchecks.formats.LINE_MAX", 1000)
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"@type": "ClaimReview", "url": "https://l.example/1",
                    "claimReviewed": "x" * 5000}) + "\n"
        + json.dumps({"@type": "ClaimReview", "url": "https://l.example/2",
                      "claimReviewed": "fine"}) + "\n")
    report = factchecks_import_file(path)
    assert list(FactCheck.objects.values_list("claim_reviewed", flat=True)) == ["fine"]
    assert reasons(report)["line 1"].startswith("The line is longer than")


# --- URLs go through the network guard ----------------------------------------------------


def test_url_is_fetched_through_the_guard(local_server):
    url = local_server.route("/feed.json", Response(
        body=(DATA / "datafeed.json").read_bytes(), content_type="application/json"))
    out, err = run(url)
    assert "2 created" in out
    assert set(FactCheck.objects.values_list("origin", flat=True)) == {FactCheckOrigin.URL}
    assert FactCheck.objects.first().source == url
    assert local_server.hits("/feed.json") == 1


def test_a_fetched_page_gives_its_address_to_a_claimreview_without_one(local_server):
    url = local_server.route("/fact-check/police-budget", Response.html(
        (DATA / "factcheck_article.html").read_text()))
    out, err = run(url)
    assert "2 created" in out and "1 rejected" in out
    assert FactCheck.objects.filter(
        url=url, claim_reviewed="The city doubled its police budget in 2023.").exists()


def test_a_private_address_is_refused_without_the_allow_list(local_server, settings):
    settings.FETCH_ALLOWED_PRIVATE_HOSTS = []
    settings.FETCH_ALLOWED_PORTS = [80, 443, local_server.port]  # only the address check stands
    url = local_server.route("/feed.json", Response(body=b"[]"))
    with pytest.raises(CommandError, match="Refused to fetch from 127.0.0.1"):
        run(url)
    assert local_server.hits() == 0
    with pytest.raises(CommandError, match="only http and https|Only http and https"):
        run("file:///etc/passwd")


def test_a_failed_fetch_says_why(local_server):
    url = local_server.route("/gone", Response(status=404, body=b"no"))
    with pytest.raises(CommandError, match="Could not fetch .*404"):
        run(url)


# --- streaming in bounded memory -----------------------------------------------------------


def _generated(n: int):
    for i in range(n):
        yield json.dumps({
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": f"https://gen{i % 20}.example/fact-check/{i}",
            "claimReviewed": f"Generated claim {i} about the budget of year {1990 + i % 30}",
            "datePublished": "2024-01-02",
            "author": {"@type": "Organization", "name": f"Checker {i % 20}"},
            "reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1,
                             "bestRating": 5, "worstRating": 1,
                             # Fat records, so the file dwarfs what one batch holds.
                             "ratingExplanation": f"Explanation {i} " + "x" * 1500},
        })


def _peak_import(path: Path) -> int:
    tracemalloc.start()
    try:
        report = factchecks_import_file(path, batch_size=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rejected == 0
    return peak


@pytest.mark.parametrize("shape", ["jsonl", "datafeed"])
def test_import_streams_in_bounded_memory(tmp_path, shape):
    """Ten times the records must not take noticeably more memory, and far less than the
    file: the file is never held, only one batch of records."""
    peaks = {}
    for n in (200, 2000):
        FactCheck.objects.all().delete()
        path = tmp_path / f"{shape}-{n}.json"
        with path.open("w") as f:
            if shape == "jsonl":
                f.writelines(line + "\n" for line in _generated(n))
            else:
                f.write('{"@type": "DataFeed", "dataFeedElement": [')
                f.write(",".join(f'{{"@type": "DataFeedItem", "item": {r}}}'
                                 for r in _generated(n)))
                f.write("]}")
        peaks[n] = _peak_import(path)
        assert FactCheck.objects.count() == n
    big_file = (tmp_path / f"{shape}-2000.json").stat().st_size
    assert peaks[2000] < big_file / 2, (peaks, big_file)
    assert peaks[2000] < peaks[200] * 1.5, peaks


# --- the desk's own fact-checks ------------------------------------------------------------


def test_a_published_verdict_becomes_the_desks_fact_check(settings):
    settings.SITE_URL = "https://desk.example"
    verdict = PublishedVerdictFactory(claim=ClaimFactory(statement="Crime fell by half"))
    fc = factcheck_from_verdict(verdict)
    assert fc.origin == FactCheckOrigin.DESK and fc.claim_id == verdict.claim_id
    assert fc.url.startswith("https://desk.example/") and str(verdict.claim_id) in fc.url
    assert fc.claim_reviewed == "Crime fell by half"
    assert fc.textual_rating == verdict.rating.label
    assert fc.publisher_name == settings.ORGANISATION_NAME
    assert fc.date_published == verdict.published_at.date()
    # Nothing changed: nothing written; the claim's statement changes: the record follows.
    assert factcheck_sync_claim(verdict.claim_id).updated_at == fc.updated_at
    type(verdict.claim).objects.filter(pk=verdict.claim_id).update(statement="Crime fell")
    assert factcheck_sync_claim(verdict.claim_id).claim_reviewed == "Crime fell"
    assert FactCheck.objects.count() == 1


def test_an_import_never_overwrites_the_desks_own_record(settings, tmp_path):
    settings.SITE_URL = "https://desk.example"
    fc = factcheck_from_verdict(PublishedVerdictFactory())
    path = tmp_path / "own.json"
    path.write_text(json.dumps({"@type": "ClaimReview", "url": fc.url,
                                "claimReviewed": "Something else entirely"}))
    report = factchecks_import_file(path)
    assert (report.skipped, report.created, report.updated) == (1, 0, 0)
    fc.refresh_from_db()
    assert fc.origin == FactCheckOrigin.DESK and fc.claim_reviewed != "Something else entirely"


def test_backfill_records_every_published_fact_check_and_drops_unpublished(settings):
    settings.SITE_URL = "https://desk.example"
    verdicts = [PublishedVerdictFactory() for _ in range(3)]
    report = factchecks_sync_desk()
    assert report.created == 3
    assert set(FactCheck.objects.values_list("claim_id", flat=True)) == {
        v.claim_id for v in verdicts}
    type(verdicts[0]).objects.filter(pk=verdicts[0].pk).update(state="approved")
    report = factchecks_sync_desk()
    assert (report.created, report.skipped) == (0, 2)
    assert FactCheck.objects.count() == 2


def test_desk_command_and_its_arguments():
    PublishedVerdictFactory()
    out = io.StringIO()
    call_command("import_factchecks", "--desk", stdout=out, stderr=io.StringIO())
    assert "1 created" in out.getvalue()
    assert FactCheck.objects.filter(origin=FactCheckOrigin.DESK).count() == 1
    with pytest.raises(CommandError, match="not both"):
        call_command("import_factchecks", "x.json", "--desk")
    with pytest.raises(CommandError, match="Give a file or a URL"):
        call_command("import_factchecks")


def test_stream_import_of_a_fetched_body_needs_a_record():
    with pytest.raises(ImportFailed, match="no fact-check"):
        factchecks_import_stream(io.BytesIO(b"[]"), source="memory")


def test_concatenated_json_values_are_read_one_by_one(tmp_path):
    path = tmp_path / "values.json"
    path.write_text(
        '{"@type": "ClaimReview", "url": "https://v.example/1", "claimReviewed": "One"} '
        '{"@type": "ClaimReview", "url": "https://v.example/2", "claimReviewed": "Two"} 7')
    report = factchecks_import_file(path)
    assert report.created == 2
    assert reasons(report) == {"value 3": "It is a number, not an object."}


def test_a_feed_whose_list_comes_late_is_still_streamed(tmp_path, monkeypatch):
    """The first bytes did not show where the list is (a long description came first): the
    reader goes event by event and still finds the DataFeed's elements."""
    monkeypatch.setattr("claims.factchecks.formats.SNIFF_BYTES", 64)
    feed = json.loads((DATA / "datafeed.json").read_text())
    feed = {"description": "x" * 500, **feed}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(feed))
    report = factchecks_import_file(path)
    assert report.counts() == {"created": 2, "updated": 0, "skipped": 0, "rejected": 2}
    assert set(reasons(report)) == {"feed element 3", "feed element 4"}


def test_a_feed_run_records_its_counts_or_why_it_failed(local_server):
    url = local_server.route("/feed.json", Response(
        body=(DATA / "google_claims_search.json").read_bytes(),
        content_type="application/json"), Response(status=500))
    feed = FactCheckFeed.objects.create(name="Partner", url=url)
    report = factcheck_feed_run(feed)
    feed.refresh_from_db()
    assert report.created == 3 and feed.last_error == ""
    assert feed.last_counts == {"created": 3, "updated": 0, "skipped": 0, "rejected": 1}
    assert feed.last_success_at == feed.last_run_at
    assert set(feed.factchecks.values_list("origin", flat=True)) == {FactCheckOrigin.FEED}

    assert factcheck_feed_run(feed) is None
    feed.refresh_from_db()
    assert "500" in feed.last_error and feed.last_success_at < feed.last_run_at
    assert FactCheck.objects.count() == 3  # a failed run changes nothing


def test_the_feed_admin_refuses_an_address_that_is_not_http(admin_client):
    response = admin_client.post("/admin/claims/factcheckfeed/add/", {
        "name": "Bad", "url": "javascript:alert(1)", "enabled": "on"})
    assert response.status_code == 200
    assert "only http and https addresses are accepted" in response.content.decode()
    assert not FactCheckFeed.objects.exists()
    admin_client.post("/admin/claims/factcheckfeed/add/", {
        "name": "Good", "url": "HTTPS://Partner.Example/feed.json?utm_source=x",
        "enabled": "on"})
    assert FactCheckFeed.objects.get().url == "https://partner.example/feed.json"
