"""Admins edit rating scales (order, colour, definition) in the Django admin; verdicts are
shown there with their history but change only through the workflow."""

import pytest
from django.urls import reverse

from claims.models import Rating, RatingScale
from tests.factories import UserFactory
from tests.verdict_setup import make_roles, make_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def scale_form(scale, **changes):
    """The scale's change form as the admin would post it, with `changes` per rating slug."""
    ratings = list(scale.ratings.order_by("position", "id"))
    data = {
        "name": scale.name, "slug": scale.slug, "description": scale.description,
        "is_default": "on" if scale.is_default else "",
        "ratings-TOTAL_FORMS": len(ratings), "ratings-INITIAL_FORMS": len(ratings),
        "ratings-MIN_NUM_FORMS": 0, "ratings-MAX_NUM_FORMS": 1000,
    }
    for i, r in enumerate(ratings):
        row = {"id": r.pk, "scale": scale.pk, "position": r.position, "label": r.label,
               "slug": r.slug, "value": "" if r.value is None else r.value,
               "colour": r.colour, "definition": r.definition}
        row.update(changes.get(r.slug, {}))
        data.update({f"ratings-{i}-{k}": v for k, v in row.items()})
    return data


def test_admin_reorders_recolours_and_redefines_levels(admin_client):
    scale = RatingScale.objects.get(is_default=True)
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    page = admin_client.get(url).content.decode()
    assert 'type="color"' in page
    response = admin_client.post(url, scale_form(scale, **{
        "unverifiable": {"position": 0, "colour": "#112233",
                         "definition": "We could not settle it."},
    }))
    assert response.status_code == 302, response.content.decode()[:2000]
    first = scale.ratings.order_by("position", "id").first()
    assert (first.slug, first.colour, first.definition) == (
        "unverifiable", "#112233", "We could not settle it.")
    methodology = admin_client.get(reverse("public:methodology")).content.decode()
    assert "We could not settle it." in methodology and "#112233" in methodology


def test_bad_colour_is_refused_in_words(admin_client):
    scale = RatingScale.objects.get(is_default=True)
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client.post(url, scale_form(scale, true={"colour": "green"}))
    assert response.status_code == 200
    assert "Give the colour as # and six hex digits" in response.content.decode()
    assert Rating.objects.get(scale=scale, slug="true").colour == "#1a7f37"


def test_a_second_default_scale_is_refused_in_words(admin_client):
    response = admin_client.post(reverse("admin:claims_ratingscale_add"), {
        "name": "Other", "slug": "other", "description": "", "is_default": "on",
        "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
        "ratings-MIN_NUM_FORMS": 0, "ratings-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 200
    assert "is the default scale; untick it there first" in response.content.decode()
    assert not RatingScale.objects.filter(slug="other").exists()


def test_rating_changelist_edits_position_and_colour_in_place(admin_client):
    page = admin_client.get(reverse("admin:claims_rating_changelist")).content.decode()
    assert 'name="form-0-position"' in page and 'name="form-0-colour"' in page


def test_verdicts_are_read_only_in_admin_with_their_history(admin_client):
    users = make_roles()
    verdict = make_verdict("submitted", author=users["editor_author"])
    page = admin_client.get(reverse("admin:claims_verdict_change", args=[verdict.pk]))
    html = page.content.decode()
    assert 'name="state"' not in html and 'name="rationale"' not in html
    assert admin_client.get(reverse("admin:claims_verdict_add")).status_code == 403
    history = admin_client.get(reverse("admin:claims_verdict_history", args=[verdict.pk]))
    assert history.status_code == 200
