from django.urls import path

from . import media_views

app_name = "media"

urlpatterns = [
    path(
        "photos/<uuid:photo_id>/original",
        media_views.OriginalView.as_view(),
        name="original",
    ),
    path(
        "photos/<uuid:photo_id>/<slug:name>.webp",
        media_views.RenditionView.as_view(),
        name="rendition",
    ),
]
