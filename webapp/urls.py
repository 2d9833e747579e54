from django.contrib import admin
from django.urls import include, path

from webapp import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("webapp.accounts.urls")),
    path("api/", include("webapp.photos.api_urls")),
    path("media/", include("webapp.photos.media_urls")),
    path("s/", include("webapp.photos.share_urls")),
    path("", include("webapp.photos.album_urls")),
    path("", include("webapp.photos.urls")),
]
