"""Article pages: the articles table, adding an article (pasted text, an uploaded file or a
URL the worker fetches), an article's page with its claims highlighted, and its fetch
status for htmx polling. Thin: parse the request, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from claims.choices import ArticleStatus
from claims.forms.articles import ArticleTextForm, ArticleUploadForm, ArticleUrlForm
from claims.highlight import highlighted_body
from claims.models import Article
from claims.selectors.articles import article_claims, article_repeats, article_table_rows
from claims.services.articles import ArticleRepeat, article_create, article_import_url
from claims.tables import ArticleTable
from claims.views.common import add_errors, paginate


def _article_forms(data=None, files=None, which=None):
    return {
        "text_form": ArticleTextForm(data if which == "text" else None, prefix="text"),
        "upload_form": ArticleUploadForm(
            data if which == "upload" else None,
            files if which == "upload" else None,
            prefix="upload",
        ),
        "url_form": ArticleUrlForm(data if which == "url" else None, prefix="url"),
    }


@login_required
def article_list(request):
    table = paginate(request, ArticleTable(article_table_rows()))
    context = {"table": table, **_article_forms()}
    return render(request, "claims/article_list.html", context)


@login_required
@permission_required("claims.add_article", raise_exception=True)
@require_POST
def article_add(request):
    which = request.POST.get("method")
    if which not in ("text", "upload", "url"):
        which = "text"
    forms = _article_forms(request.POST, request.FILES, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        try:
            article = _article_create(which, form, request.user)
        except ArticleRepeat as exc:
            form.repeat_of = exc.existing
            form.add_error({"text": "body", "upload": "file", "url": "url"}[which], exc.messages)
        except ValidationError as exc:
            add_errors(form, exc, {"body": "body", "title": "title", "url": "url"})
        else:
            if which == "url":
                messages.info(
                    request, "The article is being fetched; this page updates when it arrives."
                )
            else:
                messages.success(request, f"Article “{article.title}” added.")
            return redirect(article)
    table = paginate(request, ArticleTable(article_table_rows()))
    return render(
        request,
        "claims/article_list.html",
        {"table": table, "active_method": which, **forms},
        status=400,
    )


def _article_create(which, form, user) -> Article:
    data = form.cleaned_data
    if which == "text":
        return article_create(
            title=data["title"],
            body=data["body"],
            user=user,
            url=data["url"],
            outlet=data["outlet"],
            author=data["author"],
            published_on=data["published_on"],
            is_internal=data["is_internal"],
            repeat_ok=data["repeat_ok"],
        )
    if which == "upload":
        # What the editor typed wins; what the page declares fills the rest.
        extracted = form.extracted
        return article_create(
            title=data["title"] or extracted.title,
            body=extracted.body,
            user=user,
            outlet=data["outlet"] or extracted.outlet,
            author=extracted.author,
            published_on=extracted.published_on,
            language=extracted.language,
            is_internal=data["is_internal"],
            repeat_ok=data["repeat_ok"],
        )
    return article_import_url(url=data["url"], user=user, repeat_ok=data["repeat_ok"])


@login_required
def article_detail(request, pk):
    article = get_object_or_404(Article, pk=pk)
    claims = list(article_claims(article))
    # A copy of an article already on the desk (added anyway, or fetched from another URL
    # and found to hold the same text) says so, with a link to the first copy.
    repeats = list(article_repeats(urls=[article.url], body_sha256=article.body_sha256,
                                   exclude_pk=article.pk)[:3])
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "claims": claims,
            "repeats": repeats,
            "body_html": highlighted_body(article.body, claims),
            "can_log": request.user.has_perm("claims.add_claim"),
            "is_loading": article.status in (ArticleStatus.PENDING, ArticleStatus.FETCHING),
        },
    )


@login_required
@require_GET
def article_status(request, pk):
    """Polled by the article page while a URL import runs; reloads the page when done."""
    article = get_object_or_404(Article.objects.only("id", "status", "fetch_error"), pk=pk)
    if article.status not in (ArticleStatus.PENDING, ArticleStatus.FETCHING) and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "claims/partials/article_status.html", {"article": article})
