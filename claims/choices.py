"""Status enums shared by models, services, filters and templates."""

from django.db import models


class ArticleStatus(models.TextChoices):
    READY = "ready", "Ready"
    PENDING = "pending", "Waiting to fetch"
    FETCHING = "fetching", "Fetching"
    FAILED = "failed", "Fetch failed"


class ClaimStatus(models.TextChoices):
    NEW = "new", "New"
    RESEARCHING = "researching", "Researching"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    NOT_CHECKABLE = "not_checkable", "Not checkable"


class SourceStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FETCHING = "fetching", "Fetching"
    FETCHED = "fetched", "Fetched"
    FAILED = "failed", "Failed"


class CaptureStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"


class FetchErrorKind(models.TextChoices):
    """Why a fetch failed. Permanent kinds are never retried."""

    NONE = "", "No error"
    BLOCKED = "blocked", "Refused by the network guard"
    INVALID_URL = "invalid_url", "Invalid URL"
    TIMEOUT = "timeout", "Timed out"
    CONNECTION = "connection", "Connection failed"
    HTTP_CLIENT = "http_4xx", "Client error (4xx)"
    HTTP_SERVER = "http_5xx", "Server error (5xx)"
    RATE_LIMITED = "rate_limited", "Rate limited (429)"
    TOO_LARGE = "too_large", "Too large"
    TOO_MANY_REDIRECTS = "redirects", "Too many redirects"
    UNSUPPORTED = "unsupported", "Unsupported content type"
    STORAGE = "storage", "Snapshot could not be stored"
    EXTRACTION = "extraction", "Text extraction failed"
    OTHER = "other", "Other error"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class VerdictState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class ClaimantKind(models.TextChoices):
    """Who a claimant is: published as a schema.org Person or Organization."""

    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class ClaimantMergeState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class ArchiveStatus(models.TextChoices):
    """Where a capture's evidence archive stands (claims.models.CaptureArchive)."""

    PENDING = "pending", "Waiting to be archived"
    WORKING = "working", "Being archived"
    DONE = "done", "Archived"
    FAILED = "failed", "Not archived"


class ArchiveVerification(models.TextChoices):
    UNCHECKED = "", "Not verified yet"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Verification failed"
