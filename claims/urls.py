from django.urls import path

from claims import (
    views,
    views_assist,  # claim assistance (issue 9)
    views_exports,
    views_verdicts,
)

app_name = "claims"

# Claim assistance (issue 9): suggestions and links between appearances of a claim.
assist_urlpatterns = [
    path("suggestions/<int:pk>/log/", views_assist.suggestion_log, name="suggestion-log"),
    path("suggestions/<int:pk>/dismiss/", views_assist.suggestion_dismiss,
         name="suggestion-dismiss"),
    path("articles/<int:pk>/suggest/", views_assist.article_suggest, name="article-suggest"),
    path("articles/<int:pk>/suggestions/", views_assist.article_suggestions,
         name="article-suggestions"),
    path("claims/<int:pk>/similar/", views_assist.claim_similar, name="claim-similar"),
    path("claims/<int:pk>/appearance/", views_assist.claim_link, name="claim-link"),
    path("claims/<int:pk>/appearance/unlink/", views_assist.claim_unlink, name="claim-unlink"),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Editor desk (issue 4)
    path("articles/", views.article_list, name="article-list"),
    path("articles/add/", views.article_add, name="article-add"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/status/", views.article_status, name="article-status"),
    path("articles/<int:article_pk>/claims/new/", views.claim_log, name="claim-log"),
    path("claimants/autocomplete/", views.claimant_autocomplete, name="claimant-autocomplete"),
    path("claimants/new/", views.claimant_create, name="claimant-create"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/columns/", views.claim_columns, name="claim-columns"),
    path("claims/bulk/", views.claim_bulk, name="claim-bulk"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/status/", views.claim_status, name="claim-status"),
    path("claims/<int:pk>/assign/", views.claim_assign, name="claim-assign"),
    path("claims/<int:pk>/sources/", views.source_attach, name="claim-source-attach"),
    path("claims/<int:pk>/evidence/", views.evidence_add, name="claim-evidence-add"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/status/", views.source_status, name="source-status"),
    path("sources/<int:pk>/refetch/", views.source_refetch, name="source-refetch"),
    path("captures/<int:pk>/snapshot/", views.capture_snapshot, name="capture-snapshot"),
    # Verdicts, review and notifications (issue 5)
    path("claims/<int:pk>/verdict/", views_verdicts.verdict_save, name="verdict-save"),
    path("verdicts/<int:pk>/submit/", views_verdicts.verdict_submit, name="verdict-submit"),
    path("verdicts/<int:pk>/request-changes/", views_verdicts.verdict_request_changes,
         name="verdict-request-changes"),
    path("verdicts/<int:pk>/approve/", views_verdicts.verdict_approve, name="verdict-approve"),
    path("verdicts/<int:pk>/publish/", views_verdicts.verdict_publish, name="verdict-publish"),
    path("verdicts/<int:pk>/correct/", views_verdicts.verdict_correct, name="verdict-correct"),
    path("review/", views_verdicts.review_queue, name="review-queue"),
    path("notifications/", views_verdicts.notifications, name="notifications"),
    path("notifications/read/", views_verdicts.notifications_mark_read,
         name="notifications-read"),
    # Exports and reports (issue 6)
    path("claims/export/", views_exports.export, name="export"),
    path("reports/", views_exports.reports, name="reports"),
    path("reports/claims/", views_exports.report_claim_options, name="report-claim-options"),
] + assist_urlpatterns
