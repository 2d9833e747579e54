"""The photo as JSON: one shape for the API, the upload page and the gallery's polling."""

from django.urls import reverse

from . import links, upload_state
from .models import PhotoStatus


def photo_to_dict(photo) -> dict:
    ready = photo.status == PhotoStatus.READY
    return {
        "id": str(photo.pk),
        "status": photo.status,
        "error": photo.error,
        "filename": photo.filename,
        "title": photo.title,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        # Decided once, in describe.py, for the server's templates and the page scripts alike.
        "name": photo.display_name,
        "alt": photo.alt,
        "created_at": photo.created_at.isoformat() if photo.created_at else None,
        # The camera's wall clock stored as UTC (models.Photo); null when unknown.
        "taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
        "metadata": photo.metadata or {},
        "renditions": links.rendition_urls(photo) if ready else {},
        "renditions_size": (
            {name: [r.get("width"), r.get("height")] for name, r in photo.renditions.items()}
            if ready
            else {}
        ),
        "placeholder": photo.placeholder,
        "placeholder_data_url": photo.placeholder_data_url,
        "original_url": links.original_url(photo),
        "detail_url": reverse("photos:detail", kwargs={"photo_id": photo.pk}),
        "duplicate_of": str(photo.duplicate_of_id) if photo.duplicate_of_id else None,
        # Derived (upload_state.py): the transfer stopped; the page offers Retry and Remove.
        "interrupted": upload_state.is_interrupted(photo),
    }


def map_point(photo) -> dict:
    """A marker of the map: where, what it shows, and where it leads."""
    return {
        "id": str(photo.pk),
        "lat": photo.gps_lat,
        "lon": photo.gps_lon,
        "thumb": links.rendition_url(photo, "thumb"),
        "title": photo.display_name,
        "alt": photo.alt,
        "place": ", ".join(p for p in (photo.place_city, photo.place_country) if p),
        "url": reverse("photos:detail", kwargs={"photo_id": photo.pk}),
    }


# Formats every current browser draws, so the viewer's last zoom step may show the original
# itself; HEIC and TIFF are not among them (the large rendition is as far as zoom goes).
# MPO is a JPEG with extra frames after the first, and browsers draw that first frame.
BROWSER_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "AVIF"}


def photo_to_viewer_dict(photo) -> dict:
    """What the full-screen viewer needs of a photo; reads none of the deferred JSON blobs
    but `renditions` (selectors.photo_browse)."""
    ready = photo.status == PhotoStatus.READY
    renditions = photo.renditions if ready else {}
    return {
        "id": str(photo.pk),
        "status": photo.status,
        "name": photo.display_name,
        "alt": photo.alt,
        "caption": photo.caption,
        "format": photo.format,
        "width": photo.width,
        "height": photo.height,
        "renditions": links.rendition_urls(photo) if ready else {},
        "renditions_size": {n: [r.get("width"), r.get("height")] for n, r in renditions.items()},
        "placeholder_data_url": photo.placeholder_data_url,
        "original_url": links.original_url(photo),
        "original_displayable": ready and photo.format in BROWSER_FORMATS,
        "detail_url": reverse("photos:detail", kwargs={"photo_id": photo.pk}),
    }
