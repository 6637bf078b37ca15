"""python manage.py import_factchecks PATH_OR_URL [--desk] [--quiet]

Imports fact-checks published anywhere: a JSON file (one ClaimReview, a list, a schema.org
DataFeed, a JSON-LD @graph, Google Fact Check Tools' claims:search response), JSON Lines,
or an HTML page with ClaimReview JSON-LD. A URL is fetched through the network guard, as
sources are. Files are streamed, so their size does not matter.

Prints each rejected record (where it was and why) and each warning to stderr as it goes,
then the counts. Exits non-zero only when nothing could be read. `--desk` instead records
every published fact-check of this desk (the backfill; publishing keeps them in step)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from claims.factchecks.matching import warm as warm_matching
from claims.factchecks.records import quoted
from claims.services.factchecks import (
    ImportFailed,
    Problem,
    factchecks_import,
    factchecks_sync_desk,
)


class Command(BaseCommand):
    help = "Import ClaimReview fact-checks from a file or a URL (JSON, JSON Lines, DataFeed, " \
           "HTML with JSON-LD, Google Fact Check Tools' claims:search response)."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL", nargs="?")
        parser.add_argument("--desk", action="store_true",
                            help="Record every published fact-check of this desk instead.")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only the counts, not each rejected record.")

    def handle(self, source=None, desk=False, quiet=False, **options):
        if desk == bool(source):
            raise CommandError("Give a file or a URL to import, or --desk (not both).")

        def show(problem: Problem) -> None:
            if quiet:
                return
            what = "Rejected" if problem.rejected else "Warning"
            # Hostile input chooses these words: control characters are shown escaped.
            self.stderr.write(f"{what} {problem.position}: {quoted(problem.reason, 500)}")

        try:
            report = factchecks_sync_desk(on_problem=show) if desk else factchecks_import(
                source, on_problem=show)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
        if report.created or report.updated:
            # Encode the new fact-checks now (with the embeddings extra), so the desk's pages,
            # which never encode more than FACTCHECK_ENCODE_LIMIT, match them by meaning.
            warm_matching()
        if report.warnings:
            self.stdout.write(f"{report.warnings:,} warnings (records kept).")
