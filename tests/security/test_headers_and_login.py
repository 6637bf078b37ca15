"""Security headers on every response and throttled log-in attempts."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_page_has_no_inline_script(client):
    html = client.get("/login/").content.decode()
    assert "<script>" not in html and "onclick=" not in html


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_attempts_are_throttled(client):
    UserFactory(username="erin", password="right-password-1")
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "erin", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(url, {"username": "erin", "password": "wrong"})
    assert response.status_code == 429
    # Locked out: even the right password is refused, with a page that says why.
    response = client.post(url, {"username": "erin", "password": "right-password-1"})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(client):
    UserFactory(username="robin", password="right-password-2")
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "robin", "password": "wrong"})
    response = client.post(url, {"username": "robin", "password": "right-password-2"})
    assert response.status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(url, {"username": "robin", "password": "wrong"}).status_code == 200
