"""Reads of the recorded history (django-simple-history): a claim's audit trail, every
change of the claim, its verdicts and its evidence as entries saying who, when, what and
before -> after; and for the review queue, each time a verdict was sent back for changes
(what readers will see change is built from these in claims/selectors/changes.py).

Each read costs a fixed number of queries whatever the length of the history: one per
history table, then one per kind of foreign key to turn ids into names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Window
from django.db.models.functions import Lag

from claims.choices import VerdictState
from claims.models import Claim, Claimant, Evidence, Rating, Source, Verdict
from claims.people import user_display

# Bookkeeping columns that change on every save and say nothing to a reader.
SKIPPED = {"id", "created_at", "updated_at", "lock_version", "version", "body_sha256"}

USER_FIELDS = {"author_id", "reviewer_id", "assignee_id", "created_by_id"}

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

LIMIT = 200


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class AuditEntry:
    when: datetime
    who: str
    subject: str
    action: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _tracked_fields(model) -> list:
    # Only what the history table records (a model may exclude fields from its history).
    recorded = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields
            if f.attname in recorded and f.attname not in SKIPPED]


def _show(value, f, names: dict) -> str:
    attname = f.attname
    if value is None or value == "":
        return "—"
    if attname in names:
        return names[attname].get(value, f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _entries(records: list, model, subject_of, names: dict) -> list[AuditEntry]:
    fields = _tracked_fields(model)
    previous: dict[int, object] = {}
    entries = []
    # Oldest first, so each record is compared with the one before it for the same object.
    for rec in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(rec.id)
        changes = []
        for f in fields:
            new = getattr(rec, f.attname)
            old = getattr(before, f.attname) if before is not None else None
            if before is None and rec.history_type == "+" and new in (None, "", False):
                continue
            if before is not None and old == new:
                continue
            if before is None and rec.history_type != "+":
                continue  # history starts mid-life (e.g. imported): nothing to compare
            changes.append(
                Change(str(f.verbose_name), _show(old, f, names), _show(new, f, names))
            )
        previous[rec.id] = rec
        user = rec.history_user
        entries.append(
            AuditEntry(
                when=rec.history_date,
                who=user_display(user, "system"),
                subject=subject_of(rec),
                action=ACTIONS.get(rec.history_type, rec.history_type),
                reason=rec.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def claim_audit_trail(claim: Claim, records: dict | None = None) -> list[AuditEntry]:
    """Newest first: the claim's own history, its verdicts' and its evidence's. `records`:
    the claim's and evidence's history records when the page has read them already
    (claim_history_records, the same order and at least LIMIT of each)."""
    if records is not None and records.get("claim_pk") == claim.pk:
        claim_records = records["claim"][:LIMIT]
        evidence_records = records["evidence"][:LIMIT]
    else:
        claim_records = list(
            Claim.history.filter(id=claim.pk).select_related("history_user")
            .order_by("-history_date", "-history_id")[:LIMIT]
        )
        evidence_records = list(
            Evidence.history.filter(claim_id=claim.pk).select_related("history_user")
            .order_by("-history_date", "-history_id")[:LIMIT]
        )
    verdict_records = list(
        Verdict.history.filter(claim_id=claim.pk).select_related("history_user")
        .order_by("-history_date", "-history_id")[:LIMIT]
    )
    records = claim_records + verdict_records + evidence_records

    def ids(*attnames):
        return {getattr(r, a) for r in records for a in attnames if getattr(r, a, None)}

    users = get_user_model().objects.filter(pk__in=ids(*USER_FIELDS))
    user_names = {u.pk: user_display(u) for u in users}
    names = {a: user_names for a in USER_FIELDS}
    names["rating_id"] = dict(
        Rating.objects.filter(pk__in=ids("rating_id")).values_list("pk", "label")
    )
    claimants = Claimant.objects.filter(pk__in=ids("claimant_id"))
    names["claimant_id"] = {c.pk: str(c) for c in claimants}
    names["source_id"] = {s.pk: str(s) for s in Source.objects.filter(pk__in=ids("source_id"))}
    # A verdict's "supersedes" points at another version of the same claim.
    names["supersedes_id"] = {r.id: f"version {r.version}" for r in verdict_records}

    entries = (
        _entries(claim_records, Claim, lambda r: "Claim", names)
        + _entries(verdict_records, Verdict, lambda r: f"Verdict version {r.version}", names)
        + _entries(
            evidence_records, Evidence,
            lambda r: "Evidence: " + (names["source_id"].get(r.source_id) or (r.note or "")[:60]),
            names,
        )
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def claim_audit_count(claim: Claim, records: dict | None = None) -> int:
    """How many entries claim_audit_trail gives (one per history record, at most LIMIT of
    each kind), for the claim page's closed "Audit history" fold: the trail itself is read
    when the fold opens. With the page's `records` (claim_history_records), one COUNT."""
    if records is not None and records.get("claim_pk") == claim.pk:
        known = len(records["claim"][:LIMIT]) + len(records["evidence"][:LIMIT])
    else:
        known = (Claim.history.filter(id=claim.pk)[:LIMIT].count()
                 + Evidence.history.filter(claim_id=claim.pk)[:LIMIT].count())
    return known + Verdict.history.filter(claim_id=claim.pk)[:LIMIT].count()


def sent_back_versions(verdict_ids) -> dict[int, list]:
    """For each verdict, the history rows recorded when a reviewer sent it back for changes,
    oldest first: the version as the reviewer saw it then, with the reviewer and their
    comment (`history_user`, `review_comment`, `history_date`). One query for any number of
    verdicts.

    A send-back is the history row where the verdict's state became "changes requested"
    (read from the recorded state, not from the row's change reason)."""
    in_order = [F("history_date").asc(), F("history_id").asc()]
    sent_back: dict[int, list] = {}
    # Only the window's condition goes to SQL: Django applies a plain condition before the
    # window, which would compare each sent-back row with the one sent back before it.
    for rec in (
        Verdict.history.filter(id__in=list(verdict_ids))
        .annotate(state_before=Window(Lag("state"), partition_by=[F("id")], order_by=in_order))
        .filter(state_before__in=[VerdictState.SUBMITTED, VerdictState.APPROVED])
        .select_related("rating", "history_user")
        .order_by(*in_order)
    ):
        if rec.state == VerdictState.CHANGES_REQUESTED:
            sent_back.setdefault(rec.id, []).append(rec)
    return sent_back
