"""Claim retrieval on CLEF-2020 CheckThat! Task 2 (../shared/data/claim-retrieval): import the
10,373 claims Snopes verified through the import path (as ClaimReview records, into a
throwaway SQLite database), match the tweets with match_claims' code path (match_texts),
and score the rankings as the lab does: MAP@5, MRR, P@1 (one relevant claim per tweet).

    python -m benchmarks.eval.claim_retrieval [--data DIR] [--split dev] [--lexical-only]
        [--encoder auto|stock|tuned|both] [--latency]

With the [embeddings] extra, the encoder is the one `make train-matching` fine-tuned on the
training pairs (FACTCHECK_ENCODER_PATH) when it is built, else the stock all-MiniLM-L6-v2
(--encoder auto); --encoder tuned or both builds it first when it is missing. Each encoder
is measured twice: the whole matching path, and its vectors alone (the nearest claim + title
by cosine, as the dense index ranks them). The output names the encoder. When `make
train-crossencoder` has built the cross-encoder (FACTCHECK_CROSSENCODER_PATH), each encoder's
matching is measured without the stage and with it ("+ cross-encoder"). --latency also
matches each tweet alone and reports the median and 95th percentile time a query.

Run by `make eval` in a child process of its own (it sets up Django on a fresh database).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "claim-retrieval"
csv.field_size_limit(10_000_000)


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:]  # the header


def load_claims(data: Path) -> list[tuple[str, str, str]]:
    """(vclaim_id, vclaim, title)."""
    return [(r[0], r[1], r[2] if len(r) > 2 else "") for r in
            read_tsv(data / "verified_claims.docs.tsv")]


def load_split(data: Path, split: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The tweets (id, text) and {tweet id: the verified claim's id}."""
    tweets = [(r[0], r[1]) for r in read_tsv(data / split / "tweets.queries.tsv")]
    qrels = {}
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == "1":
            qrels[parts[0]] = parts[2]
    return tweets, qrels


def claim_url(vclaim_id: str) -> str:
    return f"https://claims.example.org/snopes/{vclaim_id}"


def write_claimreview_jsonl(claims, path: Path) -> None:
    """The verified claims as ClaimReview records, one a line (what import_factchecks
    reads): claimReviewed = the claim, name = the article's headline."""
    with path.open("w", encoding="utf-8") as out:
        for vid, vclaim, title in claims:
            out.write(json.dumps({
                "@context": "https://schema.org", "@type": "ClaimReview",
                "url": claim_url(vid), "claimReviewed": vclaim, "name": title,
                "author": {"@type": "Organization", "name": "Snopes",
                           "url": "https://www.snopes.com"},
            }, ensure_ascii=False) + "\n")


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    # The verified claims' MiniLM vectors, kept between runs (keyed by the text's digest).
    settings.FACTCHECK_VECTORS_PATH = vectors_file(None)


def vectors_file(encoder, directory: Path | None = None) -> Path:
    """Where the verified claims' vectors made by `encoder` (None: stock) are kept: a file
    per encoder, so switching encoders does not encode the 10,373 claims again each time."""
    slug = "stock" if encoder is None or not encoder.tuned else \
        "tuned-" + encoder.identity.rsplit(":", 1)[-1][:12]
    return (directory or ROOT / "var" / "bench") / f"claim-retrieval-vectors-{slug}.npz"


def use_encoder(encoder, directory: Path | None = None) -> None:
    """Match with `encoder` from now on (a claims.factchecks.embedding.Encoder)."""
    from django.conf import settings

    from claims.factchecks import dense
    from claims.factchecks.embedding import reset_embedder

    reset_embedder(encoder)
    dense.reset_dense_index()
    settings.FACTCHECK_VECTORS_PATH = vectors_file(encoder, directory)


def import_claims(claims, workdir: Path) -> tuple[dict[int, str], float]:
    """Import through the import path; {factcheck id: vclaim id}, records a second."""
    from claims.models import FactCheck
    from claims.services.factchecks import factchecks_import_file

    feed = workdir / "snopes.jsonl"
    write_claimreview_jsonl(claims, feed)
    report = factchecks_import_file(feed)
    by_url = {claim_url(vid): vid for vid, _, _ in claims}
    ids = {fid: by_url[url] for fid, url in FactCheck.objects.values_list("id", "url")}
    return ids, report.rate


def metrics(rankings: list[list[str]], gold: list[str], k: int = 5) -> dict[str, float]:
    """MAP@k, MRR and P@1 with one relevant item per query (the lab's measures)."""
    ap = rr = p1 = 0.0
    for ranked, answer in zip(rankings, gold, strict=True):
        if answer in ranked:
            rank = ranked.index(answer) + 1
            rr += 1.0 / rank
            ap += 1.0 / rank if rank <= k else 0.0
            p1 += rank == 1
    n = len(gold) or 1
    return {"map5": ap / n, "mrr": rr / n, "p1": p1 / n}


def evaluate(tweets, qrels, ids: dict[int, str], *, top: int = 100,
             latency: bool = False) -> dict[str, float]:
    """The lab's measures of match_texts on these tweets; with `latency`, each tweet is also
    matched alone (as a desk page asks for one claim) and the median and 95th percentile
    of those times reported."""
    import numpy as np

    from claims.factchecks.matching import match_texts

    queries = [(tid, text) for tid, text in tweets if tid in qrels]
    started = time.monotonic()
    results = match_texts([text for _, text in queries], top=top)
    seconds = time.monotonic() - started
    if latency:
        times = []
        for _, text in queries:
            started = time.perf_counter()
            match_texts([text], top=5)
            times.append(1000 * (time.perf_counter() - started))
    rankings = [[ids[m.factcheck_id] for m in matches] for matches in results]
    out = metrics(rankings, [qrels[tid] for tid, _ in queries])
    out["queries"] = len(queries)
    out["ms_per_query"] = 1000 * seconds / max(len(queries), 1)
    out["recall_at_top"] = sum(qrels[tid] in r for (tid, _), r in
                               zip(queries, rankings, strict=True)) / max(len(queries), 1)
    if latency and queries:
        out["p50_ms"] = float(np.percentile(times, 50))
        out["p95_ms"] = float(np.percentile(times, 95))
    return out


def without_answer(tweets, qrels, ids: dict[int, str], *, top: int = 5):
    """Each tweet's candidates with the verified claim it repeats taken out of the pool:
    what matching offers for a claim nobody has checked yet, the usual case on a desk.
    (queries, the same as the models read them, who said each, candidate lists) ready for
    the re-ranker (features.score_candidates), as match_texts makes them."""
    from claims.factchecks.lexindex import get_index
    from claims.factchecks.matching import candidates_for, query_forms, speaker_for

    index = get_index()
    index.refresh()
    asked = [(tid, text) for tid, text in tweets if tid in qrels]
    queries, spoken = query_forms(index, [text for _, text in asked])
    candidates = candidates_for(index, queries, top=top + 1, embeddings=_embeddings_on(),
                                spoken=spoken)
    return queries, spoken, [speaker_for(text) for _, text in asked], [
        [c for c in cands if ids[c.factcheck_id] != qrels[tid]]
        for (tid, _), cands in zip(asked, candidates, strict=True)]


def _embeddings_on() -> bool:
    from claims.factchecks.features import use_embeddings

    return use_embeddings()


def panel_figures(tweets, qrels, ids: dict[int, str]) -> dict[str, float]:
    """What the desk's "Already fact-checked" panels would show (the matches worth showing:
    scoring at least PANEL_MIN_SCORE, not on the speaker's name alone; at most PANEL_TOP):
    how often the right fact-check is among them when one exists, and how often a panel
    shows something when none does (false alarms)."""
    from claims.factchecks import features as feat
    from claims.factchecks.lexindex import get_index
    from claims.factchecks.matching import match_texts
    from claims.selectors.factchecks import PANEL_MIN_SCORE, PANEL_TOP, worth_showing

    queries = [(tid, text) for tid, text in tweets if tid in qrels]
    shown = [[m for m in found if worth_showing(m)][:PANEL_TOP]
             for found in match_texts([text for _, text in queries], top=PANEL_TOP)]
    found = sum(any(ids[m.factcheck_id] == qrels[tid] for m in panel)
                for (tid, _), panel in zip(queries, shown, strict=True))
    first = sum(bool(panel) and ids[panel[0].factcheck_id] == qrels[tid]
                for (tid, _), panel in zip(queries, shown, strict=True))
    texts, spoken, speakers, candidates = without_answer(tweets, qrels, ids)
    scored = feat.score_candidates(get_index(), texts, candidates, embeddings=_embeddings_on(),
                                   spoken=spoken, speakers=speakers)
    alarms = sum(any(worth_showing(s) for s in rows) for rows in scored)
    n = max(len(queries), 1)
    return {"panel_found": found / n, "panel_first": first / n, "false_alarms": alarms / n,
            "threshold": PANEL_MIN_SCORE}


def evaluate_dense(tweets, qrels, ids: dict[int, str], *, top: int = 100) -> dict[str, float]:
    """The encoder's vectors alone: each tweet's nearest claims (cosine with the claim plus
    with the title), no words, no re-ranker."""
    from claims.factchecks.dense import get_dense_index
    from claims.factchecks.embedding import get_embedder
    from claims.factchecks.matching import query_text

    dense = get_dense_index()
    dense.refresh(force=True)
    queries = [(tid, query_text(text)) for tid, text in tweets if tid in qrels]
    vectors = get_embedder().encode([q for _, q in queries])
    rankings = [[ids[fid] for fid, _ in dense.search(v, limit=top)] for v in vectors]
    out = metrics(rankings, [qrels[tid] for tid, _ in queries])
    out["queries"] = len(queries)
    out["recall_at_top"] = sum(qrels[tid] in r for (tid, _), r in
                               zip(queries, rankings, strict=True)) / max(len(queries), 1)
    return out


def encoders(choice: str, data: Path) -> list:
    """The encoders --encoder asks for, building the fine-tuned one when it is missing."""
    from claims.factchecks.embedding import STOCK, Encoder, choose_encoder, encoder_path

    stock = Encoder(None, STOCK)
    if choice == "stock":
        return [stock]
    if choice == "auto":
        return [choose_encoder()]
    tuned = choose_encoder()
    if not tuned.tuned:
        from benchmarks import matching_train

        print(f"Fine-tuning the encoder into {encoder_path()} (make train-matching)...")
        matching_train.build_encoder(data, encoder_path())
        tuned = choose_encoder()
    return [stock, tuned] if choice == "both" else [tuned]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.eval.claim_retrieval")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--split", action="append", dest="splits")
    p.add_argument("--lexical-only", action="store_true")
    p.add_argument("--encoder", choices=("auto", "stock", "tuned", "both"), default="auto",
                   help="auto: the fine-tuned encoder when `make train-matching` has built it, "
                        "else the stock one; tuned/both build it when missing")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--latency", action="store_true",
                   help="also match each tweet alone and report p50/p95 ms a query")
    args = p.parse_args(argv)
    if not (args.data / "verified_claims.docs.tsv").exists():
        print(f"Claim retrieval skipped: no data in {args.data}.")
        return 0
    splits = args.splits or ["dev"]
    with tempfile.TemporaryDirectory(prefix="claim-retrieval-") as tmp:
        workdir = Path(tmp)
        setup_django(workdir / "eval.sqlite3")
        claims = load_claims(args.data)
        ids, rate = import_claims(claims, workdir)
        from claims.factchecks.features import use_embeddings

        figures = {"imported": len(ids), "import_rate": rate, "systems": {}, "encoders": {}}
        embeddings = not args.lexical_only and use_embeddings()
        os.environ["FACTCHECK_MATCHING_EMBEDDINGS"] = "off"
        for split in splits:
            tweets, qrels = load_split(args.data, split)
            measured = evaluate(tweets, qrels, ids, latency=args.latency)
            measured.update(panel_figures(tweets, qrels, ids))
            figures["systems"].setdefault("lexical", {})[split] = measured
        if embeddings:
            from claims.factchecks import crossencoder

            os.environ["FACTCHECK_MATCHING_EMBEDDINGS"] = "auto"
            stage = crossencoder.load_stage()
            if stage.model is not None:
                print(f"Cross-encoder: {stage.model.path} (re-reads the top "
                      f"{stage.model.top})", flush=True)
            for encoder in encoders(args.encoder, args.data):
                use_encoder(encoder)
                label = "tuned" if encoder.tuned else "stock"
                figures["encoders"][label] = encoder.name
                print(f"Encoder ({label}): {encoder.name}", flush=True)
                for split in splits:
                    tweets, qrels = load_split(args.data, split)
                    crossencoder.reset_stage(crossencoder.Stage(None))
                    measured = evaluate(tweets, qrels, ids, latency=args.latency)
                    measured.update(panel_figures(tweets, qrels, ids))
                    figures["systems"].setdefault(f"lexical + emb. ({label})", {})[split] = \
                        measured
                    if stage.model is not None:
                        crossencoder.reset_stage(stage)
                        measured = evaluate(tweets, qrels, ids, latency=args.latency)
                        measured.update(panel_figures(tweets, qrels, ids))
                        figures["systems"].setdefault(f"+ cross-encoder ({label})", {})[
                            split] = measured
                    figures["systems"].setdefault(f"emb. alone ({label})", {})[split] = \
                        evaluate_dense(tweets, qrels, ids)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"Claim retrieval (CLEF-2020 CheckThat! Task 2): {figures['imported']:,} verified "
          f"claims imported at {figures['import_rate']:,.0f} records/s")
    print(f"{'system':<24} {'split':<6} {'MAP@5':>6} {'MRR':>6} {'P@1':>6} {'R@100':>6} "
          f"{'ms/query':>9} {'panel':>6} {'first':>6} {'alarms':>6}")
    for name, by_split in figures["systems"].items():
        for split, m in by_split.items():
            ms = f"{m['ms_per_query']:9.1f}" if "ms_per_query" in m else f"{'':>9}"
            panel = (f"{m['panel_found']:6.3f} {m['panel_first']:6.3f} {m['false_alarms']:6.3f}"
                     if "panel_found" in m else "")
            latency = (f" p50 {m['p50_ms']:.0f} ms, p95 {m['p95_ms']:.0f} ms"
                       if "p50_ms" in m else "")
            print(f"{name:<24} {split:<6} {m['map5']:6.3f} {m['mrr']:6.3f} {m['p1']:6.3f} "
                  f"{m['recall_at_top']:6.3f} {ms} {panel}{latency}")
    from claims.selectors.factchecks import PANEL_MIN_SCORE

    print(f"panel: the right fact-check is in the desk's panel (score >= {PANEL_MIN_SCORE}, top "
          "3); first: it is the first shown; alarms: with the right one taken out of the pool, "
          "the panel still shows something.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
