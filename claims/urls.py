from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
]
