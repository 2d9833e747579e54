from django.urls import path

from . import views

app_name = "photos"

urlpatterns = [
    path("", views.GalleryView.as_view(), name="gallery"),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("map/", views.MapView.as_view(), name="map"),
    path("photos/<uuid:photo_id>/", views.PhotoDetailView.as_view(), name="detail"),
]
