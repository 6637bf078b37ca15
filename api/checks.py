"""System checks for the API's settings: a rate that does not parse would otherwise fail
every API request; `manage.py check` (and every start) says so instead."""

from __future__ import annotations

from django.core import checks
from rest_framework.settings import api_settings

from api.throttling import parse_rate


@checks.register(checks.Tags.security)
def check_throttle_rates(app_configs=None, **kwargs):
    errors = []
    for scope, rate in api_settings.DEFAULT_THROTTLE_RATES.items():
        if rate is None:
            continue
        try:
            limit, _ = parse_rate(rate)
            if limit < 1:
                raise ValueError(rate)
        except (ValueError, KeyError, IndexError):
            errors.append(checks.Error(
                f"The API rate limit {scope!r} is {rate!r}: write it as a number of requests "
                "per second, minute, hour or day, such as 600/minute "
                f"(API_RATE_{scope.upper()}).",
                id="api.E001"))
    return errors
