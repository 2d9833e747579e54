"""The photos' files, streamed after a permission check: there is no public media URL.

The owner sees their own originals and renditions; staff with the "view photo" permission
(superusers included) see everyone's, because the admin lists every user's thumbnails.
Anyone else gets a 404, the same as for a photo that does not exist, so ids cannot be probed.
What follows the check is the storage backend's: the file itself from the local store, a
redirect to a presigned URL from S3.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views import View

from .models import PhotoStatus
from .selectors import photo_get_for_viewer
from .storage import RENDITION_CACHE_CONTROL, photo_storage

__all__ = ["RENDITION_CACHE_CONTROL", "OriginalView", "RenditionView"]


class OriginalView(LoginRequiredMixin, View):
    """The original as uploaded, as a download under the name it was uploaded with."""

    def get(self, request, photo_id):
        photo = photo_get_for_viewer(user=request.user, photo_id=photo_id)
        if photo.status == PhotoStatus.UPLOADING:
            raise Http404("Not uploaded yet")
        return photo_storage().original_response(photo)


class RenditionView(LoginRequiredMixin, View):
    def get(self, request, photo_id, name):
        photo = photo_get_for_viewer(user=request.user, photo_id=photo_id)
        if not photo.renditions.get(name):
            raise Http404("No such rendition")
        return photo_storage().rendition_response(photo, name, request=request)
