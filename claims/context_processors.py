from django.conf import settings


def desk(request):
    """Values every page's layout needs."""
    return {"ORGANISATION_NAME": settings.ORGANISATION_NAME}
