"""What readers will see change: between the published version of a fact-check and its
correction, or between the verdict a reviewer sent back and the one resubmitted to them.
One read, used by the review queue, the claim page's verdict panel and the public
corrections log, so the three can never disagree about what a correction changes.

A version shows readers its claim (statement, claimant, date claimed, quote), its rating,
summary and rationale, and the evidence it cites: each citation's stance, note and excerpt,
and the captured copy of its source readers open (VerdictCapture, recorded when a reviewer
approves the version; until then the source's latest successful capture, which approval
would record).

What a version showed is read from the recorded history as it stood at one moment: for a
correction, the published version it corrects as readers saw it just before the correction
was published (or now, while it waits); for a resubmission, the moment it was sent back.
The claim's own changes of a correction are held in Verdict.claim_changes until it is
published. The history does not record which evidence a verdict cited when it was sent back
(the verdict's evidence has no history), so a resubmission shows the evidence added since
then and every change to the evidence it cites, but not a citation dropped since.

A fixed number of queries for any number of verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.choices import CaptureStatus, Stance, VerdictState
from claims.models import Capture, Claim, Claimant, Evidence, Verdict, VerdictCapture
from claims.people import user_display
from claims.selectors.history import sent_back_versions
from claims.verdict_text import ADDED, DEL, INS, REMOVED, diff_words

# What readers see, in the order every page lists it.
CLAIM_FIELDS = (("statement", "Statement"), ("claimant", "Claimant"),
                ("claimed_on", "Date claimed"), ("quote", "Quote"))
VERDICT_FIELDS = (("rating", "Rating"), ("summary", "Summary"), ("rationale", "Rationale"))
EVIDENCE_LABEL = "Evidence cited"
# Long text is compared word by word; a name, a date or a rating is replaced whole.
WORD_FIELDS = {"statement", "quote", "summary", "rationale", "note", "excerpt"}
NONE = "none"

_CAPTURE_COLUMNS = ("id", "source_id", "status", "title", "started_at", "finished_at")


@dataclass(frozen=True)
class Citation:
    """One piece of evidence as readers see it with a version."""

    key: tuple  # the same source is the same citation, whichever evidence row cites it
    label: str
    url: str
    stance: str
    note: str
    excerpt: str
    capture: Capture | None

    @property
    def copy(self) -> str:
        """The captured copy readers open, in words."""
        return capture_words(self.capture) if self.url else ""


@dataclass
class ReaderView:
    """What readers see of one version of a fact-check."""

    statement: str
    claimant: str
    claimed_on: str
    quote: str
    rating: str
    summary: str
    rationale: str
    citations: dict[tuple, Citation]


@dataclass
class FieldChange:
    label: str
    diff: SafeString  # <del>/<ins>, each saying "removed:"/"added:" to screen readers


@dataclass
class CitationChange:
    change: str  # "added", "removed" or "changed"
    citation: Citation  # as readers will see it (as they saw it, when removed)
    details: list[FieldChange] = field(default_factory=list)


@dataclass
class ReaderChanges:
    """What readers will see change with `verdict`, compared with an earlier version."""

    verdict: Verdict
    compared_with: str  # in words; empty when there is nothing to compare with
    after: ReaderView
    fields: list[FieldChange] = field(default_factory=list)
    citations: list[CitationChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # labels of what stays as it was
    # Each time the verdict was sent back, oldest first: who, when and what they said
    # (history rows: history_user, history_date, review_comment).
    sent_back: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.citations)

    def field(self, label: str) -> FieldChange | None:
        return next((f for f in self.fields if f.label == label), None)


def capture_words(capture: Capture | None) -> str:
    if capture is None:
        return "no stored copy yet"
    when = date_format(timezone.localtime(capture.finished_at or capture.started_at), "j M Y H:i")
    return f"copy fetched {when}" + (f": “{capture.title}”" if capture.title else "")


def replaced(before: str, after: str) -> SafeString:
    """A value replaced whole: the old one struck out, the new one inserted."""
    out = []
    if before:
        out.append(f"{DEL}{REMOVED}{escape(before)}</del>")
    if after:
        out.append(f"{INS}{ADDED}{escape(after)}</ins>")
    return mark_safe(" ".join(out))  # noqa: S308 - both values escaped above


def _diff(name: str, before: str, after: str) -> SafeString:
    if name in WORD_FIELDS and before and after:
        return diff_words(before, after)
    return replaced(before or NONE, after or NONE)


def _compare(before: ReaderView, after: ReaderView) -> tuple[list, list, list]:
    fields, unchanged = [], []
    for name, label in CLAIM_FIELDS + VERDICT_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            unchanged.append(label)
        else:
            fields.append(FieldChange(label, _diff(name, old, new)))
    citations = []
    for key, new in after.citations.items():
        old = before.citations.get(key)
        if old is None:
            citations.append(CitationChange("added", new))
            continue
        details = [
            FieldChange(label, _diff(name, getattr(old, name), getattr(new, name)))
            for name, label in (("stance", "Stance"), ("note", "Note"), ("excerpt", "Excerpt"))
            if getattr(old, name) != getattr(new, name)
        ]
        if _capture_id(old) != _capture_id(new):
            details.append(FieldChange("Copy readers open", replaced(old.copy, new.copy)))
        if details:
            citations.append(CitationChange("changed", new, details))
    citations += [CitationChange("removed", old) for key, old in before.citations.items()
                  if key not in after.citations]
    if not citations:
        unchanged.append(EVIDENCE_LABEL)
    return fields, citations, unchanged


def _capture_id(citation: Citation) -> int | None:
    return citation.capture.pk if citation.capture else None


def _as_of(rows: list, moment: datetime | None, *, strictly: bool):
    """The latest of one record's history rows (oldest first) at `moment` (None: now)."""
    found = None
    for row in rows:
        if moment is not None and (row.history_date >= moment if strictly
                                   else row.history_date > moment):
            break
        found = row
    return found


def _history(model, ids: set[int], columns: tuple[str, ...]) -> dict[int, list]:
    rows: dict[int, list] = {}
    if ids:
        for row in (model.history.filter(id__in=sorted(ids))
                    .only("history_id", "id", "history_date", *columns)
                    .order_by("history_date", "history_id")):
            rows.setdefault(row.id, []).append(row)
    return rows


def _evidence_prefetch(attr: str) -> Prefetch:
    return Prefetch(attr, queryset=Evidence.objects.select_related("source")
                    .order_by("created_at", "id"), to_attr="reader_evidence")


@dataclass
class _Baseline:
    words: str
    verdict: object  # the earlier Verdict, or the history row of the version sent back
    moment: datetime | None  # when its claim and evidence are read (None: now)
    strictly: bool  # before `moment` (a publication writes the claim at that moment)
    evidence: list[Evidence]


def _baseline(v: Verdict, sent_back: list) -> _Baseline | None:
    if v.supersedes_id:
        old = v.supersedes
        moment = v.published_at if v.state == VerdictState.PUBLISHED else None
        return _Baseline(f"published version {old.version}", old, moment, True,
                         old.reader_evidence)
    if sent_back and v.state in (VerdictState.SUBMITTED, VerdictState.APPROVED):
        rec = sent_back[-1]
        when = date_format(timezone.localtime(rec.history_date), "j M Y H:i")
        return _Baseline(
            f"the version {user_display(rec.history_user, 'a reviewer')} sent back on {when}",
            rec, rec.history_date, False,
            [e for e in v.reader_evidence if e.created_at <= rec.history_date])
    return None


def reader_changes(verdicts: Iterable[Verdict]) -> dict[int, ReaderChanges]:
    """{verdict id: what readers will see change with it}: for a correction, compared with
    the published version it corrects; for a verdict resubmitted after being sent back,
    with the version sent back; otherwise nothing to compare (`compared_with` empty). The
    view readers will see (`after`) is there for every verdict."""
    verdicts = list(verdicts)
    if not verdicts:
        return {}
    prefetch_related_objects(
        verdicts, "claim__claimant", "rating", "supersedes__rating",
        _evidence_prefetch("evidence"), _evidence_prefetch("supersedes__evidence"))
    sent_back = sent_back_versions(v.pk for v in verdicts)
    baselines = {v.pk: _baseline(v, sent_back.get(v.pk, [])) for v in verdicts}
    compared = [(v, b) for v in verdicts if (b := baselines[v.pk]) is not None]

    claim_rows = _history(Claim, {v.claim_id for v, _ in compared},
                          ("statement", "claimant_id", "claimed_on", "quote"))
    evidence_rows = _history(Evidence, {e.pk for _, b in compared for e in b.evidence},
                             ("stance", "note", "excerpt"))

    # Claims as readers saw them at each baseline's moment, and as they will see them.
    claims_before = {}
    for v, b in compared:
        row = _as_of(claim_rows.get(v.claim_id, []), b.moment, strictly=b.strictly)
        claims_before[v.pk] = row if row is not None else v.claim
    claims_after = {}
    for v in verdicts:
        base = claims_before[v.pk] if v.state == VerdictState.PUBLISHED and v.pk in \
            claims_before else v.claim
        claims_after[v.pk] = _claim_values(base, v.claim_changes or {})

    claimant_ids = {c["claimant_id"] for c in claims_after.values()} | {
        c.claimant_id for c in claims_before.values()}
    claimants = {c.pk: str(c) for c in Claimant.objects.filter(
        pk__in=sorted(i for i in claimant_ids if i))} if any(claimant_ids) else {}

    # The captures readers see: those recorded with a version (VerdictCapture), else the
    # source's latest successful capture at the moment (what approval would record).
    pinned: dict[int, dict[int, Capture]] = {}
    with_pins = [v.pk for v in verdicts] + [b.verdict.pk for _, b in compared
                                             if isinstance(b.verdict, Verdict)]
    for pin in VerdictCapture.objects.filter(verdict_id__in=with_pins).select_related(
            "capture").only("verdict_id", "source_id",
                            *(f"capture__{c}" for c in _CAPTURE_COLUMNS)):
        pinned.setdefault(pin.verdict_id, {})[pin.source_id] = pin.capture
    sources = {e.source_id for v in verdicts for e in v.reader_evidence if e.source_id} | {
        e.source_id for _, b in compared for e in b.evidence if e.source_id}
    captures: dict[int, list[Capture]] = {}
    for capture in (Capture.objects.filter(source_id__in=sorted(sources),
                                           status=CaptureStatus.SUCCESS)
                    .only(*_CAPTURE_COLUMNS).order_by("started_at", "id")) if sources else ():
        captures.setdefault(capture.source_id, []).append(capture)

    def capture_at(source_id, pins, moment):
        if source_id in pins:
            return pins[source_id]
        found = None
        for capture in captures.get(source_id, []):
            if moment is not None and capture.started_at > moment:
                break
            found = capture
        return found

    def citations(evidence, pins, moment, rows=None, strictly=False):
        out = {}
        for e in evidence:
            row = _as_of(rows.get(e.pk, []), moment, strictly=strictly) if rows else None
            shown = row if row is not None else e
            key = ("source", e.source_id) if e.source_id else ("note", e.pk)
            capture = capture_at(e.source_id, pins, moment) if e.source_id else None
            if rows is None:
                e.shown_capture = capture  # as reviewed_evidence() says it
            out[key] = Citation(
                key=key, label=str(e.source) if e.source_id else "A note without a source",
                url=e.source.url if e.source_id else "",
                stance=Stance(shown.stance).label if shown.stance in Stance.values
                else shown.stance,
                note=shown.note, excerpt=shown.excerpt, capture=capture)
        return out

    def view(values: dict, rating, summary, rationale, cited) -> ReaderView:
        return ReaderView(
            statement=values["statement"], claimant=claimants.get(values["claimant_id"], ""),
            claimed_on=_date_words(values["claimed_on"]), quote=values["quote"],
            rating=rating.label if rating else "", summary=summary, rationale=rationale,
            citations=cited)

    result = {}
    for v in verdicts:
        after_moment = v.published_at if v.state == VerdictState.PUBLISHED else None
        after = view(claims_after[v.pk], v.rating, v.summary, v.rationale,
                     citations(v.reader_evidence, pinned.get(v.pk, {}), after_moment))
        b = baselines[v.pk]
        if b is None:
            result[v.pk] = ReaderChanges(verdict=v, compared_with="", after=after,
                                         sent_back=sent_back.get(v.pk, []))
            continue
        old = b.verdict
        pins = pinned.get(old.pk, {}) if isinstance(old, Verdict) else {}
        before = view(_claim_values(claims_before[v.pk], {}), old.rating, old.summary,
                      old.rationale, citations(b.evidence, pins, b.moment, evidence_rows,
                                               b.strictly))
        fields, cited, unchanged = _compare(before, after)
        result[v.pk] = ReaderChanges(verdict=v, compared_with=b.words, after=after,
                                     fields=fields, citations=cited, unchanged=unchanged,
                                     sent_back=sent_back.get(v.pk, []))
    return result


def reader_changes_of(verdict: Verdict | None) -> ReaderChanges | None:
    """reader_changes for one verdict (the claim page), or None."""
    if verdict is None:
        return None
    return reader_changes([verdict])[verdict.pk]


def _claim_values(claim, changes: dict) -> dict:
    values = {"statement": claim.statement, "claimant_id": claim.claimant_id,
              "claimed_on": claim.claimed_on, "quote": claim.quote}
    if "statement" in changes:
        values["statement"] = changes["statement"]
    if "claimant_id" in changes:
        values["claimant_id"] = changes["claimant_id"]
    if "claimed_on" in changes:
        values["claimed_on"] = date.fromisoformat(changes["claimed_on"]) \
            if changes["claimed_on"] else None
    return values


def _date_words(value) -> str:
    return date_format(value, "j F Y") if value else ""
