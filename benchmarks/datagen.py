"""Realistic desk data at any size, bulk-loaded.

Per claim there are on average 0.2 articles (about five claims each, anchored in the
article's text), 0.5 sources (with one or two captures each), about 1.3 evidence notes on
claims under research, 1.4 tags, and a verdict for claims in review or published, with
ratings spread over the whole default scale. Text comes from a news vocabulary drawn with a
Zipf distribution, so some words are everywhere and most are rare, as in real prose, which
keeps full-text search honest.

Loading goes around the ORM: PostgreSQL takes rows through COPY (psycopg 3 `cursor.copy`),
SQLite through `executemany` in one transaction. Columns the generator does not set get the
model field's default, so a new non-null field with a default needs no change here.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, models, transaction

GENERATOR_VERSION = 3
META_TABLE = "benchmark_dataset"
SEED = 20261124

# A newsroom's vocabulary: ordered roughly from common to rare, so the Zipf weights below
# make "government" frequent and "desalination" rare.
VOCABULARY = """
government said percent people year million minister new country police health tax last
report public first national children economy workers state jobs prices billion energy
schools since women housing data election budget council crime figures rate hospital
money average spending climate border since vaccine families doctors patients number
immigration pensions inflation wages rise fall increase cut record highest lowest growth
unemployment poverty debt deficit interest mortgage rent homes benefits nurses teachers
students universities fees railway trains roads bus transport airport flights emissions
carbon electricity gas oil nuclear wind solar farmers food water rivers pollution waste
plastic recycling forests wildlife fishing trade exports imports tariffs business companies
profits banks investment shares pensioners care elderly disability mental waiting lists
operations ambulance emergency vaccines cases deaths infections virus testing masks
lockdown schools exams teachers pupils classrooms funding grants councils mayor parliament
senate congress president chancellor ministers party opposition coalition voters polls
turnout ballot campaign donations lobbying corruption courts judges prisons sentences
offenders knife guns murders burglaries robberies fraud scams cyber police officers
recruitment army defence spending navy soldiers veterans refugees asylum visas migrants
citizenship population births fertility marriage divorce broadband mobile internet
social media platforms misinformation elections interference referendum treaty union
agreement sanctions aid development africa europe asia america ocean arctic drought floods
storms wildfires heatwave temperatures sea level glaciers coral biodiversity species
extinction pesticides bees organic meat dairy sugar obesity smoking alcohol drugs cannabis
overdose addiction suicide loneliness sleep diet exercise cancer diabetes dementia heart
stroke surgery prescription pharmacy antibiotics resistance outbreak measles polio malaria
tuberculosis cholera sanitation toilets electricity access literacy enrolment graduates
apprenticeships productivity automation robots artificial intelligence algorithms privacy
surveillance cameras facial recognition passports identity cards census statistics survey
estimate projection forecast official unofficial claimed doubled tripled halved soared
plummeted quadrupled fastest slowest biggest smallest richest poorest youngest oldest
desalination geothermal hydrogen batteries lithium cobalt semiconductors shipping ports
containers tolls congestion cycling pedestrians speed limits potholes bridges tunnels
""".split()
FILLER = (
    "the of to and in that is was for on with as by at from it this be are have has had not "
    "but they more than its their which were been about over under after before during"
).split()
FIRST_NAMES = (
    "Anna Ben Carla David Elena Farid Grace Hamid Ines Jonas Kemi Lars Maria Nadia Oscar "
    "Priya Quentin Rosa Samir Tara Ugo Vera Wen Xavier Yara Zoltan"
).split()
LAST_NAMES = (
    "Andersen Brown Costa Dubois Eriksen Fischer Garcia Hansen Ivanova Jensen Kowalski Larsen "
    "Martin Nowak Olsen Petrova Quinn Rossi Schmidt Tanaka Usman Vargas Weber Xu Young Zimmer"
).split()
ROLES = (
    "Prime Minister|Minister of Health|Minister of Finance|Mayor|Member of Parliament|"
    "Senator|Chief Executive|Spokesperson|Party Leader|Governor|Economist|Union Leader"
).split("|")
ORGANISATIONS = (
    "Labour Party|Conservative Party|Green Party|Liberal Democrats|Treasury|NHS England|"
    "Bank of England|NATO|European Commission|City Council|Chamber of Commerce|Trade Union"
).split("|")
OUTLETS = [
    ("Daily Ledger", "dailyledger.example"), ("The Morning Post", "morningpost.example"),
    ("City Herald", "cityherald.example"), ("National Broadcaster", "nbc-news.example"),
    ("Evening Standard-Bearer", "eveningsb.example"), ("The Weekly Review", "weeklyreview.example"),
    ("Regional Gazette", "regionalgazette.example"), ("Tribune Online", "tribune.example"),
]
SOURCE_DOMAINS = [f"{w}.example" for w in (
    "ons stats gov parliament who oecd worldbank imf eurostat census nhs police courts treasury "
    "ecb fed un unesco unicef ipcc met-office data archive library university institute "
    "thinktank foundation council ministry agency bureau registry observatory"
).split()]

CLAIM_STATUSES = [
    ("new", 0.25), ("researching", 0.20), ("in_review", 0.08), ("published", 0.42),
    ("not_checkable", 0.05),
]
RATING_WEIGHTS = {  # by slug: spread over the whole scale, fewer at the extremes
    "true": 0.12, "mostly-true": 0.15, "half-true": 0.20, "mostly-false": 0.20,
    "false": 0.25, "unverifiable": 0.08,
}
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)
N_USERS = 24
BENCH_EDITOR = "bench-editor"


def search_term() -> str:
    """A mid-frequency word for the text-search scenario: in about 1% of claims."""
    return VOCABULARY[150]


def short_statement(quote: str, limit: int = 75) -> str:
    """The claim as a short checkable statement: the quote's first words, under `limit`."""
    words, length = [], 0
    for word in quote.rstrip(".").split():
        if length + len(word) + 1 > limit:
            break
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


class Text:
    """Fast random prose from the vocabulary (Zipf weights)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        weights = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def words(self, n: int) -> list[str]:
        rng = self.rng
        picked = rng.choices(VOCABULARY, cum_weights=self.cum, k=n)
        out = []
        for word in picked:
            if rng.random() < 0.35:
                out.append(rng.choice(FILLER))
            out.append(word)
        if rng.random() < 0.5:
            out.insert(rng.randrange(len(out)), f"{rng.randint(2, 99)}")
        return out

    def sentence(self, lo: int = 8, hi: int = 18) -> str:
        words = self.words(self.rng.randint(lo, hi))
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


# --- loading ---------------------------------------------------------------------------


class Table:
    """Rows for one model's table: the given columns, every other column its default."""

    def __init__(self, model: type[models.Model], attnames: list[str]):
        self.model = model
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(attnames) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.fields = [by_attname[a] for a in attnames]
        self.defaults = []
        for field in by_attname.values():
            if field.attname in attnames:
                continue
            if field.has_default():
                value = field.get_default()
                if isinstance(field, models.JSONField):
                    value = json.dumps(value)
            elif field.null:
                value = None
            elif isinstance(field, (models.CharField, models.TextField, models.FileField)):
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{field.attname} needs a value")
            self.fields.append(field)
            self.defaults.append(value)
        self.defaults = tuple(self.defaults)
        self.columns = [f.column for f in self.fields]

    def load(self, rows: Iterable[tuple]) -> int:
        rows = (tuple(r) + self.defaults for r in rows)
        if connection.vendor == "postgresql":
            return _copy_postgres(self, rows)
        return _insert_sqlite(self, rows)


def _copy_postgres(table: Table, rows: Iterable[tuple]) -> int:
    cols = ", ".join(f'"{c}"' for c in table.columns)
    sql = f'COPY "{table.model._meta.db_table}" ({cols}) FROM STDIN'
    n = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert_sqlite(table: Table, rows: Iterable[tuple]) -> int:
    cols = ", ".join(f'"{c}"' for c in table.columns)
    marks = ", ".join("?" * len(table.columns))
    sql = f'INSERT INTO "{table.model._meta.db_table}" ({cols}) VALUES ({marks})'
    n = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


# --- the dataset -----------------------------------------------------------------------


def _postgres_secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes on `tables` that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid)
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
            [tables],
        )
        return cursor.fetchall()


def dataset_info() -> dict | None:
    """The finished dataset's description, or None if there is none (or a partial one)."""
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT info FROM {META_TABLE} WHERE generator = %s", [GENERATOR_VERSION])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def database_is_empty() -> bool:
    from claims.models import Article, Claim

    return not Claim.objects.exists() and not Article.objects.exists()


def generate(size: int, *, log: Callable[[str], None] = print) -> dict:
    """Fill an empty, migrated database with `size` claims and everything around them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from claims.models import (
        Article,
        Capture,
        Claim,
        Claimant,
        Evidence,
        Rating,
        Source,
        Tag,
        Verdict,
    )

    if not database_is_empty():
        raise RuntimeError("generate() needs an empty database; rebuild it first")
    started = time.perf_counter()
    rng = random.Random(SEED)
    text = Text(rng)
    postgres = connection.vendor == "postgresql"
    counts: dict[str, int] = {}

    def step(name: str, n: int) -> None:
        counts[name] = counts.get(name, 0) + n

    User = get_user_model()
    editors = Group.objects.filter(name="Editors").first()
    reviewers = Group.objects.filter(name="Reviewers").first()
    users = []
    for i in range(N_USERS + 1):
        username = BENCH_EDITOR if i == 0 else f"bench-user-{i:02d}"
        user = User(username=username, email=f"{username}@example.org", is_staff=(i == 0),
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(i * 7) % len(LAST_NAMES)])
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="bench-").order_by("id"))
    for i, user in enumerate(users):
        group = reviewers if i % 4 == 3 else editors
        if group:
            user.groups.add(group)
    user_ids = [u.id for u in users]
    editor_id = users[0].id
    ratings = {r.slug: r.id for r in Rating.objects.filter(scale__is_default=True)}
    rating_ids = [ratings[s] for s in RATING_WEIGHTS if s in ratings] or list(ratings.values())
    rating_weights = [RATING_WEIGHTS.get(s, 0.1) for s in RATING_WEIGHTS if s in ratings]
    if len(rating_weights) != len(rating_ids):
        rating_weights = [1.0] * len(rating_ids)

    with transaction.atomic():
        dropped: list[tuple[str, str]] = []
        if postgres:
            # Skip the deferred foreign-key triggers for millions of rows that are consistent
            # by construction (needs a superuser; without it the load is only slower).
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except Exception:  # noqa: BLE001
                log("  (no superuser: foreign keys checked row by row)")
            # Building an index once after the load is many times faster than growing it row
            # by row (GIN indexes above all); whatever indexes the migrations made come back.
            big = [m._meta.db_table for m in (Article, Claim, Evidence, Source, Capture,
                                              Verdict, Claim.history.model,
                                              Evidence.history.model)]
            dropped = _postgres_secondary_indexes(big)
            with connection.cursor() as cursor:
                for name, _definition in dropped:
                    cursor.execute(f'DROP INDEX "{name}"')

        # Tags and claimants.
        tag_names = sorted({w for w in VOCABULARY[20:200]})[:60]
        step("tags", Table(Tag, ["id", "name"]).load(
            (i + 1, name) for i, name in enumerate(tag_names)))
        n_claimants = max(50, size // 100)
        seen_names = set()
        claimant_rows = []
        for i in range(n_claimants):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name in seen_names:
                name = f"{name} {i}"
            seen_names.add(name)
            ts = START + SPAN * (i / n_claimants)
            claimant_rows.append((i + 1, name, rng.choice(ROLES), rng.choice(ORGANISATIONS),
                                  ts, ts))
        step("claimants", Table(Claimant, ["id", "name", "role", "organisation", "created_at",
                                           "updated_at"]).load(claimant_rows))
        # Some people are quoted far more than others.
        claimant_cum = []
        total = 0.0
        for rank in range(n_claimants):
            total += 1.0 / (rank + 1) ** 0.8
            claimant_cum.append(total)
        claimant_ids = list(range(1, n_claimants + 1))

        # Sources and their captures.
        n_sources = max(50, size // 2)
        source_table = Table(Source, [
            "id", "url", "normalized_url", "domain", "status", "title", "attempts",
            "status_changed_at", "last_fetched_at", "last_error_kind", "last_error",
            "created_by_id", "created_at", "updated_at"])
        capture_table = Table(Capture, [
            "id", "source_id", "status", "request_key", "attempt", "http_status", "final_url",
            "content_type", "size_bytes", "sha256", "text_sha256", "title", "text",
            "error_kind", "error_message", "started_at", "finished_at", "duration_ms"])
        sources, captures = [], []
        capture_id = 0
        for sid in range(1, n_sources + 1):
            domain = rng.choice(SOURCE_DOMAINS)
            slug = "-".join(text.words(4))[:80]
            url = f"https://{domain}/reports/{sid}/{slug}"
            ts = START + SPAN * (sid / n_sources)
            roll = rng.random()
            status = "fetched" if roll < 0.85 else ("failed" if roll < 0.95 else "pending")
            title = text.sentence(4, 9)[:-1] if status == "fetched" else ""
            error_kind = "timeout" if status == "failed" else ""
            sources.append((sid, url, url.lower(), domain, status, title,
                            0 if status == "pending" else 1,
                            ts, ts if status != "pending" else None, error_kind,
                            "Timed out after 10 s" if error_kind else "",
                            rng.choice(user_ids), ts, ts))
            tries = 0 if status == "pending" else (2 if rng.random() < 0.2 else 1)
            for attempt in range(1, tries + 1):
                capture_id += 1
                body_text = text.paragraph(4) if status == "fetched" else ""
                digest = hashlib.sha256(b"%d" % capture_id).hexdigest()
                ok = status == "fetched"
                captures.append((
                    capture_id, sid, "success" if ok else "failed", f"bench-{capture_id}",
                    attempt, 200 if ok else None, url if ok else "",
                    "text/html; charset=utf-8" if ok else "", len(body_text) * 3 if ok else None,
                    digest if ok else "", digest if ok else "", title, body_text,
                    "" if ok else "timeout", "" if ok else "Timed out after 10 s",
                    ts + timedelta(minutes=attempt), ts + timedelta(minutes=attempt, seconds=2),
                    rng.randint(200, 4000)))
            if len(sources) >= 20000:
                step("sources", source_table.load(sources))
                step("captures", capture_table.load(captures))
                sources, captures = [], []
        step("sources", source_table.load(sources))
        step("captures", capture_table.load(captures))
        log(f"  sources and captures: {time.perf_counter() - started:.1f}s")

        # Articles with their claims, and everything hanging off claims, in chunks.
        article_table = Table(Article, [
            "id", "title", "url", "outlet", "author", "published_on", "body", "body_sha256",
            "language", "status", "created_by_id", "created_at", "updated_at"])
        claim_table = Table(Claim, [
            "id", "article_id", "claimant_id", "statement", "quote", "anchor_start",
            "anchor_end", "anchor_prefix", "anchor_suffix", "claimed_on", "status",
            "not_checkable_reason", "assignee_id", "appearance_of_id", "created_by_id",
            "created_at", "updated_at"])
        tag_table = Table(Claim.tags.through, ["id", "claim_id", "tag_id"])
        evidence_table = Table(Evidence, [
            "id", "claim_id", "source_id", "stance", "note", "excerpt", "created_by_id",
            "created_at", "updated_at"])
        verdict_table = Table(Verdict, [
            "id", "claim_id", "version", "is_current", "supersedes_id", "rating_id", "summary",
            "rationale", "state", "author_id", "reviewer_id", "correction_note",
            "submitted_at", "approved_at", "published_at", "created_at", "updated_at"])
        verdict_evidence_table = Table(Verdict.evidence.through, ["id", "verdict_id",
                                                                  "evidence_id"])
        # django-simple-history's records: one for each claim's creation, one more for its
        # last status change, one for each evidence note, so the claim page's history is real.
        claim_history_table = Table(Claim.history.model, [
            "id", "article_id", "claimant_id", "statement", "quote", "anchor_start",
            "anchor_end", "anchor_prefix", "anchor_suffix", "claimed_on", "status",
            "not_checkable_reason", "assignee_id", "appearance_of_id", "created_by_id",
            "created_at", "history_id", "history_date", "history_type", "history_user_id"])
        evidence_history_table = Table(Evidence.history.model, [
            "id", "claim_id", "source_id", "stance", "note", "excerpt", "created_by_id",
            "created_at", "history_id", "history_date", "history_type", "history_user_id"])
        statuses = [s for s, _ in CLAIM_STATUSES]
        status_weights = [w for _, w in CLAIM_STATUSES]
        stances = ["supports", "refutes", "context"]
        n_articles_expected = max(1, size // 5)
        chunk: dict[str, list] = {k: [] for k in ("articles", "claims", "tags", "evidence",
                                                  "verdicts", "ve", "claim_h", "evidence_h")}
        claim_id = article_id = tag_row = evidence_id = verdict_id = ve_id = history_id = 0
        evidence_history_id = 0

        def flush() -> None:
            step("articles", article_table.load(chunk["articles"]))
            step("claims", claim_table.load(chunk["claims"]))
            step("claim_tags", tag_table.load(chunk["tags"]))
            step("evidence", evidence_table.load(chunk["evidence"]))
            step("verdicts", verdict_table.load(chunk["verdicts"]))
            step("verdict_evidence", verdict_evidence_table.load(chunk["ve"]))
            step("claim_history", claim_history_table.load(chunk["claim_h"]))
            step("evidence_history", evidence_history_table.load(chunk["evidence_h"]))
            for rows in chunk.values():
                rows.clear()

        while claim_id < size:
            article_id += 1
            outlet, outlet_domain = rng.choice(OUTLETS)
            ts = START + SPAN * min(article_id / n_articles_expected, 1.0)
            sentences = [text.sentence() for _ in range(rng.randint(12, 20))]
            body = " ".join(sentences)
            title = text.sentence(5, 10)[:-1]
            chunk["articles"].append((
                article_id, title, f"https://{outlet_domain}/news/{article_id}", outlet,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", ts.date(), body,
                hashlib.sha256(body.encode()).hexdigest(), "en", "ready",
                rng.choice(user_ids), ts, ts))
            n_claims = min(rng.randint(1, 9), size - claim_id)
            picked = sorted(rng.sample(range(len(sentences)), n_claims))
            offsets, pos = [], 0
            for s in sentences:
                offsets.append(pos)
                pos += len(s) + 1
            for j, idx in enumerate(picked):
                claim_id += 1
                quote = sentences[idx]
                start = offsets[idx]
                end = start + len(quote)
                statement = short_statement(quote)
                status = rng.choices(statuses, weights=status_weights)[0]
                created = ts + timedelta(minutes=7 * (j + 1))
                assignee = rng.choice(user_ids) if rng.random() < 0.7 else None
                claimant = (rng.choices(claimant_ids, cum_weights=claimant_cum)[0]
                            if rng.random() < 0.92 else None)
                appearance = (rng.randint(1, claim_id - 1)
                              if claim_id > 10 and rng.random() < 0.01 else None)
                row = (
                    claim_id, article_id, claimant, statement, quote, start, end,
                    body[max(0, start - 32):start], body[end:end + 32], ts.date(), status,
                    "An opinion, not a checkable fact." if status == "not_checkable" else "",
                    assignee, appearance, rng.choice(user_ids), created)
                updated = created + timedelta(hours=rng.randint(0, 72))
                chunk["claims"].append((*row, updated))
                history_id += 1
                chunk["claim_h"].append((*row[:10], "new", "", None, appearance, row[14], created,
                                         history_id, created, "+", row[14]))
                if status != "new":
                    history_id += 1
                    chunk["claim_h"].append((*row, history_id, updated, "~", assignee or row[14]))
                for tag_id in rng.sample(range(1, len(tag_names) + 1), rng.choice((0, 1, 1, 2, 3))):
                    tag_row += 1
                    chunk["tags"].append((tag_row, claim_id, tag_id))
                if status in ("new", "not_checkable"):
                    continue
                evidence_ids = []
                for source_id in rng.sample(range(1, n_sources + 1), rng.randint(1, 3)):
                    evidence_id += 1
                    evidence_ids.append(evidence_id)
                    evidence = (
                        evidence_id, claim_id, source_id, rng.choice(stances),
                        text.sentence(10, 25), text.sentence(), rng.choice(user_ids),
                        created + timedelta(hours=1))
                    chunk["evidence"].append((*evidence, evidence[-1]))
                    evidence_history_id += 1
                    chunk["evidence_h"].append((*evidence, evidence_history_id, evidence[-1],
                                                "+", evidence[6]))
                if status == "researching" and rng.random() > 0.3:
                    continue
                author = rng.choice(user_ids)
                reviewer = user_ids[(user_ids.index(author) + 1) % len(user_ids)]
                rating = rng.choices(rating_ids, weights=rating_weights)[0]
                submitted = created + timedelta(days=1)
                published = created + timedelta(days=2)
                summary = text.sentence(6, 14)[:-1]
                rationale = text.paragraph(3)
                if status == "researching":
                    row = (None, "", rationale, "draft", author, None, "", None, None, None)
                elif status == "in_review":
                    row = (rating, summary, rationale, "submitted", author, None, "", submitted,
                           None, None)
                else:
                    row = (rating, summary, rationale, "published", author, reviewer, "",
                           submitted, published, published)
                supersedes = None
                version = 1
                if status == "published" and rng.random() < 0.03:
                    # A correction: the first published version stays, no longer current.
                    verdict_id += 1
                    chunk["verdicts"].append((verdict_id, claim_id, 1, False, None, *row,
                                              created, published))
                    supersedes, version = verdict_id, 2
                    row = (*row[:6], "Corrected a figure in the rationale.", *row[7:])
                verdict_id += 1
                chunk["verdicts"].append((verdict_id, claim_id, version, True, supersedes, *row,
                                          created, published))
                if status == "published":
                    for eid in evidence_ids:
                        ve_id += 1
                        chunk["ve"].append((ve_id, verdict_id, eid))
            if len(chunk["claims"]) >= 20000:
                flush()
                log(f"  {claim_id:,} claims: {time.perf_counter() - started:.1f}s")
        flush()

        if dropped:
            log(f"  loaded in {time.perf_counter() - started:.1f}s; rebuilding "
                f"{len(dropped)} indexes")
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _name, definition in dropped:
                    cursor.execute(definition)
        if postgres:
            sql = connection.ops.sequence_reset_sql(no_style(), [
                Tag, Claimant, Source, Capture, Article, Claim, Claim.tags.through, Evidence,
                Verdict, Verdict.evidence.through, Claim.history.model,
                Evidence.history.model])
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)

    loaded = time.perf_counter() - started
    if not connection.in_atomic_block:  # VACUUM cannot run inside a transaction (tests)
        with connection.cursor() as cursor:
            # Fresh statistics and visibility maps, as autovacuum would leave a live database.
            cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    info = {
        "claims": size,
        "counts": counts,
        "users": len(user_ids),
        "bench_editor": BENCH_EDITOR,
        "editor_id": editor_id,
        "search_term": search_term(),
        "generator": GENERATOR_VERSION,
        "seed": SEED,
        "load_seconds": round(loaded, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
                       "(generator integer NOT NULL, info text NOT NULL)")
        cursor.execute(f"INSERT INTO {META_TABLE} (generator, info) VALUES (%s, %s)",
                       [GENERATOR_VERSION, json.dumps(info)])
    return info
