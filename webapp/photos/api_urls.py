from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("uploads", api.UploadsView.as_view(), name="uploads"),
    path("uploads/<uuid:photo_id>/file", api.UploadFileView.as_view(), name="upload-file"),
    path("photos", api.PhotoListView.as_view(), name="photos"),
    path("photos/<uuid:photo_id>", api.PhotoView.as_view(), name="photo"),
    path("photos/failed", api.FailedPhotosView.as_view(), name="photos-failed"),
    path(
        "photos/<uuid:photo_id>/complete", api.UploadCompleteView.as_view(), name="photo-complete"
    ),
    path("photos/<uuid:photo_id>/abandon", api.UploadAbandonView.as_view(), name="photo-abandon"),
    path("photos/<uuid:photo_id>/retry", api.UploadRetryView.as_view(), name="photo-retry"),
]
