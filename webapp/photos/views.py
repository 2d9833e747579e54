"""Pages. Thin: reads go through selectors (and the keyset paginator), writes through
services; everything the browser does after the page loads goes through the JSON API."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from jobs import formats

from . import filters, gallery_cache, links, selectors, services, timeline
from .forms import PhotoWordsForm
from .models import PhotoStatus
from .pagination import Cursor, CursorTooLong, keyset_page, month_start, undated_start
from .storage import photo_storage
from .templatetags.photo_cards import CARD_FIELDS

PENDING = (PhotoStatus.UPLOADING, PhotoStatus.PROCESSING)
ORDERS = {"created": "Date added", "taken": "Date taken", "taken_asc": "Oldest first"}
TIMELINE_ORDERS = ("taken", "taken_asc")


def _api_config() -> dict:
    """URLs and limits the page scripts need, handed over through json_script."""
    any_id = uuid.UUID(int=0)
    return {
        "uploadsUrl": reverse("api:uploads"),
        "photosUrl": reverse("api:photos"),
        "albumsUrl": reverse("api:albums"),
        "photoUrl": reverse("api:photo", kwargs={"photo_id": any_id}).replace(str(any_id), "{id}"),
        "neighboursUrl": reverse("api:photo-neighbours", kwargs={"photo_id": any_id}).replace(
            str(any_id), "{id}"
        ),
        "detailUrl": reverse("photos:detail", kwargs={"photo_id": any_id}).replace(
            str(any_id), "{id}"
        ),
        "deleteUrl": reverse("api:photos-delete"),
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
    except CursorTooLong:
        raise
    except ValueError:
        return None  # a mangled link shows the first page rather than an error


def _gallery_url(photo_filter, order: str) -> str:
    query = photo_filter.query_string(order="" if order == "created" else order)
    return reverse("photos:gallery") + (f"?{query}" if query else "")


def _month_cursor(value, order: str) -> Cursor | None:
    """The month scrubber's ?month=2023-07 (or =undated): where that month's photos start."""
    if value == "undated":
        return undated_start(order)
    month = timeline.parse_month(value)
    return month_start(*month, order) if month else None


BODY_TEMPLATE = "photos/_gallery_body.html"


class GalleryView(LoginRequiredMixin, TemplateView):
    template_name = "photos/gallery.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except CursorTooLong as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    def get_context_data(self, **kwargs):
        # The body (photos/_gallery_body.html) is the same for every view until the owner's
        # photos change: kept in the shared cache and drawn again only then (gallery_cache.py).
        owner_id = self.request.user.pk
        variant = version = body = None
        if gallery_cache.enabled():
            variant = gallery_cache.variant(
                self.request.GET.urlencode(), presigned_links=photo_storage().presigns_links
            )
            body, version = gallery_cache.lookup(owner_id, variant)
        if body is None:
            context = self.get_body_context()
            body = render_to_string(BODY_TEMPLATE, context, request=self.request)
            # A photo uploading turns "interrupted" by the clock alone (upload_state.py), with
            # no write to bump the version: a page showing one is not kept.
            uploading = any(p.status == PhotoStatus.UPLOADING for p in context["photos"])
            if variant is not None and not uploading:
                gallery_cache.store(owner_id, version, variant, body)
        return super().get_context_data(gallery_body=mark_safe(body), **kwargs)

    def get_body_context(self) -> dict:
        owner = self.request.user
        # Order and filter from the URL (selectors.browse): the viewer and the photo page
        # read the same parameters, so they walk the same photos.
        found = selectors.browse(owner=owner, params=self.request.GET)
        order = found.order
        before = _cursor(self.request.GET.get("before"))
        after = None if before else _cursor(self.request.GET.get("after"))
        if order in TIMELINE_ORDERS and not (before or after):
            after = _month_cursor(self.request.GET.get("month"), order)
        # The page's rows carry only the columns the cards read (photo_cards.CARD_FIELDS).
        page = keyset_page(found.photos.only(*CARD_FIELDS), order=order, after=after, before=before)
        is_timeline = order in TIMELINE_ORDERS
        months = selectors.month_counts(photos=found.photos) if is_timeline else []
        choices, failed_count = selectors.gallery_facets(owner=owner)
        return dict(
            page=page,
            photos=page.photos,
            order=order,
            orders=ORDERS,
            order_choices=[
                (key, label, _gallery_url(found.photo_filter, key)) for key, label in ORDERS.items()
            ],
            paged=bool(before or after),
            place=found.photo_filter.place,
            has_pending=any(photo.status in PENDING for photo in page.photos),
            failed_count=failed_count,
            api_config=_api_config(),
            photo_filter=found.photo_filter,
            browse_qs=found.query_string,
            choices=choices,
            gps_choices=filters.GPS_CHOICES,
            is_timeline=is_timeline,
            days=timeline.days(page.photos) if is_timeline else [],
            months=months,
            months_here=timeline.months_on_page(page.photos),
            undated_here=any(photo.taken_at is None for photo in page.photos),
            total=sum(count for _, count in months),
        )


class MapView(LoginRequiredMixin, TemplateView):
    """The owner's geotagged photos on a map. The page is a frame: its script fetches the
    points from the API with the same filters (GET parameters) as the gallery."""

    template_name = "photos/map.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.urlencode()
        points_url = reverse("api:map") + (f"?{query}" if query else "")
        return super().get_context_data(
            map_config={
                "pointsUrl": points_url,
                "tileUrl": settings.PHOTOS_MAP_TILE_URL,
                "attribution": settings.PHOTOS_MAP_ATTRIBUTION,
            },
            place=filters.PhotoFilter.from_params(self.request.GET).place,
            places=selectors.place_choices(owner=self.request.user),
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
        # Previous and next in the order and filter the gallery was showing (its query
        # string rides along on every link), two one-row keyset queries.
        found = selectors.browse(owner=self.request.user, params=self.request.GET)
        around = selectors.photo_neighbours(photos=found.photos, photo=photo, order=found.order)
        return super().get_context_data(
            browse_qs=found.query_string,
            previous_photo=around.previous,
            next_photo=around.next,
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
