"""factory_boy factories for the desk's models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import models
from claims.anchoring import anchor_quote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass")


class EditorFactory(UserFactory):
    """A member of the Editors group: the services check who writes (claims/permissions)."""

    @factory.post_generation
    def editors_group(user, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            user.groups.add(*Group.objects.filter(name="Editors"))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    title = factory.Sequence(lambda n: f"Article {n}")
    outlet = "Example Times"
    body = (
        "The minister said unemployment fell by 12 per cent last year. "
        "Critics said the figure was misleading. It is clear that the end is in sight."
    )


class ClaimantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claimant

    name = factory.Sequence(lambda n: f"Claimant {n}")
    role = "Minister"
    organisation = "Government"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claim
        exclude = ("anchor",)

    article = factory.SubFactory(ArticleFactory)
    claimant = factory.SubFactory(ClaimantFactory)
    quote = "unemployment fell by 12 per cent last year"
    statement = factory.Sequence(lambda n: f"Unemployment fell by 12% ({n})")
    anchor = factory.LazyAttribute(lambda c: anchor_quote(c.article.body, c.quote))
    anchor_start = factory.LazyAttribute(lambda c: c.anchor.start)
    anchor_end = factory.LazyAttribute(lambda c: c.anchor.end)
    anchor_prefix = factory.LazyAttribute(lambda c: c.anchor.prefix)
    anchor_suffix = factory.LazyAttribute(lambda c: c.anchor.suffix)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    url = factory.Sequence(lambda n: f"https://example.org/report-{n}")
    normalized_url = factory.LazyAttribute(lambda s: s.url)
    domain = "example.org"


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Evidence

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    stance = "refutes"
    note = "The official statistics say otherwise."


def default_rating(slug: str = "false") -> models.Rating:
    return models.Rating.objects.get(scale__slug="default", slug=slug)


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Verdict

    claim = factory.SubFactory(ClaimFactory)
    author = factory.SubFactory(UserFactory)
    rating = factory.LazyFunction(default_rating)
    summary = "The figure is wrong."
    rationale = "Official statistics show unemployment **rose**."


class PublishedVerdictFactory(VerdictFactory):
    """A current, published verdict (the workflow's end state), for exports and feeds."""

    class Meta:
        skip_postgeneration_save = True

    state = "published"
    is_current = True
    reviewer = factory.SubFactory(UserFactory)
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def appearances(self, create, extracted, **kwargs):
        # As verdict_approve does: the claim's appearances at review are what readers see.
        if create:
            from claims.services.published import verdict_record_appearances

            verdict_record_appearances(verdict=self)


class CaptureFactory(factory.django.DjangoModelFactory):
    """A successful capture of a source."""

    class Meta:
        model = models.Capture

    source = factory.SubFactory(SourceFactory)
    status = "success"
    http_status = 200
    content_type = "text/html"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    started_at = factory.LazyFunction(timezone.now)
