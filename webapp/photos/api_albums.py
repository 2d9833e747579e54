"""The JSON API of albums and sharing links (the gallery's selection bar, album.js).

Same rules as api.py: session auth and CSRF, JSON for every answer, 401 when logged out,
404 for anything that is not the caller's (an album, a photo, a link), a 400 in words for
bad input.
"""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import View

from . import album_selectors, album_services, selectors, share_selectors, share_services
from .api import MAX_BULK_BODY_BYTES, ApiView, BadBody, error, json_object, request_body
from .share_links import share_url


def _body(request) -> dict:
    try:
        return json_object(request_body(request), limit=MAX_BULK_BODY_BYTES)
    except BadBody as exc:
        raise ValidationError(str(exc)) from None


def _ids(body: dict) -> list:
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        raise ValidationError('ids is required: {"ids": ["<photo id>", ...]}')
    return ids


def album_to_dict(album, *, photo_ids=None, cover=False) -> dict:
    if cover is False:  # not looked up yet (a list looks them all up at once)
        cover = album_selectors.album_cover(album=album)
    data = {
        "id": str(album.pk),
        "title": album.title,
        "order": album.order,
        "cover": str(cover.pk) if cover else None,
        "cover_chosen": album.cover_id is not None,
        "url": reverse("albums:detail", kwargs={"album_id": album.pk}),
        "created_at": album.created_at.isoformat(),
    }
    if hasattr(album, "photo_count"):
        data["photo_count"] = album.photo_count
    if photo_ids is not None:
        data["photos"] = [str(pk) for pk in photo_ids]
    return data


def link_to_dict(link) -> dict:
    return {
        "id": link.pk,
        "photo": str(link.photo_id) if link.photo_id else None,
        "album": str(link.album_id) if link.album_id else None,
        "created_at": link.created_at.isoformat(),
        "expires_at": link.expires_at.isoformat(),
        "include_location": link.include_location,
        "allow_download": link.allow_download,
    }


class JsonApiView(ApiView):
    """ApiView plus: a refused write (ValidationError) is a 400 with its reason, and a 404
    names what was not found."""

    not_found = "no such album"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error("log in first", 401)
        try:
            # View's dispatch, not ApiView's: its 404 speaks of photos only.
            return View.dispatch(self, request, *args, **kwargs)
        except Http404:
            return error(self.not_found, 404)
        except ValidationError as exc:
            return error(exc.messages[0], 400)


class AlbumsView(JsonApiView):
    """GET -> {"albums": [...]}; POST {"title", "ids"?} -> 201 the album."""

    def get(self, request):
        albums = list(album_selectors.album_list(owner=request.user))
        covers = album_selectors.album_covers(albums)
        return JsonResponse(
            {"albums": [album_to_dict(album, cover=covers[album.pk]) for album in albums]}
        )

    def post(self, request):
        body = _body(request)
        album = album_services.album_create(
            owner=request.user, title=body.get("title"), photo_ids=body.get("ids") or ()
        )
        return JsonResponse(album_to_dict(album, photo_ids=_photo_ids(album)), status=201)


def _photo_ids(album) -> list:
    return list(album_selectors.album_photos(album=album).values_list("pk", flat=True))


class AlbumView(JsonApiView):
    """GET the album with its photo ids in order; PATCH {"title"?, "order"?, "cover"?};
    DELETE (the photos stay)."""

    def get(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        return JsonResponse(album_to_dict(album, photo_ids=_photo_ids(album)))

    def patch(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        body = _body(request)
        unknown = sorted(set(body) - {"title", "order", "cover"})
        if unknown:
            return error(f"unknown field: {unknown[0][:40]} (title, order or cover)", 400)
        if "title" in body:
            album_services.album_rename(album=album, title=body["title"])
        if "order" in body:
            album_services.album_order_set(album=album, order=body["order"])
        if "cover" in body:
            album_services.album_cover_set(album=album, photo_id=_optional_uuid(body["cover"]))
        return JsonResponse(album_to_dict(album, photo_ids=_photo_ids(album)))

    def delete(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        album_services.album_delete(album=album)
        return HttpResponse(status=204)


def _optional_uuid(value):
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationError(f"not a photo id: {str(value)[:40]}") from None


class AlbumPhotosView(JsonApiView):
    """POST {"ids"} adds (at the end, in the order given), DELETE {"ids"} removes; both
    answer {"added"|"removed": n, "album": ...}. One id that is not the caller's photo
    refuses the whole request."""

    def post(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        added = album_services.album_photos_add(album=album, photo_ids=_ids(_body(request)))
        return JsonResponse(
            {"added": added, "album": album_to_dict(album, photo_ids=_photo_ids(album))}
        )

    def delete(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        removed = album_services.album_photos_remove(album=album, photo_ids=_ids(_body(request)))
        return JsonResponse(
            {"removed": removed, "album": album_to_dict(album, photo_ids=_photo_ids(album))}
        )


class AlbumOrderView(JsonApiView):
    """PUT {"ids"}: every photo of the album, in the owner's new order."""

    def put(self, request, album_id):
        album = album_selectors.album_get(owner=request.user, album_id=album_id)
        album_services.album_reorder(album=album, photo_ids=_ids(_body(request)))
        return JsonResponse(album_to_dict(album, photo_ids=_photo_ids(album)))


class ShareTargetView(JsonApiView):
    """POST {"expires_in"?, "include_location"?, "allow_download"?} -> 201 {"url",
    "expires_at", ...}; GET the live links; DELETE revokes every link of the target."""

    def target(self, request, target_id) -> dict:
        raise NotImplementedError

    def get(self, request, target_id):
        links = share_selectors.share_list(owner=request.user, **self.target(request, target_id))
        return JsonResponse({"links": [link_to_dict(link) for link in links]})

    def post(self, request, target_id):
        body = _body(request)
        unknown = sorted(set(body) - {"expires_in", "include_location", "allow_download"})
        if unknown:
            return error(
                f"unknown field: {unknown[0][:40]} "
                "(expires_in, include_location or allow_download)",
                400,
            )
        link, token = share_services.share_create(
            owner=request.user,
            **self.target(request, target_id),
            expires_in=body.get("expires_in"),
            include_location=body.get("include_location", False),
            allow_download=body.get("allow_download", False),
        )
        return JsonResponse({"url": share_url(request, token), **link_to_dict(link)}, status=201)

    def delete(self, request, target_id):
        revoked = share_services.share_revoke_all(**self.target(request, target_id))
        return JsonResponse({"revoked": revoked})


class PhotoShareView(ShareTargetView):
    not_found = "no such photo"

    def target(self, request, target_id):
        return {"photo": selectors.photo_get(owner=request.user, photo_id=target_id)}


class AlbumShareView(ShareTargetView):
    def target(self, request, target_id):
        return {"album": album_selectors.album_get(owner=request.user, album_id=target_id)}


class SharesView(JsonApiView):
    """GET every live link of the caller."""

    def get(self, request):
        links = share_selectors.share_list(owner=request.user)
        return JsonResponse({"links": [link_to_dict(link) for link in links]})


class ShareView(JsonApiView):
    """DELETE one link (revoked at once; 204)."""

    not_found = "no such link"

    def delete(self, request, share_id):
        link = share_selectors.share_get(owner=request.user, share_id=share_id)
        share_services.share_revoke(link=link)
        return HttpResponse(status=204)
