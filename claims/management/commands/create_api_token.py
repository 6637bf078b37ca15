"""python manage.py create_api_token USERNAME [--name NAME] [--scope read|write]
[--expires-days N]

Makes a personal API token for a user, as they could on the desk's API tokens page, and
prints it (only the token, on stdout, so a script can keep it: TOKEN=$(...)). It is shown
this once; the desk stores only its digest."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from claims.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Make a personal API token for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--scope", choices=["read", "write"], default="read",
                            help="read (GET), or write (every method; includes read).")
        parser.add_argument("--expires-days", type=int, default=None,
                            help="The token stops working after this many days.")

    def handle(self, *args, username, name, scope, expires_days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        expires_at = None
        if expires_days is not None:
            expires_at = timezone.now() + timedelta(days=expires_days)
        try:
            token, plain = api_token_create(user=user, name=name, scopes=[scope],
                                            expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(f"Token “{token.name}” for {username} ({token.scopes}); copy it now, "
                          "it is not shown again:")
        self.stdout.write(plain)
