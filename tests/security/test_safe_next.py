"""Every "next" parameter goes through one check (claims.next_url.safe_next_url, built on
Django's url_has_allowed_host_and_scheme): only pages of this site, never another site
however it is spelt."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from claims.assist import services as assist
from claims.models import ClaimSuggestion
from claims.next_url import safe_next_url
from tests.factories import ArticleFactory, SourceFactory, UserFactory

OTHER_SITES = [
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/claims/",
    "https:evil.example",
    "javascript:alert(1)",
    "\x01//evil.example",
    "/\t/evil.example",
    " //evil.example",
    "&",  # relative: redirect() would look it up as a view name
    "claims",
]
OWN_PAGES = ["/claims/", "/claims/?page=2&status=new", "/articles/7/#sources",
             "http://testserver/claims/"]


@pytest.mark.parametrize("target", OTHER_SITES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_site_is_never_a_next_address(target, method):
    request = getattr(RequestFactory(), method)("/", {"next": target})
    assert safe_next_url(request, "/default/") == "/default/"


@pytest.mark.parametrize("target", OWN_PAGES)
def test_pages_of_this_site_are_kept(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next_url(request, "/default/") == target


def test_plain_http_next_is_refused_on_a_secure_request():
    request = RequestFactory().post("/", {"next": "http://testserver/claims/"}, secure=True)
    assert safe_next_url(request, "/default/") == "/default/"


@pytest.fixture
def editor(db):
    user = UserFactory(username="safe-next-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example"])
def test_assist_views_send_hostile_next_back_to_the_article(client, editor, target):
    article = ArticleFactory(body="The minister said unemployment fell by 12% last year. "
                                  "The opposition said it rose by 3% in the same period.")
    assist.suggestions_refresh(article=article)
    suggestion = ClaimSuggestion.objects.filter(article=article).first()
    client.force_login(editor)
    response = client.post(reverse("claims:suggestion-dismiss", args=[suggestion.pk]),
                           {"next": target})
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    # The htmx panel renders its own "next" for the buttons: the hostile one is not echoed.
    response = client.post(reverse("claims:article-suggest", args=[article.pk]),
                           {"next": target}, HTTP_HX_REQUEST="true")
    assert "evil.example" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example"])
def test_desk_views_send_hostile_next_to_their_default(client, editor, target):
    client.force_login(editor)
    response = client.post(reverse("claims:claim-columns"), {"next": target})
    assert response["Location"] == reverse("claims:claim-list")
    source = SourceFactory()
    response = client.post(reverse("claims:source-refetch", args=[source.pk]), {"next": target})
    assert response["Location"] == source.get_absolute_url()


@pytest.mark.django_db
def test_desk_views_follow_a_next_page_of_this_site(client, editor):
    client.force_login(editor)
    response = client.post(reverse("claims:claim-columns"), {"next": "/claims/?page=2"})
    assert response["Location"] == "/claims/?page=2"
