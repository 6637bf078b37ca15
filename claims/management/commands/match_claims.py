"""python manage.py match_claims [TEXT] [--speaker NAME] [--file PATH] [--top N] [--json]

Finds the fact-checks already published (imported with import_factchecks, or the desk's
own) that answer a claim: one claim given as TEXT, or many with --file, one a line as
`id<TAB>text` (a line without a tab is its own text, its line number its id). The index,
and the sentence-embedding model when the [embeddings] extra is installed, load once for
the whole command. Who said a claim counts (the one who says it is often its fact-check's
subject): --speaker names them for TEXT; an embedded tweet's signature ("— Name (@handle)
date") names its author.

Prints, best first, the score, the rating, the publisher, the claim reviewed and the
address; with --json, one JSON object a line:
{"id": ..., "matches": [{"url", "claim_reviewed", "publisher", "rating", "score"}, ...]}.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from claims.factchecks.matching import match_texts
from claims.models import FactCheck

BATCH = 200


def read_queries(path: str) -> list[tuple[str, str]]:
    """(id, text) for each line of a file that is not blank: `id<TAB>text`."""
    try:
        handle = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    queries = []
    with handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            qid, tab, text = line.partition("\t")
            queries.append((qid, text) if tab else (str(number), line))
    return queries


class Command(BaseCommand):
    help = "Find fact-checks already published that answer a claim (or each line of a file)."

    def add_arguments(self, parser):
        parser.add_argument("text", metavar="TEXT", nargs="?", help="The claim to match.")
        parser.add_argument("--speaker", metavar="NAME", default="",
                            help="Who said TEXT (a claimant's name), when known.")
        parser.add_argument("--file", metavar="PATH",
                            help="One claim a line as id<TAB>text ('-' reads standard input).")
        parser.add_argument("--top", type=int, default=5, help="Matches per claim (default 5).")
        parser.add_argument("--json", action="store_true", help="One JSON object a line.")

    def handle(self, text=None, file=None, top=5, json=False, speaker="", **options):
        if bool(text) == bool(file):
            raise CommandError("Give a claim to match, or --file PATH (not both).")
        if speaker and file:
            raise CommandError("--speaker is for one claim given as TEXT: in a file, an "
                               "embedded tweet's signature names who said each line.")
        if top < 1 or top > 100:
            raise CommandError("--top must be between 1 and 100.")
        queries = read_queries(file) if file else [("1", text)]
        for start in range(0, len(queries), BATCH):
            batch = queries[start:start + BATCH]
            results = match_texts([q for _, q in batch], top=top,
                                  speakers=[speaker] * len(batch))
            rows = FactCheck.objects.in_bulk(
                [m.factcheck_id for matches in results for m in matches])
            for (qid, query), matches in zip(batch, results, strict=True):
                found = [(rows[m.factcheck_id], m) for m in matches if m.factcheck_id in rows]
                if json:
                    self.write_json(qid, found)
                else:
                    self.write_text(qid, query, found, many=bool(file))

    def write_json(self, qid, found) -> None:
        self.stdout.write(json_dumps({"id": qid, "matches": [{
            "url": fc.url,
            "claim_reviewed": fc.claim_reviewed,
            "publisher": fc.publisher_name,
            "rating": fc.textual_rating,
            "score": m.score,
        } for fc, m in found]}))

    def write_text(self, qid, query, found, *, many: bool) -> None:
        if many:
            self.stdout.write(f"{qid}: {query[:100]}")
        if not found:
            self.stdout.write("  No fact-check found.")
        for fc, m in found:
            rating = fc.textual_rating or "unrated"
            publisher = fc.publisher_name or "unknown publisher"
            self.stdout.write(f"  {m.score:.2f}  {rating} ({publisher}): "
                              f"{fc.claim_reviewed[:120]!r}")
            self.stdout.write(f"        {fc.url}")
            if m.reasons:
                self.stdout.write(f"        why: {'; '.join(m.reasons)}")


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
