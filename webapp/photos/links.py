"""URLs of a photo's files. Pages, the API and the admin ask here and never build them.

The storage backend (storage.py) decides what a link is: the owner-checked media views for
the local store, short-lived presigned GETs of the private bucket for S3.
"""

from .route_patterns import ANY_ID, route_pattern
from .storage import photo_storage


def rendition_urls(photo) -> dict[str, str]:
    """{"thumb": url, "medium": url, "large": url} for the renditions the job produced."""
    return photo_storage().rendition_urls(photo)


def rendition_url(photo, name: str) -> str:
    """One rendition's URL, "" when there is none: the map's thousands of markers each want
    a thumbnail only, and presigning the other sizes would triple the work in S3 mode."""
    return photo_storage().rendition_urls(photo, names=(name,)).get(name, "")


def original_url(photo) -> str:
    """Download link of the original as uploaded; "" until it has been uploaded."""
    return photo_storage().original_url(photo)


def detail_url(photo) -> str:
    """The photo's page."""
    return detail_urls()(photo)


def detail_urls():
    """photo -> the photo's page, for many photos (a gallery page links 48): the route is
    resolved once per script prefix and the id filled in (a UUID needs no quoting), never
    reversed per card."""
    pattern = route_pattern("photos:detail", photo_id=ANY_ID)
    return lambda photo: pattern.replace(ANY_ID, str(photo.pk))
