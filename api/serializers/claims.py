"""Claims and claimants."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import (
    NOT_ONLY_SPACE,
    IdField,
    JsonInputSerializer,
    PersonSerializer,
    RecordSerializer,
)
from claims.choices import ClaimantKind, ClaimStatus
from claims.models import Article, Claim, Claimant
from claims.people import user_display
from claims.services.claims import STATUSES_SET_BY_HAND


class ClaimantSerializer(RecordSerializer):
    class Meta:
        model = Claimant
        fields = ["id", "name", "kind", "role", "organisation", "url"]
        read_only_fields = fields


class ClaimantCreateSerializer(JsonInputSerializer):
    """Add a claimant: one per name and organisation, whatever the letter case. One already
    on file is answered as it is (200), never altered: `role` is used only for a new one."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ClaimantKind.choices, required=False,
                                   default=ClaimantKind.PERSON,
                                   help_text="A person or an organisation (schema.org Person or "
                                   "Organization in the fact-check's ClaimReview).")
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                         default="")


# The claimant as the desk's claimant picker sets it (services.claimants.claimant_from_picker):
# `claimant` by id; or `claimant_name`, which must be exactly a claimant's on file (a name
# that is not is refused with the close names); or a new claimant, asked for explicitly with
# `claimant_new` and its name, kind, role and organisation.
CLAIMANT_PICKER = {
    "claimant_name": lambda: serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="A claimant's name exactly as on file (whatever the letter case), instead "
        "of `claimant`; with `claimant_new`, the new claimant's name."),
    "claimant_new": lambda: serializers.BooleanField(
        required=False, default=False,
        help_text="Add `claimant_name` as a new claimant (one on file with that name and "
        "organisation is used as it is)."),
    "claimant_kind": lambda: serializers.ChoiceField(
        choices=ClaimantKind.choices, required=False, default=ClaimantKind.PERSON,
        help_text="The new claimant is a person or an organisation."),
    "claimant_role": lambda: serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="The new claimant's role or title."),
    "claimant_organisation": lambda: serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="The new claimant's organisation."),
}


class ArticleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class ClaimSerializer(RecordSerializer):
    """A row of the claims table."""

    article = ArticleRefSerializer(read_only=True)
    claimant = ClaimantSerializer(read_only=True, allow_null=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    rating_label = serializers.CharField(read_only=True, allow_null=True)
    rating_colour = serializers.CharField(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "statement", "language", "status", "article", "claimant", "claimed_on",
                  "assignee", "tags", "rating_label", "rating_colour", "version", "created_at",
                  "updated_at"]
        read_only_fields = fields


    def to_representation(self, claim) -> dict:
        """The same fields as the declared ones (tests/api/test_serializers.py holds them
        equal), built directly: DRF's generic walk over nested serializers cost about a
        millisecond a row, most of a 100-row page's time."""
        claimant, assignee = claim.claimant, claim.assignee
        when = self.fields["created_at"]
        return {
            "id": claim.pk,
            "statement": claim.statement,
            "language": claim.language,
            "status": claim.status,
            "article": {"id": claim.article_id, "title": claim.article.title},
            "claimant": None if claimant is None else {
                "id": claimant.pk, "name": claimant.name, "kind": claimant.kind,
                "role": claimant.role, "organisation": claimant.organisation,
                "url": claimant.url},
            "claimed_on": claim.claimed_on.isoformat() if claim.claimed_on else None,
            "assignee": None if assignee is None else {
                "id": assignee.pk, "name": user_display(assignee)},
            "tags": [tag.name for tag in claim.tags.all()],
            "rating_label": claim.rating_label,
            "rating_colour": claim.rating_colour,
            "version": claim.version,
            "created_at": when.to_representation(claim.created_at),
            "updated_at": when.to_representation(claim.updated_at),
        }


class ClaimDetailSerializer(ClaimSerializer):
    created_by = PersonSerializer(read_only=True, allow_null=True)

    def to_representation(self, claim) -> dict:
        return serializers.ModelSerializer.to_representation(self, claim)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "quote", "anchor_start", "anchor_end",
                  "not_checkable_reason", "appearance_of", "created_by"]
        read_only_fields = fields


class ClaimLogSerializer(JsonInputSerializer):
    """Log a claim anchored to its article's exact words. `start` and `end` place the quote
    in the body; without them the quote is looked for in the text, as the desk's form does
    when its page has no JavaScript."""

    article = IdField(queryset=Article.objects.all())
    quote = serializers.CharField(trim_whitespace=False)
    start = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                     default=None)
    end = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    statement = serializers.CharField(max_length=300)
    claimant = IdField(
        queryset=Claimant.objects.all(), required=False, allow_null=True, default=None)
    claimant_name = CLAIMANT_PICKER["claimant_name"]()
    claimant_new = CLAIMANT_PICKER["claimant_new"]()
    claimant_kind = CLAIMANT_PICKER["claimant_kind"]()
    claimant_role = CLAIMANT_PICKER["claimant_role"]()
    claimant_organisation = CLAIMANT_PICKER["claimant_organisation"]()
    claimed_on = serializers.DateField(required=False, allow_null=True, default=None)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                 default=list, max_length=50)
    save_anyway = serializers.BooleanField(
        required=False, default=False,
        help_text="Log it even if it may already be logged (its words overlap a claim of "
        "the article, or its statement is near-identical to one on the desk): otherwise "
        "such a claim is refused with 409 and the claims found.")


class ClaimUpdateSerializer(JsonInputSerializer):
    """Edit a claim's description. `version` is the claim's version as the caller read it;
    fields left out keep their value."""

    version = serializers.IntegerField(min_value=0)
    statement = serializers.CharField(max_length=300, required=False)
    claimant = IdField(
        queryset=Claimant.objects.all(), required=False, allow_null=True)
    claimant_name = CLAIMANT_PICKER["claimant_name"]()
    claimant_new = CLAIMANT_PICKER["claimant_new"]()
    claimant_kind = CLAIMANT_PICKER["claimant_kind"]()
    claimant_role = CLAIMANT_PICKER["claimant_role"]()
    claimant_organisation = CLAIMANT_PICKER["claimant_organisation"]()
    claimed_on = serializers.DateField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                 max_length=50)


class ClaimStatusSerializer(JsonInputSerializer):
    """Move a claim between new, researching and not checkable (with a reason)."""

    version = serializers.IntegerField(min_value=0)
    # In review and published follow the claim's verdict: nobody sets them by hand.
    status = serializers.ChoiceField(choices=[
        (status.value, status.label) for status in STATUSES_SET_BY_HAND])
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    # Patterns, not enums: the schema's enum hook would merge these with the field's own.
    alternatives = [
        ({"status": {"pattern": f"^(?:{ClaimStatus.NEW}|{ClaimStatus.RESEARCHING})$"}}, []),
        ({"status": {"pattern": f"^{ClaimStatus.NOT_CHECKABLE}$"},
          "reason": {"pattern": NOT_ONLY_SPACE}}, ["reason"]),
    ]
    alternatives_refusal = {"reason": "Say why the claim cannot be checked."}
