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
    # The record's `place`: the nearest town and its country (jobs/places.py, offline).
    place_city = models.CharField(max_length=200, blank=True)
    place_country = models.CharField(max_length=100, blank=True)
    place_country_code = models.CharField(max_length=2, blank=True)
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
            # The place filter and the owner's list of places (selectors.photos_in_place).
            models.Index(fields=["owner", "place_country", "place_city"], name="photo_owner_place"),
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


class AlbumOrder(models.TextChoices):
    TAKEN = "taken", "Date taken"
    CUSTOM = "custom", "Your order"


class Album(models.Model):
    """A named group of the owner's photos. Deleting an album never deletes its photos."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="albums"
    )
    title = models.CharField(max_length=200)
    photos = models.ManyToManyField(Photo, through="AlbumPhoto", related_name="albums")
    # Chosen by the owner; when empty (or the photo left the album) the first photo in the
    # album's order is the cover (album_selectors.album_cover).
    cover = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.CharField(max_length=8, choices=AlbumOrder.choices, default=AlbumOrder.TAKEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="album_owner_created")]

    def __str__(self):
        return self.title


class AlbumPhoto(models.Model):
    """A photo's place in an album: `position` is the owner's order (ascending)."""

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="entries")
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="album_entries")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["album", "photo"], name="album_photo_once"),
        ]
        indexes = [models.Index(fields=["album", "position"], name="album_photo_position")]

    def __str__(self):
        return f"{self.album_id}:{self.photo_id}@{self.position}"


class ShareLink(models.Model):
    """A link that shows one photo or one album to anyone holding it, until it expires or
    is revoked. Only the SHA-256 of the token is kept: a copy of the database does not
    open anyone's photos."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    album = models.ForeignKey(
        Album, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    include_location = models.BooleanField(default=False)
    allow_download = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Revoked links are kept (with when) rather than deleted, so the owner's history and an
    # audit can tell "revoked" from "never existed"; they answer 404 all the same.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(photo__isnull=False, album__isnull=True)
                    | models.Q(photo__isnull=True, album__isnull=False)
                ),
                name="share_link_photo_xor_album",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="share_owner_created")]

    def __str__(self):
        return f"Link to {self.album or self.photo}"

    @property
    def target(self):
        return self.album if self.album_id else self.photo
