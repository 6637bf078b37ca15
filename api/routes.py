"""The API's resources (mounted at /api/v1/ by api/urls.py): one router for the viewsets."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
