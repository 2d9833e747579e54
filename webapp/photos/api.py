"""The JSON API the upload page and the gallery use. Session authentication and CSRF like
every other form on the site; every answer, errors included, is JSON."""

import json
import logging
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import View
from django.views.csrf import csrf_failure as html_csrf_failure

from . import quotas, selectors, services, uploads
from .serializers import map_point, photo_to_dict, photo_to_viewer_dict

logger = logging.getLogger(__name__)

MAX_IDS = 100
WORDS = ("title", "caption", "alt_text")

# A ticket request is three short fields; a few hundred bytes with a long file name. The cap
# keeps the parser's work (and its recursion: json.loads descends once per "[") bounded.
MAX_TICKET_BODY_BYTES = 4096


# The words at their longest (2,500 characters), every one escaped as \uXXXX, with room.
MAX_WORDS_BODY_BYTES = 32_768
# A selection at its largest (services.MAX_BULK_IDS ids of 38 bytes each), with room.
MAX_BULK_BODY_BYTES = 65_536


class BadBody(ValueError):
    pass


def json_object(raw: bytes, *, limit: int = MAX_TICKET_BODY_BYTES) -> dict:
    """The request body as a JSON object, or BadBody with the reason in words."""
    if len(raw) > limit:
        raise BadBody(f"the body is too large: {len(raw)} bytes, at most {limit}")
    try:
        body = json.loads(raw or b"{}")
    except RecursionError:
        raise BadBody("the body is nested too deeply") from None
    except ValueError:
        raise BadBody("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadBody("the body must be a JSON object")
    return body


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    """settings.CSRF_FAILURE_VIEW: JSON for the API, Django's page for everything else."""
    # path_info: behind API Gateway the path carries the stage ("/web/api/...").
    if request.path_info.startswith("/api/"):
        return error(f"CSRF check failed: {reason}", 403)
    return html_csrf_failure(request, reason=reason, template_name=template_name)


class ApiView(View):
    """401 instead of a login redirect, and 404/405 in JSON."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error("log in first", 401)
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            return error("no such photo", 404)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error(f"{request.method} is not allowed here", 405)
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response


class UploadsView(ApiView):
    """POST {"filename", "content_type", "size"} -> 201 {"photo_id", "url", "fields"}."""

    def post(self, request):
        try:
            body = json_object(request_body(request))
        except BadBody as exc:
            return error(str(exc), 400)
        try:
            photo = services.photo_create(
                owner=request.user,
                filename=body.get("filename") or "",
                content_type=body.get("content_type") or "",
                size=body.get("size"),
            )
        except quotas.QuotaExceeded as exc:
            return error(exc.messages[0], exc.status)
        except ValidationError as exc:
            return error(exc.messages[0], 400)
        ticket = uploads.ticket_for(photo)
        return JsonResponse({"photo_id": str(photo.pk), **ticket}, status=201)


class UploadFileView(ApiView):
    """The ticket's URL: the multipart POST of its fields and then the file. 204 like S3."""

    def post(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        fields, file = request.POST, request.FILES.get("file")  # parsing sets upload_refused
        refused = getattr(request, "upload_refused", None)
        if refused:
            return error(refused, 400)
        try:
            uploads.accept_upload(photo=photo, fields=fields, file=file)
        except uploads.UploadRefused as exc:
            return error(exc.reason, exc.status)
        return HttpResponse(status=204)


class PhotoListView(ApiView):
    """GET ?ids=a,b,c -> {"photos": [...]}, in the order asked, leaving out others' photos."""

    def get(self, request):
        raw = request.GET.get("ids")
        if raw is None:
            return error("ids is required: ?ids=<photo id>,<photo id>", 400)
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if len(parts) > MAX_IDS:
            return error(f"too many ids: at most {MAX_IDS} at a time", 400)
        try:
            ids = [uuid.UUID(part) for part in parts]
        except ValueError:
            bad = next(p for p in parts if not _is_uuid(p))
            return error(f"not a photo id: {bad[:40]}", 400)
        photos = selectors.photo_list_by_ids(owner=request.user, ids=ids)
        return JsonResponse({"photos": [photo_to_dict(photo) for photo in photos]})


class PhotoView(ApiView):
    def get(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        return JsonResponse(photo_to_dict(photo))

    def delete(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        services.photo_delete(photo=photo)
        return HttpResponse(status=204)

    def patch(self, request, photo_id):
        """{"title"?, "caption"?, "alt_text"?} -> 200 with the photo, as GET answers."""
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        try:
            body = json_object(request_body(request), limit=MAX_WORDS_BODY_BYTES)
        except BadBody as exc:
            return error(str(exc), 400)
        unknown = sorted(set(body) - set(WORDS))
        if unknown:
            return error(
                f"unknown field: {unknown[0][:40]} (a photo's words are {', '.join(WORDS)})", 400
            )
        try:
            photo = services.photo_words_update(photo=photo, **body)
        except ValidationError as exc:
            return error(exc.messages[0], 400)
        return JsonResponse(photo_to_dict(photo))


class UploadCompleteView(ApiView):
    """POST after the browser's POST to the ticket's URL succeeded -> 200 with the photo.

    Where the browser sent the file straight to the bucket, this is how the web app learns
    of the upload (services.photo_upload_confirm checks the object and starts the jobs).
    Idempotent: for a photo already uploaded (the local upload view completes on its own,
    an S3 event may have come first) it only answers the photo."""

    def post(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        try:
            photo = services.photo_upload_confirm(photo=photo)
        except ValidationError as exc:
            return error(exc.messages[0], 409 if exc.code == "missing" else 400)
        return JsonResponse(photo_to_dict(photo))


class UploadAbandonView(ApiView):
    """POST when the page gives up on a transfer (left, cancelled, connection lost) -> 200
    with the photo, now "upload interrupted". Sent with navigator.sendBeacon as the page
    goes away, so the CSRF token may come as a form field instead of a header."""

    def post(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        photo = services.photo_upload_abandon(photo=photo)
        return JsonResponse(photo_to_dict(photo))


class UploadRetryView(ApiView):
    """POST {"filename", "content_type", "size"} of the file picked again -> 201 with a
    fresh ticket for the SAME photo: {"photo_id", "url", "fields"}, as /api/uploads."""

    def post(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        try:
            # a ticket's fields: bounded as for /api/uploads
            body = json_object(request_body(request))
        except BadBody as exc:
            return error(str(exc), 400)
        try:
            photo = services.photo_upload_restart(
                photo=photo,
                filename=body.get("filename") or "",
                content_type=body.get("content_type") or "",
                size=body.get("size"),
            )
        except ValidationError as exc:
            return error(exc.messages[0], 400)
        ticket = uploads.ticket_for(photo)
        return JsonResponse({"photo_id": str(photo.pk), **ticket}, status=201)


class FailedPhotosView(ApiView):
    """DELETE -> 200 {"removed": n}: every failed photo of the user, with its files."""

    def delete(self, request):
        return JsonResponse({"removed": services.photo_delete_failed(owner=request.user)})


def request_body(request) -> bytes:
    # Past DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read the body at all: same answer.
    try:
        return request.body
    except RequestDataTooBig:
        raise BadBody("the body is too large") from None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class MapPointsView(ApiView):
    """GET ?<gallery filters> -> {"points": [{id, lat, lon, thumb, title, alt, url}],
    "limit", "truncated"}: the owner's geotagged photos, newest first, at most the limit."""

    def get(self, request):
        limit = settings.PHOTOS_MAP_MAX_POINTS
        # One more than shown tells whether there are more, without a COUNT query.
        photos = selectors.photo_map_points(owner=request.user, params=request.GET, limit=limit + 1)
        points = [map_point(photo) for photo in photos[:limit]]
        return JsonResponse({"points": points, "limit": limit, "truncated": len(photos) > limit})


class PhotosDeleteView(ApiView):
    """POST {"ids": [...]} -> {"deleted": [{"id", "name"}], "count"}: the gallery's selection.
    Ids of other users' photos, or of photos already gone, are ignored (and not named)."""

    def post(self, request):
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):
            return error("the body must be JSON", 400)
        raw = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(raw, list) or not raw:
            return error('ids is required: {"ids": ["<photo id>", ...]}', 400)
        if len(raw) > services.MAX_BULK_IDS:
            return error(f"too many ids: at most {services.MAX_BULK_IDS} at a time", 400)
        ids = []
        for value in raw:
            if not isinstance(value, str) or not _is_uuid(value):
                return error(f"not a photo id: {str(value)[:40]}", 400)
            ids.append(uuid.UUID(value))
        deleted = services.photos_delete(owner=request.user, ids=ids)
        return JsonResponse(
            {
                "deleted": [{"id": str(p.pk), "name": p.display_name} for p in deleted],
                "count": len(deleted),
            }
        )


class NeighboursView(ApiView):
    """GET /api/photos/<id>/neighbours?<the gallery's query string> -> {"photo", "previous",
    "next"}: the viewer's step in the gallery's order and filter. Constant in queries."""

    def get(self, request, photo_id):
        found = selectors.browse(owner=request.user, params=request.GET)
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        around = selectors.photo_neighbours(photos=found.photos, photo=photo, order=found.order)
        return JsonResponse(
            {
                "photo": photo_to_viewer_dict(photo),
                "previous": photo_to_viewer_dict(around.previous) if around.previous else None,
                "next": photo_to_viewer_dict(around.next) if around.next else None,
            }
        )
