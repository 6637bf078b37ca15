"""Thin views: parse the request, call a selector or service, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Article, Claim, Source


@login_required
def dashboard(request):
    return render(
        request,
        "claims/dashboard.html",
        {
            "stats": selectors.desk_stats(),
            "my_claims": selectors.claim_list().filter(assignee=request.user)[:10],
            "recent_claims": selectors.claim_list()[:10],
        },
    )


@login_required
def article_detail(request, pk):
    article = get_object_or_404(Article, pk=pk)
    return render(
        request,
        "claims/article_detail.html",
        {"article": article, "claims": selectors.article_claims(article)},
    )


@login_required
def claim_detail(request, pk):
    claim = get_object_or_404(selectors.claim_list(), pk=pk)
    return render(request, "claims/claim_detail.html", {"claim": claim})


@login_required
def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    return render(
        request,
        "claims/source_detail.html",
        {"source": source, "captures": source.captures.all()[:20]},
    )
