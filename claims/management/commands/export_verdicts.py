"""python manage.py export_verdicts --format csv|json|jsonl|claimreview|google-pages|pdf
[--since DATE] [--until DATE] [--status S] [--output FILE]

Writes to stdout unless --output is given; streams every format but PDF, so a million
claims export in constant memory."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from claims.choices import ClaimStatus
from claims.exporters import claimreview, google_pages, json, report, stream
from claims.selectors.exports import claim_export_selection
from claims.selectors.verdicts import claimreview_verdicts_for_claims

FORMATS = ("csv", "json", "jsonl", "claimreview", "google-pages", "pdf")


def _date(option: str, value: str | None):
    if value is None:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(f"{option} must be a date like 2026-01-31, not {value!r}.")
    return parsed


class Command(BaseCommand):
    help = ("Export claims with their verdicts as CSV, JSON, JSON Lines, ClaimReview, Google Fact "
            "Check Tools pages (ClaimReviewMarkupPage) or PDF.")

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, help=f"One of: {', '.join(FORMATS)}.")
        parser.add_argument("--since", help="Fact-checks first published on or after this date.")
        parser.add_argument("--until", help="Fact-checks first published on or before this date.")
        parser.add_argument(
            "--status", help=f"Only claims with this status: {', '.join(ClaimStatus.values)}."
        )
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, format, since, until, status, output, **options):
        fmt = format
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
        since, until = _date("--since", since), _date("--until", until)
        if since and until and since > until:
            raise CommandError("--until is before --since: no day can be in that range.")
        if status is not None and status not in ClaimStatus.values:
            raise CommandError(
                f"Unknown status {status!r}: choose one of {', '.join(ClaimStatus.values)}."
            )
        params = {"status": status} if status else {}
        try:
            if fmt == "pdf":
                data = report.report_data(
                    scope="dates", since=since, until=until, filters=params, published_only=True
                )
                self._write_bytes(report.render_pdf(data), output)
                return
            claims = claim_export_selection(
                params, published_since=since, published_until=until
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if fmt == "csv":
            body = stream.csv_stream(claims, bom=bool(output))
        elif fmt == "json":
            body = stream.json_stream(claims)
        elif fmt == "jsonl":
            body = stream.jsonl_stream(claims)
        elif fmt == "google-pages":
            verdicts = claimreview_verdicts_for_claims(claims)
            body = json.json_array_chunks(google_pages.google_pages_records(verdicts))
        else:
            verdicts = claimreview_verdicts_for_claims(claims)
            body = json.json_array_chunks(claimreview.claimreview_records(verdicts))
        self._write_text(body, output)

    def _write_text(self, body, output):
        if output:
            try:
                with Path(output).open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(body)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
            self.stderr.write(f"Wrote {output}.")
        else:
            stream = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
            for part in body:
                stream.write(part)
            stream.flush()

    def _write_bytes(self, data: bytes, output):
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
            self.stderr.write(f"Wrote {output} ({len(data)} bytes).")
        else:
            buffer = getattr(self.stdout._out, "buffer", None)
            if buffer is None:
                raise CommandError("PDF is binary: give --output FILE.")
            buffer.write(data)
            buffer.flush()
