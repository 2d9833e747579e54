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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from jobs.errors import human_bytes

from . import facts, links, services, upload_state
from .models import Photo
from .templatetags import photo_format

# The staff's pages carry the product's name, not "Django administration".
admin.site.site_header = "Darkroom administration"
admin.site.site_title = "Darkroom admin"
admin.site.index_title = "Photos and accounts"


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
    # Seven narrow columns beside the filter sidebar fit a 1366-px laptop screen without a
    # horizontal scroll; the format is a filter, and the dimensions share the size's cell.
    list_display = [
        "thumbnail",
        "name",
        "owner",
        "status",
        "camera",
        "taken",
        "size_and_dimensions",
    ]
    list_display_links = ["thumbnail", "name"]
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
        (
            None,
            {
                "fields": [
                    "preview",
                    "filename",
                    "title",
                    "caption",
                    "alt_text",
                    "owner",
                    "status",
                    "error",
                ]
            },
        ),
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
                    "exposure",
                    "aperture",
                    "focal_length_mm",
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
                    "declared_size_human",
                    "source_etag",
                    "created_at",
                    "uploaded_at",
                    "processed_at",
                    "duplicate_of",
                    "placeholder",
                    "jobs_summary",
                ]
            },
        ),
        ("EXIF", {"fields": ["exif_pretty"]}),
        # What the jobs answered, as stored: for debugging, so folded away. The metadata
        # job's EXIF is left out of it, being the section above.
        (
            "Raw job outcome",
            {"classes": ["collapse"], "fields": ["jobs_pretty", "renditions_pretty"]},
        ),
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

    def changelist_view(self, request, extra_context=None):
        # Nothing here is edited (see get_readonly_fields), whatever the staff's permissions.
        extra_context = {
            "title": f"Select {self.opts.verbose_name} to view",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            # Django says "Change photo" to anyone with the change permission (superusers,
            # who need it for the Reprocess action), but this page changes nothing.
            "title": f"View {self.opts.verbose_name}",
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

    @admin.display(description="name", ordering="filename")
    def name(self, photo):
        # The title when there is one, and the file name, which staff search by, beneath it.
        if photo.title and photo.title != photo.filename:
            return format_html(
                '{}<br><span class="photo-admin-muted">{}</span>', photo.title, photo.filename
            )
        return photo.filename

    @admin.display(description="preview")
    def preview(self, photo):
        urls = links.rendition_urls(photo)
        url = urls.get("medium") or urls.get("thumb")
        if not url:
            return "—"
        return format_html(
            '<img class="photo-admin-preview" src="{}" alt="{}" loading="lazy">', url, photo.alt
        )

    @admin.display(description="camera", ordering="camera_model")
    def camera(self, photo):
        return photo_format.camera(photo.camera_make, photo.camera_model) or "—"

    @admin.display(description="taken", ordering="taken_at")
    def taken(self, photo):
        return photo.taken_at.strftime("%Y-%m-%d %H:%M") if photo.taken_at else "—"

    @admin.display(description="dimensions")
    def dimensions(self, photo):
        if photo.width and photo.height:
            return f"{photo.width} × {photo.height}"
        return "—"

    @admin.display(description="size", ordering="bytes")
    def size(self, photo):
        size = photo.bytes or photo.declared_size
        return human_bytes(size) if size else "—"

    @admin.display(description="size", ordering="bytes")
    def size_and_dimensions(self, photo):
        if not (photo.width and photo.height):
            return self.size(photo)
        return format_html(
            '{}<br><span class="photo-admin-muted">{}</span>',
            self.size(photo),
            self.dimensions(photo),
        )

    @admin.display(description="declared size")
    def declared_size_human(self, photo):
        return human_bytes(photo.declared_size) if photo.declared_size else "—"

    # Camera values as people write them. A value the photo page leaves out as meaningless
    # (facts.py) is still shown here, as read, with a word saying so.

    @admin.display(description="exposure")
    def exposure(self, photo):
        return _as_read(
            photo.exposure_time,
            photo_format.exposure(photo.exposure_time) or f"{photo.exposure_time} s",
            facts.plausible_exposure(photo.exposure_time),
        )

    @admin.display(description="aperture")
    def aperture(self, photo):
        return _as_read(
            photo.f_number,
            photo_format.f_number(photo.f_number) or f"ƒ/{photo.f_number}",
            facts.plausible_f_number(photo.f_number),
        )

    @admin.display(description="focal length")
    def focal_length_mm(self, photo):
        return _as_read(
            photo.focal_length,
            photo_format.focal_length(photo.focal_length) or f"{photo.focal_length} mm",
            facts.plausible_focal_length(photo.focal_length),
        )

    @admin.display(description="jobs")
    def jobs_summary(self, photo):
        """One line per job: how it ended, how long it took, when."""
        if not photo.jobs:
            return "—"
        lines = []
        for job, outcome in sorted(photo.jobs.items()):
            if not isinstance(outcome, dict):
                continue
            words = [str(outcome.get("status") or "?")]
            if outcome.get("error"):
                words.append(f"({outcome['error']})")
            if isinstance(outcome.get("duration_ms"), int | float):
                words.append(f"in {round(outcome['duration_ms'])} ms")
            if outcome.get("finished_at"):
                words.append(f"at {outcome['finished_at']}")
            lines.append((job, " ".join(words)))
        return format_html_join(mark_safe("<br>"), "{}: {}", lines)

    @admin.display(description="EXIF")
    def exif_pretty(self, photo):
        return _pretty_json(photo.exif)

    @admin.display(description="jobs")
    def jobs_pretty(self, photo):
        return _pretty_json(_without_exif(photo.jobs))

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
        will_fail = []
        for photo in queryset:
            if upload_state.fails_again(photo):
                # The file itself is the problem (not an image, corrupt, too large): the
                # same bytes fail the same way. Queued anyway, since a fix may have shipped.
                will_fail.append(f"{photo} ({photo.error})")
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
        if will_fail:
            self.message_user(
                request,
                ngettext(
                    "%(n)d photo failed as not an image and will fail again: %(names)s",
                    "%(n)d photos failed as not an image and will fail again: %(names)s",
                    len(will_fail),
                )
                % {"n": len(will_fail), "names": "; ".join(will_fail[:10])},
                messages.WARNING,
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
    return format_html('<pre class="photo-admin-json">{}</pre>', text)


def _as_read(value, formatted: str, plausible) -> str:
    if value is None:
        return "—"
    if plausible is None:
        return f"{formatted} (a placeholder the camera wrote: not shown on the photo page)"
    return formatted


def _without_exif(jobs: dict) -> dict:
    """The jobs' outcomes with the metadata result's EXIF replaced by a pointer to the
    EXIF section, which shows the same tags once."""
    metadata = jobs.get("metadata") if isinstance(jobs, dict) else None
    result = metadata.get("result") if isinstance(metadata, dict) else None
    if not isinstance(result, dict) or "exif" not in result:
        return jobs
    exif = result["exif"]
    count = len(exif) if isinstance(exif, dict) else 0
    note = f"{count} tags: see the EXIF section"
    return {**jobs, "metadata": {**metadata, "result": {**result, "exif": note}}}


# Albums and sharing links have their own module; importing it registers them.
from . import admin_albums  # noqa: E402, F401
