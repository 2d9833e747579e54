"""The photo page's albums and links, as one tag, so the page's own view stays as it is."""

from django import template
from django.urls import reverse

from .. import album_selectors, share_selectors
from ..share_links import NEW_LINK_SESSION_KEY

register = template.Library()


@register.inclusion_tag("photos/_photo_organise.html", takes_context=True)
def photo_organise(context, photo):
    request = context["request"]
    albums = list(album_selectors.album_choices(owner=request.user))
    member = album_selectors.album_ids_of_photo(owner=request.user, photo=photo)
    return {
        "csrf_token": context.get("csrf_token"),
        "photo": photo,
        "action": reverse("albums:photo-organise", kwargs={"photo_id": photo.pk}),
        "member_of": [album for album in albums if album.pk in member],
        "other_albums": [album for album in albums if album.pk not in member],
        "links": share_selectors.share_list(owner=request.user, photo=photo),
        "new_link_url": request.session.pop(NEW_LINK_SESSION_KEY, ""),
    }
