"""benchmarks.match_bench runs end to end on a small SQLite dataset and reports what make
bench prints: the import rate and the match latency."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.eval.claim_retrieval import DATA

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (DATA / "verified_claims.docs.tsv").exists(),
                    reason="needs ../shared/data/claim-retrieval")
def test_match_bench_small_sqlite(tmp_path):
    out = tmp_path / "matching.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.match_bench", "--sqlite", "300", "--postgres", "0",
         "--queries", "5", "--data-dir", str(tmp_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run,) = json.loads(out.read_text())["runs"]
    assert run["vendor"] == "sqlite" and run["size"] == 300 and run["queries"] == 5
    assert run["import_rate"] > 0 and run["p50_ms"] > 0
    assert "match p50" in proc.stdout and "records/s" in proc.stdout
