"""The JSON API the upload page and the gallery use. Session authentication and CSRF like
every other form on the site; every answer, errors included, is JSON."""

import json
import logging
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import View
from django.views.csrf import csrf_failure as html_csrf_failure

from . import selectors, services, uploads
from .serializers import photo_to_dict

logger = logging.getLogger(__name__)

MAX_IDS = 100
WORDS = ("title", "caption", "alt_text")


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
            body = json.loads(request.body or b"{}")
        except ValueError:
            return error("the body must be JSON", 400)
        if not isinstance(body, dict):
            return error("the body must be a JSON object", 400)
        try:
            photo = services.photo_create(
                owner=request.user,
                filename=body.get("filename") or "",
                content_type=body.get("content_type") or "",
                size=body.get("size"),
            )
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
            body = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):
            return error("the body must be JSON", 400)
        if not isinstance(body, dict):
            return error("the body must be a JSON object", 400)
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
            body = json.loads(request.body or b"{}")
        except ValueError:
            return error("the body must be JSON", 400)
        if not isinstance(body, dict):
            return error("the body must be a JSON object", 400)
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


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
