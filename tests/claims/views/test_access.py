"""Who may open the desk: pages and writes need a login and the right group, logging in and
out, the navigation, and the error pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name,args",
    [
        ("claims:dashboard", []),
        ("claims:article-list", []),
        ("claims:claim-list", []),
        ("claims:source-list", []),
        ("claims:claimant-autocomplete", []),
    ],
)
def test_pages_require_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_pages_require_login(client):
    claim = factories.ClaimFactory()
    source = factories.SourceFactory()
    for url in (
        claim.get_absolute_url(),
        claim.article.get_absolute_url(),
        source.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 302, url


def test_login_and_logout(client, editor):
    response = client.post(reverse("login"), {"username": "ed", "password": "pass"})
    assert response.status_code == 302
    page = client.get(reverse("claims:dashboard"))
    assert "Signed in as <strong>Erin Editor</strong>" in page.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("claims:dashboard")).status_code == 302


def test_layout_has_navigation(client_ed):
    html = client_ed.get(reverse("claims:dashboard")).content.decode()
    for label in ("Dashboard", "Articles", "Claims", "Sources"):
        assert f">{label}</a>" in html
    assert "Log out" in html


@pytest.mark.parametrize(
    "name",
    ["claims:article-add", "claims:claim-bulk"],
)
def test_writes_need_permission(client, outsider, name):
    client.force_login(outsider)
    assert client.post(reverse(name), {}).status_code == 403


def test_outsider_cannot_log_edit_or_add_evidence(client, outsider):
    claim = factories.ClaimFactory()
    client.force_login(outsider)
    urls = [
        reverse("claims:claim-log", args=[claim.article_id]),
        reverse("claims:claim-edit", args=[claim.pk]),
        reverse("claims:claim-status", args=[claim.pk]),
        reverse("claims:claim-assign", args=[claim.pk]),
        reverse("claims:claim-evidence-add", args=[claim.pk]),
        reverse("claims:claim-source-attach", args=[claim.pk]),
        reverse("claims:claimant-create"),
    ]
    for url in urls:
        assert client.post(url, {"statement": "x", "note": "x"}).status_code == 403, url
    # Reading is allowed, and the page offers no write forms.
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Change status" not in html and "Add evidence" not in html


def test_404_page_fits_layout(client_ed):
    response = client_ed.get("/claims/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Main navigation" in html


def test_500_template_renders_without_context():
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Something went wrong" in html


def test_opening_a_forms_address_explains_itself(client_ed, client, editor):
    """A form's address opened in the browser (a bookmark, a typed URL) answered with an
    empty 405, which a browser shows as a blank page."""
    response = client_ed.get(reverse("claims:article-add"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    html = response.content.decode()
    assert "This address is not a page" in html and "Nothing was changed." in html
    assert 'href="/"' in html and "Signed in as" in html  # the desk's layout, a way on
    assert client.get(reverse("logout")).status_code == 405  # anonymous: the page too
    # The API's answers stay its own (JSON), untouched.
    from tests.api.conftest import api_client_for

    response = api_client_for(editor).get(reverse("api:claim-evidence", args=[1]))
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert "This address is not a page" not in response.content.decode()
