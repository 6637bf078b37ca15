"""The desk's URLs, one group per area; each view lives in claims/views/<area>.py."""

from django.urls import path

from claims.views import (
    archives,
    articles,
    assist,
    claimants,
    dashboard,
    exports,
    factchecks,
    sources,
    tokens,
    verdicts,
)
from claims.views import claims as claim_views

app_name = "claims"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Articles
    path("articles/", articles.article_list, name="article-list"),
    path("articles/add/", articles.article_add, name="article-add"),
    path("articles/<int:pk>/", articles.article_detail, name="article-detail"),
    path("articles/<int:pk>/status/", articles.article_status, name="article-status"),
    # Claims and claimants
    path("articles/<int:article_pk>/claims/new/", claim_views.claim_log, name="claim-log"),
    path("claimants/autocomplete/", claim_views.claimant_autocomplete,
         name="claimant-autocomplete"),
    path("claimants/new/", claim_views.claimant_create, name="claimant-create"),
    path("claimants/", claimants.claimant_list, name="claimant-list"),
    path("claimants/<int:pk>/", claimants.claimant_detail, name="claimant-detail"),
    path("claimants/merges/", claimants.claimant_merge_propose_view,
         name="claimant-merge-propose"),
    path("claimants/merges/<int:pk>/decide/", claimants.claimant_merge_decide,
         name="claimant-merge-decide"),
    path("claims/", claim_views.claim_list, name="claim-list"),
    path("claims/articles/", claim_views.article_autocomplete, name="article-autocomplete"),
    path("claims/columns/", claim_views.claim_columns, name="claim-columns"),
    path("claims/bulk/", claim_views.claim_bulk, name="claim-bulk"),
    path("claims/<int:pk>/", claim_views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/edit/", claim_views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/status/", claim_views.claim_status, name="claim-status"),
    path("claims/<int:pk>/assign/", claim_views.claim_assign, name="claim-assign"),
    # Sources, captures and evidence
    path("claims/<int:pk>/sources/", sources.source_attach, name="claim-source-attach"),
    path("claims/<int:pk>/evidence/", sources.evidence_add, name="claim-evidence-add"),
    path("evidence/<int:pk>/edit/", sources.evidence_edit, name="evidence-edit"),
    path("sources/", sources.source_list, name="source-list"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
    path("sources/<int:pk>/status/", sources.source_status, name="source-status"),
    path("sources/<int:pk>/archive/", sources.source_archive, name="source-archive"),
    path("sources/<int:pk>/refetch/", sources.source_refetch, name="source-refetch"),
    path("captures/<int:pk>/snapshot/", sources.capture_snapshot, name="capture-snapshot"),
    path("captures/<int:pk>/archive/<str:name>", archives.archive_file,
         name="capture-archive-file"),
    path("captures/<int:pk>/bundle.zip", archives.archive_bundle_download,
         name="capture-archive-bundle"),
    path("captures/<int:pk>/replay/", archives.archive_replay, name="capture-archive-replay"),
    # The archived page's replay (ReplayWeb.page): its frame and workers, scoped to /replay/
    path("replay/", archives.replay_frame, name="replay-frame"),
    path("replay/sw.js", archives.replay_worker, name="replay-worker"),
    path("replay/ui.js", archives.replay_ui, name="replay-ui"),
    path("captures/<int:pk>/verify/", sources.capture_verify, name="capture-verify"),
    # Verdicts, review and notifications
    path("claims/<int:pk>/verdict/", verdicts.verdict_save, name="verdict-save"),
    path("verdicts/<int:pk>/submit/", verdicts.verdict_submit, name="verdict-submit"),
    path("verdicts/<int:pk>/request-changes/", verdicts.verdict_request_changes,
         name="verdict-request-changes"),
    path("verdicts/<int:pk>/approve/", verdicts.verdict_approve, name="verdict-approve"),
    path("verdicts/<int:pk>/publish/", verdicts.verdict_publish, name="verdict-publish"),
    path("verdicts/<int:pk>/correct/", verdicts.verdict_correct, name="verdict-correct"),
    path("review/", verdicts.review_queue, name="review-queue"),
    path("notifications/", verdicts.notifications, name="notifications"),
    path("notifications/read/", verdicts.notifications_mark_read, name="notifications-read"),
    path("notifications/preferences/", verdicts.notification_preferences,
         name="notification-preferences"),
    # Exports and reports
    path("claims/export/", exports.export, name="export"),
    path("reports/", exports.reports, name="reports"),
    path("reports/claims/", exports.report_claim_options, name="report-claim-options"),
    # Assistance: sentence suggestions and links between appearances of a claim
    path("suggestions/<int:pk>/log/", assist.suggestion_log, name="suggestion-log"),
    path("suggestions/<int:pk>/dismiss/", assist.suggestion_dismiss, name="suggestion-dismiss"),
    path("articles/<int:pk>/suggest/", assist.article_suggest, name="article-suggest"),
    path("articles/<int:pk>/suggestions/", assist.article_suggestions,
         name="article-suggestions"),
    path("claims/<int:pk>/similar/", assist.claim_similar, name="claim-similar"),
    path("claims/<int:pk>/appearance/", assist.claim_link, name="claim-link"),
    path("claims/<int:pk>/appearance/unlink/", assist.claim_unlink, name="claim-unlink"),
    # The signed-in person's API tokens
    path("account/api-tokens/", tokens.api_tokens, name="api-tokens"),
    path("account/api-tokens/new/", tokens.api_token_create, name="api-token-create"),
    path("account/api-tokens/<int:pk>/revoke/", tokens.api_token_revoke,
         name="api-token-revoke"),
    # Already fact-checked: published fact-checks that may answer a claim, and links to them
    path("claims/<int:pk>/factchecks/", factchecks.claim_factchecks, name="claim-factchecks"),
    path("claims/<int:pk>/factchecks/link/", factchecks.claim_factcheck_link_view,
         name="claim-factcheck-link"),
    path("claims/<int:pk>/factchecks/unlink/", factchecks.claim_factcheck_unlink_view,
         name="claim-factcheck-unlink"),
    path("factchecks/matches/", factchecks.text_factchecks, name="text-factchecks"),
    path("articles/<int:pk>/suggestions/factchecks/", factchecks.article_suggestion_factchecks,
         name="article-suggestion-factchecks"),
    path("suggestions/<int:pk>/log-linked/", factchecks.suggestion_log_linked,
         name="suggestion-log-linked"),
]
