"""The public site's app configuration."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: published fact-checks, corrections, methodology and feeds. It has no
    models of its own; it reads the claims app's published verdicts through its selectors."""

    name = "public"
    verbose_name = "Public site"
