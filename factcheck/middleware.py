"""A page that explains itself when a form's address is visited: the desk's POST-only
addresses (adding an article, saving a verdict, ...) answer a visit (GET) with 405 and, from
Django's `require_POST`, an empty body, which a browser shows as a blank page."""

from __future__ import annotations

from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    """Give an empty 405 answer to a browser's visit a page of words (status and Allow header
    kept). The API's answers (JSON, from Django REST framework) are never empty: untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code != 405 or request.method not in ("GET", "HEAD")
                or response.content or getattr(response, "streaming", False)):
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
