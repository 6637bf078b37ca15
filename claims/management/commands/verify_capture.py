"""python manage.py verify_capture ID [ID ...]

Verifies the evidence archive of each capture ID (the number on the source page's captures
table): every file re-hashed against the manifest, the manifest against the hash recorded
when it was made, and the RFC 3161 token against the manifest, the time-stamping
authority's certificates kept with it, and the capture's own time. Prints "verified" or
each problem in words naming the file, records the result on the archive (the source page
shows it), and exits with status 1 if any archive fails.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from claims.archiving import archive_verify
from claims.models import CaptureArchive


class Command(BaseCommand):
    help = "Verify the evidence archive of one or more captures (exit status 1 on failure)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="+", type=int, metavar="ID",
                            help="capture number, as on the source page")

    def handle(self, *args, ids, **options):
        archives = {a.capture_id: a for a in CaptureArchive.objects.filter(capture_id__in=ids)}
        failed = 0
        for capture_id in ids:
            archive = archives.get(capture_id)
            if archive is None:
                self.stderr.write(f"Capture {capture_id}: no evidence archive (the capture "
                                  f"does not exist or was never archived).")
                failed += 1
                continue
            problems = archive_verify(archive)
            if problems:
                failed += 1
                self.stdout.write(f"Capture {capture_id}: FAILED")
                for problem in problems:
                    self.stdout.write(f"  - {problem}")
            else:
                when = (f", timestamped {archive.timestamped_at:%Y-%m-%d %H:%M:%S} UTC by "
                        f"{archive.timestamp_authority}" if archive.timestamped_at else
                        " (no trusted timestamp)")
                self.stdout.write(f"Capture {capture_id}: verified: {len(archive.files)} "
                                  f"files{when}")
        if failed:
            raise CommandError(f"{failed} of {len(ids)} capture(s) did not verify.",
                               returncode=1)
