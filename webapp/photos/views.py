"""Pages. Thin: reads go through selectors (and the keyset paginator), writes through
services; everything the browser does after the page loads goes through the JSON API."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from jobs import formats

from . import links, selectors, services
from .forms import PhotoWordsForm
from .models import PhotoStatus
from .pagination import Cursor, keyset_page
from .templatetags.photo_cards import CARD_FIELDS

PENDING = (PhotoStatus.UPLOADING, PhotoStatus.PROCESSING)
ORDERS = {"created": "Date added", "taken": "Date taken"}


def _api_config() -> dict:
    """URLs and limits the page scripts need, handed over through json_script."""
    any_id = uuid.UUID(int=0)
    return {
        "uploadsUrl": reverse("api:uploads"),
        "photosUrl": reverse("api:photos"),
        "photoUrl": reverse("api:photo", kwargs={"photo_id": any_id}).replace(str(any_id), "{id}"),
        "galleryUrl": reverse("photos:gallery"),
        "maxBytes": settings.PHOTOS_MAX_UPLOAD_BYTES,
        # The one table of types (jobs/formats.py): the browser guesses a missing File.type
        # from the extension exactly as the server would.
        "typesByExtension": formats.TYPES_BY_EXTENSION,
        "acceptedTypes": list(settings.PHOTOS_ALLOWED_CONTENT_TYPES),
    }


def _cursor(value: str | None) -> Cursor | None:
    if not value:
        return None
    try:
        return Cursor.decode(value)
    except ValueError:
        return None  # a mangled link shows the first page rather than an error


class GalleryView(LoginRequiredMixin, TemplateView):
    template_name = "photos/gallery.html"

    def get_context_data(self, **kwargs):
        order = self.request.GET.get("order", "created")
        if order not in ORDERS:
            order = "created"
        before = _cursor(self.request.GET.get("before"))
        after = None if before else _cursor(self.request.GET.get("after"))
        # Only the columns the cards read (photo_cards.CARD_FIELDS): never the EXIF blobs.
        photos = selectors.photo_list(owner=self.request.user, order=order).only(*CARD_FIELDS)
        page = keyset_page(photos, order=order, after=after, before=before)
        return super().get_context_data(
            page=page,
            photos=page.photos,
            order=order,
            orders=ORDERS,
            paged=bool(before or after),
            has_pending=any(photo.status in PENDING for photo in page.photos),
            failed_count=selectors.photo_failed_count(owner=self.request.user),
            api_config=_api_config(),
            **kwargs,
        )


class UploadView(LoginRequiredMixin, TemplateView):
    template_name = "photos/upload.html"

    def get_context_data(self, **kwargs):
        since = timezone.now() - timedelta(minutes=settings.PHOTOS_RECENT_UPLOAD_MINUTES)
        return super().get_context_data(
            api_config=_api_config(),
            max_bytes=settings.PHOTOS_MAX_UPLOAD_BYTES,
            # A reload (or a new tab) shows again what this user's uploads are still doing.
            pending=selectors.photo_list_recent_pending(owner=self.request.user, since=since),
            **kwargs,
        )


class PhotoDetailView(LoginRequiredMixin, DetailView):
    template_name = "photos/detail.html"
    context_object_name = "photo"

    def get_object(self, queryset=None):
        return selectors.photo_get(owner=self.request.user, photo_id=self.kwargs["photo_id"])

    def get_context_data(self, **kwargs):
        photo = self.object
        original = photo.duplicate_of
        return super().get_context_data(
            # Only ever link to a photo the viewer owns.
            duplicate_of=original if original and original.owner_id == photo.owner_id else None,
            is_pending=photo.status in PENDING,
            original_url=links.original_url(photo),
            api_config=_api_config(),
            words_form=kwargs.pop("words_form", None)
            or PhotoWordsForm(
                initial={"title": photo.title, "caption": photo.caption, "alt_text": photo.alt_text}
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Delete and edit without JavaScript: the page's forms post here (the script uses
        the API)."""
        photo = self.get_object()
        if request.POST.get("action") == "words":
            return self._words(request, photo)
        if request.POST.get("action") != "delete":
            return redirect("photos:detail", photo_id=photo.id)
        name = str(photo)
        services.photo_delete(photo=photo)
        messages.success(request, f"Deleted {name}.")
        return redirect("photos:gallery")

    def _words(self, request, photo):
        form = PhotoWordsForm(request.POST)
        if form.is_valid():
            try:
                services.photo_words_update(photo=photo, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
        if not form.is_valid():
            self.object = photo
            context = self.get_context_data(object=photo, words_form=form)
            return self.render_to_response(context, status=400)
        messages.success(request, "Saved.")
        return redirect("photos:detail", photo_id=photo.id)
