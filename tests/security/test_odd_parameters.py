"""Odd query parameters and form values answer 400 or an empty, explained result, never a
server error: the cases an outside probe found, each fixed where the value is read.
(tests/security/test_properties.py sends such values to every parameter of every URL.)"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.paginator import EmptyPage
from django.urls import reverse

from claims.models import Claim, Evidence, Notification
from claims.paginators import DeskPaginator
from claims.params import MAX_ID, object_id
from tests.factories import ClaimFactory

HUGE = "99999999999999999999"


@pytest.fixture
def admin_client(client, desk):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "words"), [
    ("page_size=²", "page_size must be a whole number from 1 to 200."),
    ("page_size=٣", "page_size must be a whole number from 1 to 200."),
    (f"page_size={HUGE}", "page_size must be a whole number from 1 to 200."),
    ("updated_after=0001-01-01T00:00:00%2B23:59", "between the years 1 and 9999"),
    ("published_after=9999-12-31T23:59:59-23:59", "between the years 1 and 9999"),
    ("cursor=MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk",
     "The cursor is not one this feed gave out"),
])
def test_claimreview_feed_refuses_odd_parameters_in_words(client, db, query, words):
    response = client.get(f"{reverse('feeds:claimreview')}?{query}")
    assert response.status_code == 400
    assert words in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["updated_after=0001-01-01T00:00:00-23:59",
                                   "published_after=2026-01-01T00:00:00-23:59"])
def test_claimreview_feed_reads_any_iso_offset(client, desk, query):
    """ISO 8601 allows offsets to ±23:59, PostgreSQL only to ±15:59: the feed asks in UTC."""
    response = client.get(f"{reverse('feeds:claimreview')}?{query}")
    assert response.status_code == 200
    assert "items" in response.json()


@pytest.mark.django_db
def test_claim_filter_with_a_superscript_claimant_explains_itself(admin_client):
    response = admin_client.get(reverse("claims:claim-list") + "?claimant=²")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"article={HUGE}", f"article=-{HUGE}"])
def test_claim_filter_refuses_an_article_id_beyond_the_database(admin_client, query):
    response = admin_client.get(reverse("claims:claim-list") + "?" + query)
    assert response.status_code == 200
    assert "No article has the id “" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "said"), [
    ("scope=dates&format=html&claimant=²", "Select a valid choice"),
    (f"scope=article&format=html&article={HUGE}", "Ensure this value is less than"),
    (f"scope=claim&format=html&claim={HUGE}", f"There is no claim with the id “{HUGE}”"),
    ("scope=claim&format=html&claim=²", "There is no claim with the id “²”"),
])
def test_reports_form_refuses_odd_values_in_words(admin_client, query, said):
    response = admin_client.get(reverse("claims:reports") + "?" + query)
    assert response.status_code == 200
    assert said in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["claims:claim-list", "claims:article-list",
                                  "claims:source-list"])
@pytest.mark.parametrize("query", [f"page={HUGE}", "page=4611686018427387904",
                                   f"per_page={HUGE}", "per_page=-5", "per_page=0", "page=²"])
def test_tables_answer_any_page_number(admin_client, name, query):
    response = admin_client.get(reverse(name) + "?" + query)
    assert response.status_code == 200
    table = response.context["table"]
    assert 1 <= table.paginator.per_page <= DeskPaginator.MAX_PER_PAGE
    assert table.page.number == 1


def test_desk_paginator_refuses_pages_past_any_table():
    paginator = DeskPaginator(list(range(10)), 5)
    assert paginator.page(2).object_list == [5, 6, 7, 8, 9]
    with pytest.raises(EmptyPage):
        paginator.validate_number(int(HUGE))
    assert DeskPaginator([], -3).per_page == DeskPaginator.DEFAULT_PER_PAGE
    assert DeskPaginator([], 10**20).per_page == DeskPaginator.DEFAULT_PER_PAGE


@pytest.mark.django_db
def test_sources_filtered_by_a_nul_domain_match_nothing(admin_client):
    response = admin_client.get(reverse("claims:source-list") + "?domain=%00")
    assert response.status_code == 200
    assert list(response.context["table"].page.object_list) == []


@pytest.mark.django_db
def test_claimant_autocomplete_with_a_nul_suggests_nothing(admin_client):
    response = admin_client.get(reverse("claims:claimant-autocomplete") + "?q=%00")
    assert response.status_code == 200
    assert list(response.context["claimants"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", HUGE, "-1"])
def test_marking_notifications_read_with_odd_ids_marks_nothing(admin_client, value):
    admin = get_user_model().objects.get(username="admin")
    Notification.objects.create(recipient=admin, verb="assigned", message="A claim for you.")
    unread = Notification.objects.filter(recipient=admin, read_at__isnull=True).count()
    response = admin_client.post(reverse("claims:notifications-read"), {"id": value})
    assert response.status_code == 302
    assert said(response) == ["Nothing was marked read: those are not notification numbers."]
    assert Notification.objects.filter(recipient=admin, read_at__isnull=True).count() == unread


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", HUGE])
def test_linking_an_appearance_to_an_odd_id_says_what_to_do(admin_client, desk, value):
    claim = desk["claim"]
    response = admin_client.post(reverse("claims:claim-link", args=[claim.pk]), {"other": value})
    assert response.status_code == 302
    assert said(response) == ["Choose the claim that says the same thing."]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [f"-{HUGE}", HUGE, "²"])
def test_verdict_form_refuses_evidence_ids_beyond_the_database(admin_client, desk, value):
    claim = Claim.objects.filter(evidence__isnull=False).first()
    assert Evidence.objects.filter(claim=claim).exists()
    response = admin_client.post(reverse("claims:verdict-save", args=[claim.pk]),
                                 {"evidence": value})
    assert response.status_code < 500
    assert "is not a valid value" in response.content.decode()


@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("0", None), ("-1", None),
    (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (HUGE, None), ("", None), (None, None),
    ("1e3", None),
])
def test_object_id_reads_only_ascii_ids_the_database_can_hold(value, expected):
    assert object_id(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["\x00", "unemployment\x00", HUGE, f"#{HUGE}", "٣", "²"])
def test_report_claim_search_answers_odd_text_with_no_claim(admin_client, typed):
    ClaimFactory(statement="Unemployment fell by 3%")
    response = admin_client.get(reverse("claims:report-claim-options"), {"claim_search": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "js-choose-claim" not in html and "No claim matches" in html
