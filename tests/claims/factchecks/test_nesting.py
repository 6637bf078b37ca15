"""Fact-checks from outside that nest too deep are refused in words, in bounded memory and
time: the real command on files of nested lists and objects (measured in a child process),
every format the importer reads (JSON, JSON Lines, JSON-LD in a page), a scheduled feed,
and the scanner that measures nesting (claims/boundedjson.py) on text split anywhere."""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings

from claims import boundedjson
from claims.factchecks.formats import Broken, read_records
from claims.models import FactCheck, FactCheckFeed
from claims.services.factchecks import ImportFailed, factcheck_feed_fetch, factchecks_import_file
from tests.localserver import Response

DATA = Path(__file__).parent / "data" / "factchecks"
LIMIT = "the desk reads at most 64 levels"

# Runs the command given after the file name and writes to that file the peak resident
# memory (KiB) of the command alone: this process's only child.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)
# An address-space cap on the command, so a regression fails the test with a MemoryError
# instead of taking the machine's memory.
ADDRESS_SPACE_CAP = 3 * 1024 ** 3


def _cap_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def run_import_command(path: Path, tmp_path: Path):
    """(completed process, peak memory in MB, seconds) of `manage.py import_factchecks`."""
    peak_file = tmp_path / "peak-kib"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(peak_file),
         sys.executable, "manage.py", "import_factchecks", str(path)],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=240,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "factcheck.settings.test"},
        preexec_fn=_cap_address_space,
    )
    seconds = time.monotonic() - started
    return result, int(peak_file.read_text()) / 1024, seconds


@pytest.mark.parametrize(("name", "text", "depth"), [
    ("lists-200k.json", "[" * 100_000 + "]" * 100_000, 100_000),
    ("objects-300k.json", '{"a":' * 51_200 + "1" + "}" * 51_200, 51_200),
    ("lists-40k.json", "[" * 20_000 + "]" * 20_000, 20_000),
    ("lists-10k.json", "[" * 5_000 + "]" * 5_000, 5_000),
])
def test_the_command_refuses_deep_nesting_in_words_in_bounded_memory(tmp_path, name, text,
                                                                       depth):
    path = tmp_path / name
    path.write_text(text)
    result, peak_mb, seconds = run_import_command(path, tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert (f"Nothing could be read from {path}: It nests lists or objects {depth:,} levels "
            f"deep; {LIMIT}.") in result.stderr
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"
    assert seconds < 60


def test_records_before_the_deep_part_are_kept_and_reading_stops_there(db, tmp_path):
    good = json.loads((DATA / "claimreview_single.json").read_text())
    path = tmp_path / "then-deep.json"
    # Far enough apart that the deep part comes in a later piece of the stream.
    padding = " " * (256 * 1024)
    path.write_text("[" + json.dumps(good) + "," + padding + "[" * 3_000 + "]" * 3_000 + "]")
    report = factchecks_import_file(path)
    assert report.created == 1
    assert {p.position: p.reason for p in report.problems} == {
        "after record 1": f"From here on, the JSON nests lists or objects 3,001 levels "
                          f"deep; {LIMIT}. Reading stopped."}


def test_a_deep_object_of_one_record_is_refused(db, tmp_path):
    """Not a list: the reader goes event by event, through the same gauge."""
    path = tmp_path / "deep-record.json"
    path.write_text('{"@type": "ClaimReview", "url": "https://x.example/1", "itemReviewed": '
                    + '{"a":' * 5_000 + "1" + "}" * 5_000 + "}")
    with pytest.raises(ImportFailed, match=f"5,001 levels deep; {LIMIT}"):
        factchecks_import_file(path)


def test_a_json_lines_line_nested_too_deep_is_rejected_alone():
    good = json.dumps(json.loads((DATA / "claimreview_single.json").read_text()))
    body = f"{good}\n{'[' * 3000}{']' * 3000}\n{good}\n".encode()
    items = list(read_records(io.BytesIO(body), name="feed.jsonl"))
    broken = [i for i in items if isinstance(i, Broken)]
    assert [(b.position, b.reason) for b in broken] == [
        ("line 2", f"The line nests lists or objects 3,000 levels deep; {LIMIT}.")]
    assert len(items) == 3


def test_a_json_ld_block_nested_too_deep_is_rejected_alone():
    page = ('<html><head><script type="application/ld+json">' + "[" * 3000 + "]" * 3000
            + "</script></head><body>Text</body></html>").encode()
    items = list(read_records(io.BytesIO(page), page_url="https://x.example/"))
    assert [(i.position, i.reason) for i in items] == [
        ("JSON-LD block 1", f"The block nests lists or objects 3,000 levels deep; {LIMIT}.")]


def test_a_scheduled_feed_nested_too_deep_fails_with_the_reason_recorded(db, local_server):
    url = local_server.route("/deep.json", Response(
        body=b"[" * 5_000 + b"]" * 5_000, content_type="application/json"))
    feed = FactCheckFeed.objects.create(name="Hostile partner", url=url)
    tracemalloc.start()
    try:
        outcome = factcheck_feed_fetch(feed_id=feed.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.status == "failed" and outcome.retry_in is None
    feed.refresh_from_db()
    assert feed.last_error == (f"Nothing could be read from {url}: It nests lists or objects "
                               f"5,000 levels deep; {LIMIT}.")
    assert feed.failures == 1 and not FactCheck.objects.exists()
    assert peak < 50 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_worker_children_are_replaced_past_a_memory_limit():
    from factcheck.celery import app

    assert settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 512 * 1024  # KiB
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD


# --- the gauge -----------------------------------------------------------------------------


def _deepest_by_hand(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _value(rng: random.Random, depth: int = 0):
    awkward = ["[", "]", '{"}', "\\", '\\"', "\\\\", 'x\\"]', "plain", "é[ü"]
    roll = rng.random()
    if depth < 10 and roll < 0.3:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 10 and roll < 0.6:
        return {rng.choice(awkward): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    return rng.choice([*awkward, 1, None, True])


def test_the_gauge_ignores_brackets_in_strings_wherever_the_text_is_split():
    rng = random.Random(7)
    for _ in range(500):
        text = json.dumps(_value(rng), ensure_ascii=rng.random() < 0.5)
        data = text.encode()
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, 5)))
        gauge = boundedjson.NestingGauge()
        for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
            gauge.feed(data[start:end])
        assert gauge.deepest == _deepest_by_hand(text), (text, cuts)
        bytewise = boundedjson.NestingGauge()
        for i in range(len(data)):
            bytewise.feed(data[i:i + 1])
        assert bytewise.deepest == gauge.deepest, text


def test_loads_refuses_before_parsing():
    assert boundedjson.loads('{"a": "[[[[[", "b": [[1]]}') == {"a": "[[[[[", "b": [[1]]}
    assert boundedjson.loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(boundedjson.TooDeep, match="65 levels deep"):
        boundedjson.loads("[" * 65 + "]" * 65)
    with pytest.raises(boundedjson.TooLarge, match="larger than 1 KB"):
        boundedjson.loads("[" + "1," * 1000 + "1]", max_bytes=1024)


def test_a_stream_says_how_deep_it_goes_or_at_least(monkeypatch):
    reader = boundedjson.DepthLimitedReader(io.BytesIO(b"[" * 200_000), limit=64)
    with pytest.raises(boundedjson.TooDeep, match="It nests lists or objects 200,000 levels"):
        reader.read(1024)
    monkeypatch.setattr("claims.boundedjson.SCAN_ON_BYTES", 64 * 1024)
    reader = boundedjson.DepthLimitedReader(io.BytesIO(b"[" * 1_000_000), limit=64)
    with pytest.raises(boundedjson.TooDeep, match="at least"):
        reader.read(1024)
