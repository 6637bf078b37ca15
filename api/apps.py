"""The public API's app configuration."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The versioned REST API under /api/v1/ (Django REST framework). It has no models of its
    own: tokens and webhook subscriptions live in the claims app, and every write goes through
    claims.services, as the desk's pages do."""

    name = "api"
    verbose_name = "API"

    def ready(self):
        from api import checks  # noqa: F401  (registers the settings checks)
