from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo desk: two NATO/Libya articles, their claimants, anchored claims, "
        "sources and the demo users editor, reviewer and admin. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even when DEBUG is off (the demo users have well-known passwords).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production and not getattr(
            settings, "DEMO_ALLOWED", False
        ):
            raise CommandError(
                "Refusing to create demo users with well-known passwords while DEBUG is off. "
                "Pass --allow-production if this really is a demo server."
            )
        report = load_demo()
        self.stdout.write(self.style.SUCCESS(str(report)))
        logins = ", ".join(f"{u} / {p}" for u, p, *_ in DEMO_USERS)
        self.stdout.write(f"Demo logins: {logins}")
