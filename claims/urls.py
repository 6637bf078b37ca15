from django.urls import path

from . import views, views_exports

app_name = "claims"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    # Exports and reports (issue 6)
    path("claims/export/", views_exports.export, name="export"),
    path("reports/", views_exports.reports, name="reports"),
]
