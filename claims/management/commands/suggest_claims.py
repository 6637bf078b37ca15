"""python manage.py suggest_claims FILE_OR_ARTICLE_ID [--top N] [--json]

Runs the desk's check-worthiness model (claims/assist/checkworthy) on a text file (one
document, UTF-8) or on a stored article and prints the ranked sentences with their
character offsets (Python code points, so text == source[start:end]), scores and reasons;
then the sentences in a language the model was not trained on, not scored ("not scored:
Arabic"; in --json, score null and the sentence's language).
Reads only; stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.assist.ranking import ranked, score_text
from claims.language import language_name
from claims.models import Article
from claims.params import whole_number


class Command(BaseCommand):
    help = "Rank an article's sentences (a text file or an article id) by check-worthiness."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a UTF-8 text file, or the id of a stored article")
        parser.add_argument(
            "--top", type=int, default=10, help="how many sentences (default 10; 0 for all)"
        )
        parser.add_argument(
            "--json", action="store_true",
            help="print a JSON list of {start, end, text, score, language}"
        )

    def handle(self, *args, source: str, top: int, json: bool = False, **options):
        if top < 0:
            raise CommandError("--top must be 0 (all sentences) or more.")
        text, language = self._load(source)
        sentences = score_text(text, language=language)
        best = ranked(sentences, top=top or None)
        unscored = [s for s in sentences if s.score is None]
        if json:
            self.stdout.write(_json_dumps([s.as_dict() for s in best + unscored]))
            return
        if not best and not unscored:
            self.stdout.write("No sentences found.")
            return
        for position, s in enumerate(best, 1):
            self.stdout.write(f"{position:>3}. {s.score:.2f}  [{s.start}:{s.end}]  {s.text}")
            if s.reasons:
                self.stdout.write(f"       {'; '.join(s.reasons)}")
        for s in unscored:
            name = language_name(s.language) or "another language"
            self.stdout.write(f"  -  not scored: {name}  [{s.start}:{s.end}]  {s.text}")

    def _load(self, source: str) -> tuple[str, str | None]:
        """The text, and its language when known (a stored article's)."""
        path = Path(source)
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8"), None
            except UnicodeDecodeError as exc:
                raise CommandError(f"{source} is not UTF-8 text ({exc.reason}).") from exc
        if (article_id := whole_number(source)) is not None:
            article = Article.objects.filter(pk=article_id).first()
            if article is None:
                raise CommandError(f"There is no article with id {source}.")
            return article.body, article.language
        raise CommandError(f"{source} is neither a readable file nor an article id.")


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
