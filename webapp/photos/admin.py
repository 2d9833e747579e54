"""The staff's view of every photo. Shows only what the jobs already computed: the thumbnail
column is an <img> of the stored thumb rendition (served by the media views, which let staff
through), never an image rendered on request. Deleting goes through the service so the
original and the renditions go with the row."""

import json

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import ngettext

from jobs.errors import human_bytes

from . import links, services
from .models import Photo


class CameraMakeFilter(admin.SimpleListFilter):
    title = "camera make"
    parameter_name = "camera_make"

    def lookups(self, request, model_admin):
        makes = (
            Photo.objects.exclude(camera_make="")
            .order_by("camera_make")
            .values_list("camera_make", flat=True)
            .distinct()
        )
        return [(make, make) for make in makes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(camera_make=self.value())
        return queryset


class HasGpsFilter(admin.SimpleListFilter):
    title = "location"
    parameter_name = "has_gps"

    def lookups(self, request, model_admin):
        return [("yes", "Has GPS"), ("no", "No GPS")]

    def queryset(self, request, queryset):
        with_gps = Q(gps_lat__isnull=False, gps_lon__isnull=False)
        if self.value() == "yes":
            return queryset.filter(with_gps)
        if self.value() == "no":
            return queryset.exclude(with_gps)
        return queryset


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "filename",
        "owner",
        "status",
        "camera",
        "taken_at",
        "dimensions",
        "size",
        "format",
    ]
    list_display_links = ["thumbnail", "filename"]
    list_filter = ["status", "format", CameraMakeFilter, HasGpsFilter]
    date_hierarchy = "taken_at"
    search_fields = [
        "filename",
        "title",
        "camera_model",
        "owner__username",
        "owner__email",
    ]
    # The owner column would otherwise cost one query per row.
    list_select_related = ["owner"]
    list_per_page = 50
    actions = ["reprocess", "delete_selected"]

    class Media:
        # Styles in a file: the Content-Security-Policy allows no inline style attribute.
        css = {"all": ["photos/admin.css"]}

    # The JSON columns are big (full EXIF); the list needs none but the renditions.
    list_defer = ["exif", "metadata", "jobs", "placeholder_data_url"]

    fieldsets = [
        (None, {"fields": ["preview", "filename", "title", "owner", "status", "error"]}),
        (
            "Image",
            {"fields": ["format", "mime", "size", "dimensions", "orientation", "sha256"]},
        ),
        (
            "Camera",
            {
                "fields": [
                    "taken_at",
                    "taken_at_offset",
                    "camera_make",
                    "camera_model",
                    "lens",
                    "exposure_time",
                    "f_number",
                    "focal_length",
                    "iso",
                ]
            },
        ),
        ("Location", {"fields": ["gps_lat", "gps_lon", "gps_alt"]}),
        (
            "Storage and processing",
            {
                "fields": [
                    "id",
                    "original_key",
                    "content_type",
                    "declared_size",
                    "source_etag",
                    "created_at",
                    "uploaded_at",
                    "processed_at",
                    "duplicate_of",
                    "renditions_pretty",
                    "placeholder",
                    "jobs_pretty",
                ]
            },
        ),
        ("EXIF", {"fields": ["exif_pretty"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer(*self.list_defer)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        # Everything shown is what the upload and the jobs recorded: read-only by design.
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        # Photos arrive through the upload page (ticket, original, jobs), not a form.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    # --- columns ---------------------------------------------------------------------

    @admin.display(description="")
    def thumbnail(self, photo):
        rendition = photo.renditions.get("thumb")
        if not rendition:
            return "—"
        width, height = rendition.get("width") or 0, rendition.get("height") or 0
        scale = 64 / max(width, height, 1)
        return format_html(
            '<img src="{}" alt="" loading="lazy" decoding="async" width="{}" height="{}">',
            links.rendition_urls(photo)["thumb"],
            max(1, round(width * scale)),
            max(1, round(height * scale)),
        )

    @admin.display(description="preview")
    def preview(self, photo):
        urls = links.rendition_urls(photo)
        url = urls.get("medium") or urls.get("thumb")
        if not url:
            return "—"
        return format_html('<img class="photo-preview" src="{}" alt="" loading="lazy">', url)

    @admin.display(description="camera", ordering="camera_model")
    def camera(self, photo):
        make, model = photo.camera_make, photo.camera_model
        # Many cameras repeat the make in the model ("Canon" / "Canon EOS 5D").
        if make and model.lower().startswith(make.split()[0].lower()):
            return model
        return " ".join(part for part in (make, model) if part) or "—"

    @admin.display(description="dimensions")
    def dimensions(self, photo):
        if photo.width and photo.height:
            return f"{photo.width} × {photo.height}"
        return "—"

    @admin.display(description="size", ordering="bytes")
    def size(self, photo):
        size = photo.bytes or photo.declared_size
        return human_bytes(size) if size else "—"

    @admin.display(description="EXIF")
    def exif_pretty(self, photo):
        return _pretty_json(photo.exif)

    @admin.display(description="jobs")
    def jobs_pretty(self, photo):
        return _pretty_json(photo.jobs)

    @admin.display(description="renditions")
    def renditions_pretty(self, photo):
        return _pretty_json(photo.renditions)

    # --- actions and deletion --------------------------------------------------------

    # Reprocessing rewrites the photo's state and renditions: a change, not a view.
    @admin.action(
        permissions=["change"],
        description="Reprocess (renditions and metadata)",
        description_plural="Reprocess selected photos (renditions and metadata)",
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def reprocess(self, request, queryset):
        done, skipped = 0, 0
        for photo in queryset:
            try:
                services.photo_reprocess(photo=photo)
                done += 1
            except ValidationError:
                skipped += 1
        self.message_user(
            request,
            ngettext("%d photo queued again.", "%d photos queued again.", done) % done,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d photo skipped: not uploaded yet.",
                    "%d photos skipped: not uploaded yet.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(permissions=["delete"], description="Delete selected photos with their files")
    def delete_selected(self, request, queryset):
        # Django's own confirmation page; the deletion itself is delete_queryset below.
        return delete_selected(self, request, queryset)

    def delete_model(self, request, obj):
        services.photo_delete(photo=obj)

    def delete_queryset(self, request, queryset):
        # One service call per photo: each removes its original and renditions on commit.
        for photo in queryset:
            services.photo_delete(photo=photo)


def _pretty_json(value) -> str:
    if not value:
        return "—"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre class="photo-json">{}</pre>', text)
