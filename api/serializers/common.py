"""Small shapes the resources share: a person, a rating, an error."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from claims.params import object_id
from claims.people import user_display


class RecordSerializer(serializers.ModelSerializer):
    """A stored record as read: a URL field may be empty (an article pasted in without
    one), so it is plain text here rather than a "uri" no empty string could match."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: serializers.CharField,
    }


class IdField(serializers.PrimaryKeyRelatedField):
    """A record by its id: an id past the database's integers is "no such record", like any
    unknown one (never an overflow)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool) and object_id(data) is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


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
