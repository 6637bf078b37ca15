"""The API's resources, read and written through the desk's own services."""

from __future__ import annotations

import pytest

from claims.choices import ClaimStatus, SourceStatus
from claims.models import Claim, Claimant, Evidence, Source
from tests.factories import ArticleFactory, ClaimantFactory, ClaimFactory, EvidenceFactory
from tests.verdict_setup import captured_source_evidence, published_fact_check

pytestmark = pytest.mark.django_db


def test_log_a_claim_finds_the_quote_in_the_text_and_names_the_claimant(api, roles):
    article = ArticleFactory()
    claimant = ClaimantFactory(name="Jane Roe")
    response = api["editor_author"].post("/api/v1/claims/", {
        "article": article.pk, "quote": "unemployment fell by 12 per cent last year",
        "statement": "Unemployment fell by 12% last year", "claimant": claimant.pk,
        "tags": ["Economy"],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    claim = Claim.objects.get(pk=body["id"])
    assert article.body[claim.anchor_start:claim.anchor_end] == claim.quote
    assert claim.created_by == roles["editor_author"]
    assert body["claimant"]["name"] == "Jane Roe" and body["tags"] == ["economy"]
    assert body["version"] == 1 and body["status"] == ClaimStatus.NEW
    # History holds, as on the desk.
    assert claim.history.count() == 1


def test_a_quote_not_in_the_article_is_refused_in_words(api):
    article = ArticleFactory()
    response = api["editor_author"].post("/api/v1/claims/", {
        "article": article.pk, "quote": "words nobody wrote", "statement": "Something",
    }, format="json")
    # Well formed, but the article's text does not hold it: the service refuses (409).
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "quote" in body["errors"]
    assert body["detail"] == ("The quote does not appear in the article text. Copy the words "
                              "exactly as they appear in the article, or select them in its "
                              "text.")
    assert not Claim.objects.exists()


def test_the_api_anchors_words_as_the_desk_does(api):
    """One rule (anchoring.anchor_submitted): CRLF line ends, spaces around the words and a
    stale selection are read the same through the API as on the desk."""
    article = ArticleFactory(body="First line.\nThe end is in sight. The end is in sight.")
    post = api["editor_author"].post
    # Stale offsets (the text's second sentence, sent as 0-5): the nearest place is used.
    response = post("/api/v1/claims/", {"article": article.pk, "quote": "The end is in sight.",
                                        "start": 30, "end": 35, "statement": "A"},
                    format="json")
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert (claim.anchor_start, claim.anchor_end) == (33, 53)
    # CRLF as a browser sends it, with spaces around: found, stored as the text has it.
    response = post("/api/v1/claims/", {"article": article.pk,
                                        "quote": "  First line.\r\nThe end ",
                                        "statement": "B", "save_anyway": True}, format="json")
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert claim.quote == "First line.\nThe end" and claim.anchor_start == 0


def test_the_claims_list_takes_the_desk_filters_search_and_orders(api):
    mine = ClaimFactory(statement="Inflation halved in a year", status=ClaimStatus.RESEARCHING)
    ClaimFactory(statement="Crime doubled", status=ClaimStatus.NEW)
    client = api["editor_author"]
    rows = client.get("/api/v1/claims/", {"status": "researching"}).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    rows = client.get("/api/v1/claims/", {"q": "inflation"}).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    rows = client.get("/api/v1/claims/", {"claimant": mine.claimant_id}).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    ids = [r["id"] for r in client.get("/api/v1/claims/", {"sort": "id"}).json()["results"]]
    assert ids == sorted(ids)
    ids = [r["id"] for r in client.get("/api/v1/claims/", {"sort": "-id"}).json()["results"]]
    assert ids == sorted(ids, reverse=True)
    bad = client.get("/api/v1/claims/", {"status": "maybe"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


@pytest.mark.parametrize("sort", ["", "id", "-id", "status", "-status", "claimed_on",
                                  "-claimed_on", "created_at", "-created_at"])
def test_cursor_pages_never_skip_or_repeat_a_claim(api, sort):
    from datetime import date

    article = ArticleFactory()
    for i in range(23):
        ClaimFactory(article=article, status=[ClaimStatus.NEW, ClaimStatus.RESEARCHING][i % 2],
                     claimed_on=None if i % 3 == 0 else date(2026, 1, 1 + i % 4))
    seen, url = [], f"/api/v1/claims/?page_size=5&sort={sort}"
    pages = 0
    while url:
        body = api["editor_author"].get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 5
    assert sorted(seen) == sorted(Claim.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen))


def test_a_forged_cursor_is_a_404_in_words(api):
    """A cursor names a page: one the API did not give out names none (as DRF's own
    pagination answers it)."""
    response = api["editor_author"].get("/api/v1/claims/", {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "cursor" in response.json()["errors"]


def test_attaching_a_source_answers_202_and_points_at_the_source_to_poll(
    api, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr("claims.queue.enqueue_source_fetch",
                        lambda pk: enqueued.append(pk) or True)
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = api["editor_author"].post(
            f"/api/v1/claims/{claim.pk}/sources/",
            {"url": "https://stats.example.org/jobs", "stance": "refutes"}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    source = Source.objects.get(pk=body["source"]["id"])
    assert body["source"]["status"] == SourceStatus.PENDING
    assert response["Location"].endswith(f"/api/v1/sources/{source.pk}/")
    assert enqueued == [source.pk]  # the desk's own on-commit enqueue
    assert Evidence.objects.get(claim=claim, source=source).stance == "refutes"
    polled = api["editor_author"].get(response["Location"]).json()
    assert polled["status"] == SourceStatus.PENDING


def test_a_private_address_is_refused_before_anything_is_saved(api):
    claim = ClaimFactory()
    response = api["editor_author"].post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": "http://10.0.0.1/admin"}, format="json")
    assert response.status_code == 400
    # In the fetcher's own words, as the desk says it.
    assert response.json()["errors"]["url"] == [
        "Refused to fetch from 10.0.0.1: it is in a private network (10/8); only public "
        "addresses can be fetched."]
    assert not Source.objects.exists()


def test_evidence_note_and_list(api):
    claim = ClaimFactory()
    response = api["editor_author"].post(f"/api/v1/claims/{claim.pk}/evidence/",
                                         {"stance": "context", "note": "Asked the ministry."},
                                         format="json")
    assert response.status_code == 201
    listed = api["editor_author"].get("/api/v1/evidence/", {"claim": claim.pk}).json()
    assert [e["note"] for e in listed["results"]] == ["Asked the ministry."]
    empty = api["editor_author"].post(f"/api/v1/claims/{claim.pk}/evidence/",
                                      {"stance": "context"}, format="json")
    assert empty.status_code == 400
    assert empty.json()["detail"] == "Write a note, or choose the source this evidence rests on."


def test_claimants_search_and_one_per_name_and_organisation(api):
    first = api["editor_author"].post("/api/v1/claimants/", {"name": "Jane Roe",
                                                             "organisation": "NATO"},
                                      format="json").json()
    again = api["editor_author"].post("/api/v1/claimants/", {"name": "jane roe",
                                                             "organisation": "nato"},
                                      format="json").json()
    assert first["id"] == again["id"] and Claimant.objects.count() == 1
    found = api["editor_author"].get("/api/v1/claimants/", {"q": "roe"}).json()["results"]
    assert [c["id"] for c in found] == [first["id"]]


def test_articles_create_and_read(api):
    response = api["editor_author"].post("/api/v1/articles/", {
        "title": "Budget speech", "body": "The deficit halved.", "outlet": "Daily"},
        format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert api["reviewer"].get(f"/api/v1/articles/{pk}/").json()["body"] == "The deficit halved."
    rows = api["reviewer"].get("/api/v1/articles/").json()["results"]
    assert rows[0]["id"] == pk and rows[0]["claim_count"] == 0


def test_captures_metadata_and_snapshot_download_with_the_desk_safety_headers(api):
    evidence = captured_source_evidence(ClaimFactory())
    capture = evidence.source.captures.get()
    listed = api["editor_author"].get("/api/v1/captures/", {"source": evidence.source_id})
    [row] = listed.json()["results"]
    assert row["id"] == capture.pk and "text" not in row
    download = api["editor_author"].get(row["snapshot_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"Unemployment rose" in b"".join(download.streaming_content)
    # The desk's own view answers with the same headers (one function builds both).
    from django.test import Client

    desk = Client()
    desk.force_login(evidence.claim.article.created_by or _editor())
    page = desk.get(f"/captures/{capture.pk}/snapshot/")
    for header in ("Content-Type", "X-Content-Type-Options", "Content-Security-Policy"):
        assert page[header] == download[header]


def _editor():
    from tests.verdict_setup import user_in

    return user_in("desk-editor", "Editors")


def test_published_fact_checks_are_open_to_everyone(api, roles):
    published = published_fact_check(roles)
    unpublished = ClaimFactory()
    rows = api[None].get("/api/v1/published/").json()["results"]
    assert [r["claim"] for r in rows] == [published["claim"].pk]
    one = api[None].get(f"/api/v1/published/{published['claim'].pk}/")
    assert one.status_code == 200 and one.json()["rating"]["label"]
    assert api[None].get(f"/api/v1/published/{unpublished.pk}/").status_code == 404
    # The desk's records are not open to anonymous callers.
    assert api[None].get("/api/v1/claims/").status_code in (401, 403)


def test_an_internal_article_is_never_named_to_readers(api, roles):
    published = published_fact_check(roles, is_internal=True)
    row = api[None].get(f"/api/v1/published/{published['claim'].pk}/").json()
    assert row["appearance"] is None


def test_imported_fact_checks_are_read_only(api):
    from claims.models import FactCheck

    FactCheck.objects.create(url="https://fc.example/1", claim_reviewed="The moon is cheese",
                             origin="feed", publisher_name="FC")
    rows = api["editor_author"].get("/api/v1/factchecks/", {"publisher": "FC"}).json()
    assert [r["claim_reviewed"] for r in rows["results"]] == ["The moon is cheese"]
    assert api["admin"].post("/api/v1/factchecks/", {}, format="json").status_code == 405


def test_an_unknown_id_filter_is_a_400_not_a_crash(api):
    response = api["editor_author"].get("/api/v1/evidence/", {"claim": "x"})
    assert response.status_code == 400 and "claim" in response.json()["errors"]


def test_refetch_answers_202(api, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setattr("claims.queue.enqueue_source_fetch",
                        lambda pk: enqueued.append(pk) or True)
    source = EvidenceFactory().source
    with django_capture_on_commit_callbacks(execute=True):
        response = api["editor_author"].post(f"/api/v1/sources/{source.pk}/refetch/")
    assert response.status_code == 202 and enqueued == [source.pk]


@pytest.mark.parametrize("name", ["Æsa Ørsted", "Élise", "ß-Straße"])
def test_a_claimant_named_outside_ascii_is_found_again_not_duplicated(api, name):
    """Found by schemathesis: SQLite lowers only ASCII, so the lookup missed the claimant
    the unique constraint then refused to duplicate (a server error)."""
    first = api["editor_author"].post("/api/v1/claimants/", {"name": name}, format="json")
    again = api["editor_author"].post("/api/v1/claimants/", {"name": name}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Claimant.objects.count() == 1
