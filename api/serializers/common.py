"""Small shapes the resources share: a person, a rating, an error."""

from __future__ import annotations

from rest_framework import serializers

from claims.people import user_display


class PersonSerializer(serializers.Serializer):
    """A user of the desk, named as the desk names them."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user_display(user)


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    value = serializers.IntegerField(read_only=True, allow_null=True)
    colour = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    """Every refusal: what went wrong, in words, and a code; field errors by field."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ConflictSerializer(ErrorSerializer):
    """A write based on an older version than the one stored: nothing was written."""

    current_version = serializers.IntegerField(allow_null=True)
    current = serializers.DictField(allow_null=True)


class VersionSerializer(serializers.Serializer):
    """A workflow action: the lock_version of the verdict the caller is acting on."""

    lock_version = serializers.IntegerField(
        min_value=0, help_text="The verdict's lock_version as the caller last read it."
    )
