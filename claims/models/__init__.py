"""The desk's data model, one module per area. Rules the database can enforce are constraints
on the models; rules that need a user or a workflow live in claims/services/.

Import models from here (`from claims.models import Claim`); migrations refer to this package.
"""

from claims.models.archives import CaptureArchive, archive_dir
from claims.models.articles import Article
from claims.models.assist import ClaimSuggestion
from claims.models.base import TimeStamped
from claims.models.claims import Claim, Claimant, ClaimantMerge, Tag
from claims.models.factchecks import (
    ClaimFactCheckLink,
    FactCheck,
    FactCheckFeed,
    FactCheckOrigin,
)
from claims.models.notifications import Notification
from claims.models.sources import Capture, Evidence, Source, snapshot_upload_to
from claims.models.tokens import ApiToken, TokenScope
from claims.models.verdicts import (
    PublishedEdit,
    Rating,
    RatingScale,
    Verdict,
    VerdictAppearance,
    VerdictCapture,
    VerdictEditor,
)
from claims.models.webhooks import (
    SUBSCRIBABLE_EVENTS,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "ApiToken",
    "SUBSCRIBABLE_EVENTS",
    "Article",
    "Capture",
    "CaptureArchive",
    "Claim",
    "ClaimSuggestion",
    "Claimant",
    "ClaimantMerge",
    "DeliveryState",
    "Evidence",
    "ClaimFactCheckLink",
    "FactCheck",
    "FactCheckFeed",
    "FactCheckOrigin",
    "Notification",
    "PublishedEdit",
    "Rating",
    "RatingScale",
    "Source",
    "Tag",
    "TimeStamped",
    "TokenScope",
    "Verdict",
    "VerdictAppearance",
    "VerdictCapture",
    "VerdictEditor",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "archive_dir",
    "snapshot_upload_to",
]
