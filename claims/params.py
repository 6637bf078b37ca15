"""Reading ids and text from query strings and form posts. Browsers and scripts can send
anything: "²" passes str.isdigit() yet int() refuses it, "٣" is a digit to int(), numbers
can exceed what the database stores, and PostgreSQL refuses NUL characters in a query."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# Primary keys are signed 64-bit at most (BigAutoField); no row has a larger id.
MAX_ID = 2**63 - 1


def whole_number(value) -> int | None:
    """The number from 0 to MAX_ID that `value` spells in ASCII digits, or None."""
    value = str(value if value is not None else "").strip()
    if not value or len(value) > 19 or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def object_id(value) -> int | None:
    """The id `value` spells in ASCII digits, or None when it is not one."""
    number = whole_number(value)
    return number if number else None


def has_nul(value: str) -> bool:
    """True for text no stored value can equal (and PostgreSQL refuses in a query)."""
    return "\x00" in value


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that refuses a value that is not an id before asking the
    database: Django's own field checks each value alone, then looks them all up with one
    `pk__in` query, which overflows on a number too large for the database."""

    def _check_values(self, value):
        for pk in value:
            if object_id(pk) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
