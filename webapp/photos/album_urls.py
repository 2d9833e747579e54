from django.urls import path

from . import album_views

app_name = "albums"

urlpatterns = [
    path("albums/", album_views.AlbumListView.as_view(), name="list"),
    path("albums/<uuid:album_id>/", album_views.AlbumDetailView.as_view(), name="detail"),
    path(
        "photos/<uuid:photo_id>/organise/",
        album_views.PhotoOrganiseView.as_view(),
        name="photo-organise",
    ),
    path("shared-links/", album_views.SharedLinksView.as_view(), name="links"),
]
