"""Small shapes the resources share: a person, a rating, an error; and the base of every
request body (JsonInputSerializer)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import models
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from rest_framework import serializers

from claims.params import object_id
from claims.people import user_display
from claims.services.sources import normalized_fetch_url


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


# Text with something in it besides white space: a character that is not one of those
# Python's str.strip() removes, spelled out so the schema's pattern (ECMA-262) and the
# server (Python's re) mean the same characters.
NOT_ONLY_SPACE = (r"[^\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
                  r"\u2028\u2029\u202f\u205f\u3000]")
# No NUL character anywhere (no stored text holds one; DRF's text fields refuse it).
NO_NUL = r"^[^\u0000]*$"
# Text with more than white space in it, and no NUL.
SOME_TEXT = (r"^[^\u0000]*" + NOT_ONLY_SPACE.replace("[^", r"[^\u0000", 1)
             + r"[^\u0000]*$")
BLANK = "Write something here: not only spaces, and no NUL character."

TEXT = "Give text (a JSON string)."
WHOLE_NUMBER = "Give a whole number (a JSON number without quotes)."
NUMBER = "Give a number (a JSON number without quotes)."
TRUE_OR_FALSE = "Give true or false (without quotes)."
LIST = "Give a list (a JSON array)."


def json_type_error(field: serializers.Field, value) -> str | None:
    """Why `value`, as the body gives it, is not of the JSON type the schema says `field`
    takes (None when it is, or when the field decides alone, as for null). DRF's fields
    would read 0 as false, 7 as "7" and "7" as 7: the API takes each as the schema says."""
    if value is None:
        return None
    if isinstance(field, serializers.ManyRelatedField):
        if not isinstance(value, list):
            return LIST
        return next((json_type_error(field.child_relation, item) for item in value
                     if json_type_error(field.child_relation, item)), None)
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return LIST
        return next((json_type_error(field.child, item) for item in value
                     if json_type_error(field.child, item)), None)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else TRUE_OR_FALSE
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return None if isinstance(value, int) and not isinstance(value, bool) else WHOLE_NUMBER
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else NUMBER
    if isinstance(field, serializers.CharField | serializers.ChoiceField
                  | serializers.DateField | serializers.DateTimeField
                  | serializers.SlugRelatedField):
        return None if isinstance(value, str) else TEXT
    return None


def _text_pattern(field: serializers.Field) -> None:
    """Say, in the field's schema (a pattern) and its checks, what text DRF's field takes:
    no NUL, and, if it trims white space and refuses a blank, more than white space."""
    if isinstance(field, serializers.CharField) and not field.read_only:
        some = field.trim_whitespace and not field.allow_blank
        field.validators.append(RegexValidator(SOME_TEXT if some else NO_NUL, message=BLANK))
    if isinstance(field, serializers.ListField):
        _text_pattern(field.child)


class JsonInputSerializer(serializers.Serializer):
    """A request body: each field must be of the JSON type the schema gives it (a string
    for text and dates, a number for ids and counts, true or false, a list), or the body
    is refused field by field before any field reads its value. Text holds no NUL, and text
    a field requires more than white space.

    `alternatives`: what the body must also be, one of several shapes at least (JSON Schema
    `anyOf`, in the schema too), for a rule between fields, e.g. a note or a source. Each is
    (properties, required): a JSON Schema shape whose properties say a `pattern` or
    `"type": "integer"`; `alternatives_refusal` says, by field, why a body fitting none
    of them is refused."""

    alternatives: list[tuple[dict, list[str]]] = []
    alternatives_refusal: dict[str, str] = {}

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            _text_pattern(field)
        return fields

    def validate(self, attrs):
        if self.alternatives and not any(self._fits(attrs, properties, required)
                                         for properties, required in self.alternatives):
            raise serializers.ValidationError(self.alternatives_refusal)
        return attrs

    def _fits(self, attrs, properties: dict, required: list[str]) -> bool:
        """Whether the body read (`attrs`, as sent) fits one alternative: its required
        fields present, and each of its properties as it says."""
        data = self.initial_data
        if any(name not in data for name in required):
            return False
        for name, rule in properties.items():
            if name not in data:
                continue
            value = data[name]
            if "pattern" in rule and not (isinstance(value, str)
                                          and re.search(rule["pattern"], value)):
                return False
            if rule.get("type") == "integer" and not isinstance(value, int):
                return False
        return True

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                problem = json_type_error(field, data[name])
                if problem:
                    errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# A web address as the API takes it: http or https, a host name of up to four labels (an
# ASCII one, punycode for others), no port, no user name, and a path and query in the
# characters RFC 3986 allows unencoded. Every such address is one the desk's URL checks
# (Django's URLValidator, claims/fetching/urls.py and the fetch guard's) accept, and the
# schema says exactly this pattern, so a client can tell before sending whether an address
# will be taken. The hosts FETCH_ALLOWED_PRIVATE_HOSTS names (tests and local demos only;
# never in production) are taken too, with any port.
HOST_NAME = (r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,3}"
             r"(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9]{1,20})")
PORT = (r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]"
        r"|6553[0-5]))?")
PATH = r"(?:[/?#][A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?"
NOT_A_WEB_ADDRESS = ("Give a web address: http:// or https://, a host name such as "
                     "www.example.org (no port, no user name), then the path.")


def web_address_pattern() -> str:
    hosts = [HOST_NAME]
    for host in settings.FETCH_ALLOWED_PRIVATE_HOSTS:
        host = host.strip().strip("[]")
        hosts.append(re.escape(f"[{host}]" if ":" in host else host) + PORT)
    return f"https?://(?:{'|'.join(hosts)}){PATH}"


class WebAddressField(serializers.CharField):
    """A web address matching web_address_pattern(), taken exactly as sent (no spaces
    trimmed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and not re.fullmatch(web_address_pattern(), value):
            raise serializers.ValidationError(_fetch_refusal(value) or NOT_A_WEB_ADDRESS,
                                              code="invalid")
        return value


def _fetch_refusal(value: str) -> str:
    """What fetching the address would say of it (a port it never connects to, a private
    address), so the API refuses in the same words as the desk; "" when fetching has no
    objection of its own."""
    try:
        normalized_fetch_url(value)
    except DjangoValidationError as exc:
        return " ".join(exc.messages)
    return ""


class WebAddressFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WebAddressField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction,
                                                   bypass_extensions=True)
        # drf-spectacular says "or empty" itself for a field that allows blank (a oneOf).
        schema["pattern"] = f"^{web_address_pattern()}$"
        return schema


class AlternativesSchema(OpenApiSerializerExtension):
    """A request body's schema with its `alternatives` (an anyOf)."""

    target_class = JsonInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if self.target.alternatives:
            # A copy: the schema's hooks rewrite what they are given (enums become refs).
            schema["anyOf"] = [{"properties": copy.deepcopy(properties),
                                **({"required": required} if required else {})}
                               for properties, required in self.target.alternatives]
        return schema


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
    """Refused for the records as they are now: nothing was written. A write based on an
    older version than the one stored also has the stored version and record."""

    current_version = serializers.IntegerField(allow_null=True, required=False)
    current = serializers.DictField(allow_null=True, required=False)


class VersionSerializer(JsonInputSerializer):
    """A workflow action: the lock_version of the verdict the caller is acting on."""

    lock_version = serializers.IntegerField(
        min_value=0, help_text="The verdict's lock_version as the caller last read it."
    )
