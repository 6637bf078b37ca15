from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from public.urls import FEEDS

# Under /api/ an address no route serves answers the API's JSON 404 (api/views/common.py).
handler404 = "api.views.common.not_found"

urlpatterns = [
    # Browsers ask for /favicon.ico where a page names no icon (the admin, JSON responses).
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg"),
         name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("fact-checks/", include("public.urls")),
    path("feeds/", include(FEEDS)),
    path("api/v1/", include("api.urls")),
    path("", include("claims.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
