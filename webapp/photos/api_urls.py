from django.urls import path

from . import api, api_albums

app_name = "api"

urlpatterns = [
    path("uploads", api.UploadsView.as_view(), name="uploads"),
    path("uploads/<uuid:photo_id>/file", api.UploadFileView.as_view(), name="upload-file"),
    path("photos", api.PhotoListView.as_view(), name="photos"),
    path("photos/delete", api.PhotosDeleteView.as_view(), name="photos-delete"),
    path("photos/<uuid:photo_id>", api.PhotoView.as_view(), name="photo"),
    path("photos/failed", api.FailedPhotosView.as_view(), name="photos-failed"),
    path(
        "photos/<uuid:photo_id>/complete", api.UploadCompleteView.as_view(), name="photo-complete"
    ),
    path("photos/<uuid:photo_id>/abandon", api.UploadAbandonView.as_view(), name="photo-abandon"),
    path("photos/<uuid:photo_id>/retry", api.UploadRetryView.as_view(), name="photo-retry"),
    path("photos/<uuid:target_id>/share", api_albums.PhotoShareView.as_view(), name="photo-share"),
    path("albums", api_albums.AlbumsView.as_view(), name="albums"),
    path("albums/<uuid:album_id>", api_albums.AlbumView.as_view(), name="album"),
    path(
        "albums/<uuid:album_id>/photos", api_albums.AlbumPhotosView.as_view(), name="album-photos"
    ),
    path("albums/<uuid:album_id>/order", api_albums.AlbumOrderView.as_view(), name="album-order"),
    path("albums/<uuid:target_id>/share", api_albums.AlbumShareView.as_view(), name="album-share"),
    path("shares", api_albums.SharesView.as_view(), name="shares"),
    path("shares/<int:share_id>", api_albums.ShareView.as_view(), name="share"),
    path("map", api.MapPointsView.as_view(), name="map"),
    path(
        "photos/<uuid:photo_id>/neighbours", api.NeighboursView.as_view(), name="photo-neighbours"
    ),
]
