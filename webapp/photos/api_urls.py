from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("uploads", api.UploadsView.as_view(), name="uploads"),
    path("uploads/<uuid:photo_id>/file", api.UploadFileView.as_view(), name="upload-file"),
    path("photos", api.PhotoListView.as_view(), name="photos"),
    path("photos/delete", api.PhotosDeleteView.as_view(), name="photos-delete"),
    path("photos/<uuid:photo_id>", api.PhotoView.as_view(), name="photo"),
    path(
        "photos/<uuid:photo_id>/neighbours", api.NeighboursView.as_view(), name="photo-neighbours"
    ),
]
