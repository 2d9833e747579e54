"""URLs of a photo's files as a sharing link's visitor sees them.

S3: the same presigned GETs the owner's pages get (links.py), never public objects; the
link's page vouches for each object for a while, as the owner's page does.
Local store: views under the link's own path (share_views.py) that check the token and the
photo's membership on every request, since the owner's media views need a login.
"""

from django.urls import reverse

from . import links
from .storage import photo_storage, rendition_version

# A new link's URL, kept in the session from the form's POST to the next page: the token is
# not stored anywhere else, so it is shown to the owner once.
NEW_LINK_SESSION_KEY = "photos:new_share_url"


def share_url(request, token: str) -> str:
    """The link to send: absolute, since it leaves the site."""
    return request.build_absolute_uri(reverse("sharing:page", kwargs={"token": token}))


def rendition_urls(token: str, photo) -> dict[str, str]:
    if photo_storage().presigns_links:
        return links.rendition_urls(photo)
    version = rendition_version(photo)
    return {
        name: reverse(
            "sharing:rendition", kwargs={"token": token, "photo_id": photo.pk, "name": name}
        )
        + f"?v={version}"
        for name in photo.renditions
    }


def original_url(token: str, photo) -> str:
    if photo_storage().presigns_links:
        return links.original_url(photo)
    return reverse("sharing:original", kwargs={"token": token, "photo_id": photo.pk})
