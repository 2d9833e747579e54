from django.urls import path

from . import share_views

app_name = "sharing"

# token_urlsafe's alphabet is the slug converter's: letters, digits, "-" and "_".
urlpatterns = [
    path("<slug:token>/", share_views.SharedPageView.as_view(), name="page"),
    path(
        "<slug:token>/p/<uuid:photo_id>/", share_views.SharedAlbumPhotoView.as_view(), name="photo"
    ),
    path(
        "<slug:token>/files/<uuid:photo_id>/<slug:name>.webp",
        share_views.SharedRenditionView.as_view(),
        name="rendition",
    ),
    path(
        "<slug:token>/files/<uuid:photo_id>/original",
        share_views.SharedOriginalView.as_view(),
        name="original",
    ),
]
