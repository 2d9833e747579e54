"""The photos' files, streamed after a permission check: there is no public media URL.

The owner sees their own originals and renditions; staff with the "view photo" permission
(superusers included) see everyone's, because the admin lists every user's thumbnails.
Anyone else gets a 404, the same as for a photo that does not exist, so ids cannot be probed.
With S3 storage the pages link to presigned URLs instead; an old link to these views is
answered, after the same check, with a redirect to one.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views import View

from . import links
from .models import PhotoStatus
from .selectors import photo_get_for_viewer
from .storage import photo_store, uses_s3

# Rendition URLs carry a version (links.py), so a browser may keep them for a year; only
# the browser: they are somebody's private photos.
RENDITION_CACHE_CONTROL = "private, max-age=31536000, immutable"


def _open(key: str):
    try:
        return photo_store().path(key).open("rb")
    except (FileNotFoundError, IsADirectoryError, ValueError):
        raise Http404("No such file") from None


class OriginalView(LoginRequiredMixin, View):
    """The original as uploaded, as a download under the name it was uploaded with."""

    def get(self, request, photo_id):
        photo = photo_get_for_viewer(user=request.user, photo_id=photo_id)
        if photo.status == PhotoStatus.UPLOADING:
            raise Http404("Not uploaded yet")
        if uses_s3():
            return HttpResponseRedirect(links.original_url(photo))
        response = FileResponse(
            _open(photo.original_key),
            as_attachment=True,
            filename=photo.filename,
            content_type=photo.content_type,
        )
        response["Cache-Control"] = "private, no-cache"
        return response


class RenditionView(LoginRequiredMixin, View):
    def get(self, request, photo_id, name):
        photo = photo_get_for_viewer(user=request.user, photo_id=photo_id)
        rendition = photo.renditions.get(name)
        if not rendition:
            raise Http404("No such rendition")
        if uses_s3():
            return HttpResponseRedirect(links.rendition_urls(photo)[name])
        response = FileResponse(_open(rendition["key"]), content_type="image/webp")
        response["Cache-Control"] = RENDITION_CACHE_CONTROL
        return response
