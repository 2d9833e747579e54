"""What a sharing link's visitor sees: no account, renditions only, its own look.

Every answer (the page, each image, the 404 of a dead link) is rate-limited per client
address in the shared cache, carries `X-Robots-Tag: noindex` and sends no Referer onward:
the token is in the URL, and neither search engines nor other sites may learn it. GPS and
the original stay hidden unless the owner allowed them on this very link.
"""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views import View
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from . import album_selectors, share_links, share_selectors
from .storage import photo_storage

PAGE_CACHE_CONTROL = "private, no-cache"  # a revoked link must stop working at once
FILE_CACHE_CONTROL = "private, max-age=300"  # short: the link may be revoked
GONE_TEMPLATE = "sharing/gone.html"


class SharedView(View):
    """Rate limit, token lookup and the headers every shared answer carries."""

    rate_setting = "THROTTLE_SHARED_PAGES"

    def dispatch(self, request, *args, **kwargs):
        # Counted before the token is looked up: guessing tokens is what this stops.
        if is_ratelimited(
            request,
            group=f"sharing:{self.rate_setting}",
            key="ip",
            rate=getattr(settings, self.rate_setting),
            method=ALL,
            increment=True,
        ):
            response = TemplateResponse(request, "sharing/limited.html", status=429)
            response["Retry-After"] = str(_window_seconds(getattr(settings, self.rate_setting)))
        else:
            try:
                self.link = share_selectors.share_get_by_token(token=kwargs["token"])
                response = super().dispatch(request, *args, **kwargs)
            except Http404:
                response = TemplateResponse(request, GONE_TEMPLATE, status=404)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response.setdefault("Cache-Control", PAGE_CACHE_CONTROL)
        return response

    def image(self, photo, names: str) -> dict | None:
        """src, srcset, width and height of the renditions `names` (smallest first)."""
        urls = share_links.rendition_urls(self.kwargs["token"], photo)
        available = [(n, photo.renditions[n]) for n in names.split() if n in urls]
        if not available:
            return None
        largest = available[-1][1]
        return {
            "src": urls[available[0][0]],
            "srcset": ", ".join(f"{urls[n]} {info['width']}w" for n, info in available),
            "width": largest["width"],
            "height": largest["height"],
            "alt": photo.alt,
        }

    def photo_context(self, photo) -> dict:
        link = self.link
        return {
            "photo": photo,
            "image": self.image(photo, "medium large"),
            "show_location": link.include_location and photo.has_gps,
            "download_url": share_links.original_url(self.kwargs["token"], photo)
            if link.allow_download
            else "",
        }


class SharedPageView(SharedView):
    """/s/<token>/: the shared photo, or the shared album's photos in the album's order."""

    def get(self, request, token):
        link = self.link
        context = {"link": link, "token": token}
        if link.photo_id:
            photo = share_selectors.shared_photo(link=link, photo_id=link.photo_id)
            return TemplateResponse(
                request, "sharing/photo.html", {**context, **self.photo_context(photo)}
            )
        photos = album_selectors.album_ready_photos(album=link.album).defer(
            "exif", "metadata", "jobs"
        )
        cards = [(photo, self.image(photo, "thumb medium")) for photo in photos]
        return TemplateResponse(
            request, "sharing/album.html", {**context, "album": link.album, "cards": cards}
        )


class SharedAlbumPhotoView(SharedView):
    """/s/<token>/p/<photo_id>/: one photo of a shared album, bigger."""

    def get(self, request, token, photo_id):
        if not self.link.album_id:
            raise Http404("Not an album link")
        photo = share_selectors.shared_photo(link=self.link, photo_id=photo_id)
        context = {"link": self.link, "token": token, "album": self.link.album}
        return TemplateResponse(
            request, "sharing/photo.html", {**context, **self.photo_context(photo)}
        )


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _window_seconds(rate: str) -> int:
    """The window of a django-ratelimit rate ("60/m", "100/5m"): when asking again helps."""
    period = rate.partition("/")[2]
    digits = "".join(c for c in period if c.isdigit())
    return int(digits or 1) * _PERIODS.get(period[-1:], 60)


def _open(key: str):
    try:
        return photo_storage().path(key).open("rb")
    except (FileNotFoundError, IsADirectoryError, ValueError):
        raise Http404("No such file") from None


class SharedRenditionView(SharedView):
    rate_setting = "THROTTLE_SHARED_FILES"

    def get(self, request, token, photo_id, name):
        photo = share_selectors.shared_photo(link=self.link, photo_id=photo_id)
        rendition = (photo.renditions or {}).get(name)
        if not rendition:
            raise Http404("No such rendition")
        if photo_storage().presigns_links:
            return HttpResponseRedirect(share_links.rendition_urls(token, photo)[name])
        response = FileResponse(_open(rendition["key"]), content_type="image/webp")
        response["Cache-Control"] = FILE_CACHE_CONTROL
        return response


class SharedOriginalView(SharedView):
    rate_setting = "THROTTLE_SHARED_FILES"

    def get(self, request, token, photo_id):
        if not self.link.allow_download:
            raise Http404("Download not allowed")
        photo = share_selectors.shared_photo(link=self.link, photo_id=photo_id)
        if photo_storage().presigns_links:
            return HttpResponseRedirect(share_links.original_url(token, photo))
        response = FileResponse(
            _open(photo.original_key),
            as_attachment=True,
            filename=photo.filename,
            content_type=photo.content_type,
        )
        response["Cache-Control"] = FILE_CACHE_CONTROL
        return response
