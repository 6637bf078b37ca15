"""The language of every article, claim, suggestion and fact-check already on the desk,
detected as the services now detect it on every write (claims/language.py), in batches of
BATCH rows by primary key so a desk of a million claims never holds more than a batch.

- Article: its text's language, else the ISO 639-1 code of the one the page declared.
- Claim: its statement's, else its quote's, else its article's.
- ClaimSuggestion: its sentence's, else its article's; one in a language the check-worthiness
  model does not read (English only, when this was written) loses its score, as scoring now
  leaves it unscored ("not scored: Arabic").
- FactCheck: the language its publisher declared is kept; none declared, its claim's.

About 0.1-0.2 ms of detection per row: some minutes for a million claims."""

from django.db import migrations

BATCH = 1000
MODEL_LANGUAGES = {"en"}


def _batches(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _article_languages(Article, ids) -> dict[int, str]:
    return dict(Article.objects.filter(pk__in=set(ids)).values_list("pk", "language"))


def fill(apps, schema_editor):
    from claims.language import detect_language, language_code, text_language

    Article = apps.get_model("claims", "Article")
    Claim = apps.get_model("claims", "Claim")
    ClaimSuggestion = apps.get_model("claims", "ClaimSuggestion")
    FactCheck = apps.get_model("claims", "FactCheck")

    for rows in _batches(Article.objects.only("id", "body", "language")):
        for article in rows:
            article.language = text_language(article.body,
                                             fallback=language_code(article.language))
        Article.objects.bulk_update(rows, ["language"])

    for rows in _batches(Claim.objects.only("id", "statement", "quote", "article_id")):
        articles = _article_languages(Article, [c.article_id for c in rows])
        for claim in rows:
            claim.language = text_language(claim.statement, claim.quote,
                                           fallback=articles.get(claim.article_id, ""))
        Claim.objects.bulk_update(rows, ["language"])

    for rows in _batches(ClaimSuggestion.objects.only("id", "text", "article_id", "score",
                                                      "reasons")):
        articles = _article_languages(Article, [s.article_id for s in rows])
        for suggestion in rows:
            suggestion.language = (detect_language(suggestion.text)
                                   or articles.get(suggestion.article_id, ""))
            if suggestion.language and suggestion.language not in MODEL_LANGUAGES:
                suggestion.score, suggestion.reasons = None, []
        ClaimSuggestion.objects.bulk_update(rows, ["language", "score", "reasons"])

    for rows in _batches(FactCheck.objects.filter(language="").only("id", "claim_reviewed")):
        for factcheck in rows:
            factcheck.language = detect_language(factcheck.claim_reviewed)
        FactCheck.objects.bulk_update(rows, ["language"])


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0024_languages"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
