"""The photo row: what the upload created plus what the side jobs found.

Metadata fields are copied out of the job's record into real columns so the gallery and the
admin filter, sort and search with indexes, and never parse JSON or touch an image on request.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F

from . import describe
from .pagination import UNDATED


class PhotoStatus(models.TextChoices):
    UPLOADING = "uploading", "Uploading"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Photo(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos"
    )
    filename = models.CharField(max_length=255, help_text="Name of the file as uploaded")
    # The owner's words (services.photo_words_update). The caption's bound is the service's
    # to keep: a TextField's max_length binds forms only.
    title = models.CharField(max_length=200, blank=True)
    caption = models.TextField(max_length=2000, blank=True)
    alt_text = models.CharField(
        max_length=300, blank=True, help_text="What the image shows, for people who cannot see it"
    )
    original_key = models.CharField(max_length=512, unique=True)
    content_type = models.CharField(max_length=100)
    declared_size = models.PositiveBigIntegerField(help_text="Size announced at ticket time")

    status = models.CharField(
        max_length=16, choices=PhotoStatus.choices, default=PhotoStatus.UPLOADING, db_index=True
    )
    error = models.CharField(max_length=300, blank=True)
    # Per-job outcome as the jobs report it:
    # {"renditions": {status, result|error, source_etag, finished_at, duration_ms}, "metadata": ...}
    jobs = models.JSONField(default=dict, blank=True)
    source_etag = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # From the renditions job: {"thumb": {"key", "width", "height", "bytes"}, "medium": ..., ...}
    renditions = models.JSONField(default=dict, blank=True)
    placeholder = models.CharField(max_length=100, blank=True, help_text="BlurHash")
    # The placeholder decoded once, when recorded, so pages never decode it per request.
    placeholder_data_url = models.TextField(blank=True)

    # From the metadata job (the DESIGN.md metadata record), denormalised for queries.
    format = models.CharField(max_length=10, blank=True, db_index=True)
    mime = models.CharField(max_length=50, blank=True)
    bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    orientation = models.PositiveSmallIntegerField(null=True, blank=True)
    # Wall-clock time on the camera, stored as if it were UTC so that date hierarchies and
    # "date taken" ordering follow the photographer's calendar; the real offset, when the
    # camera recorded one, is kept beside it.
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_at_offset = models.CharField(max_length=6, blank=True)
    camera_make = models.CharField(max_length=100, blank=True, db_index=True)
    camera_model = models.CharField(max_length=100, blank=True)
    lens = models.CharField(max_length=200, blank=True)
    exposure_time = models.FloatField(null=True, blank=True)
    f_number = models.FloatField(null=True, blank=True)
    focal_length = models.FloatField(null=True, blank=True)
    iso = models.PositiveIntegerField(null=True, blank=True)
    gps_lat = models.FloatField(null=True, blank=True)
    gps_lon = models.FloatField(null=True, blank=True)
    gps_alt = models.FloatField(null=True, blank=True)
    exif = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="The full metadata record")

    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    class Meta:
        ordering = ["-created_at"]
        # In the gallery's exact sort orders (selectors.ORDERINGS, pagination), so a page of
        # a gallery with many thousands of photos is an index range scan, not a sort.
        indexes = [
            models.Index(
                F("owner"), F("created_at").desc(), F("id").desc(), name="photo_owner_created"
            ),
            models.Index(fields=["owner", "sha256"], name="photo_owner_sha256"),
            # "Date taken", newest and oldest first (pagination.UNDATED leads: undated photos
            # last on both databases, without the NULLS LAST SQLite cannot index). They
            # replace migration 0002's raw-SQL index, which SQLite's table rebuilds dropped.
            models.Index(
                F("owner"),
                UNDATED,
                F("taken_at").desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="photo_owner_taken_desc",
            ),
            models.Index(
                F("owner"),
                UNDATED,
                F("taken_at"),
                F("created_at"),
                F("id"),
                name="photo_owner_taken_asc",
            ),
            # The filter form's choices (selectors.filter_choices) are index-only scans, and
            # a filter on one camera, lens or format reads only the matching rows.
            models.Index(
                fields=["owner", "camera_make", "camera_model"], name="photo_owner_camera"
            ),
            models.Index(fields=["owner", "lens"], name="photo_owner_lens"),
            models.Index(fields=["owner", "format"], name="photo_owner_format"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return describe.display_name(self)

    @property
    def alt(self) -> str:
        """The images' alt: alt text, else title, else words from the date and camera."""
        return describe.alt_text(self)

    @property
    def has_gps(self) -> bool:
        return self.gps_lat is not None and self.gps_lon is not None
