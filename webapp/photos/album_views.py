"""Album pages, the photo page's album and link forms, and the owner's list of links.

Thin: reads through album_selectors/share_selectors, writes through album_services/
share_services. Every form works without JavaScript (album.js only adds drag and drop), so
reordering by keyboard is the page's own "Move earlier"/"Move later" buttons.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from . import album_selectors, album_services, selectors, share_selectors, share_services
from .models import AlbumOrder
from .share_links import NEW_LINK_SESSION_KEY, share_url


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def create_link_from_form(request, *, photo=None, album=None) -> None:
    """The share form of the photo and album pages: the new URL is shown once, on the next
    page (the token is not stored, only its hash)."""
    try:
        _, token = share_services.share_create(
            owner=request.user,
            photo=photo,
            album=album,
            expires_in=_int(request.POST.get("expires_in")),
            include_location=request.POST.get("include_location") == "on",
            allow_download=request.POST.get("allow_download") == "on",
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return
    request.session[NEW_LINK_SESSION_KEY] = share_url(request, token)
    messages.success(request, "Link created: copy it now, it is shown only once.")


def revoke_link_from_form(request) -> None:
    link_id = _int(request.POST.get("link"))
    if link_id is None:
        return
    link = share_selectors.share_get(owner=request.user, share_id=link_id)
    share_services.share_revoke(link=link)
    messages.success(request, "Link revoked: it no longer opens anything.")


class AlbumListView(LoginRequiredMixin, TemplateView):
    template_name = "albums/list.html"

    def get_context_data(self, **kwargs):
        albums = list(album_selectors.album_list(owner=self.request.user))
        covers = album_selectors.album_covers(albums)
        cards = [(album, covers[album.pk]) for album in albums]
        return super().get_context_data(cards=cards, **kwargs)

    def post(self, request):
        try:
            album = album_services.album_create(
                owner=request.user, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("albums:list")
        messages.success(request, f"Album “{album.title}” created.")
        return redirect("albums:detail", album_id=album.pk)


class AlbumDetailView(LoginRequiredMixin, TemplateView):
    template_name = "albums/detail.html"

    def get_album(self):
        return album_selectors.album_get(owner=self.request.user, album_id=self.kwargs["album_id"])

    def get_context_data(self, **kwargs):
        album = self.get_album()
        photos = list(album_selectors.album_photos(album=album).defer("exif", "metadata", "jobs"))
        return super().get_context_data(
            album=album,
            photos=photos,
            cover=album_selectors.album_cover(album=album),
            links=share_selectors.share_list(owner=self.request.user, album=album),
            new_link_url=self.request.session.pop(NEW_LINK_SESSION_KEY, ""),
            orders=AlbumOrder.choices,
            api_config={"albumsUrl": reverse("api:albums")},
            **kwargs,
        )

    def post(self, request, album_id):
        album = self.get_album()
        action = request.POST.get("action")
        photo_id = _uuid(request.POST.get("photo"))
        anchor = ""
        try:
            if action == "rename":
                album_services.album_rename(album=album, title=request.POST.get("title", ""))
                messages.success(request, "Renamed.")
            elif action == "delete":
                album_services.album_delete(album=album)
                messages.success(request, f"Album “{album.title}” deleted; its photos are kept.")
                return redirect("albums:list")
            elif action in ("earlier", "later") and photo_id:
                offset = -1 if action == "earlier" else 1
                album_services.album_photo_move(album=album, photo_id=photo_id, offset=offset)
                # Back to the moved photo's buttons, so a keyboard user can keep moving it.
                anchor = f"#move-{photo_id}-{action}"
            elif action == "remove" and photo_id:
                album_services.album_photos_remove(album=album, photo_ids=[photo_id])
                messages.success(request, "Removed from the album; the photo is kept.")
            elif action == "cover":
                album_services.album_cover_set(album=album, photo_id=photo_id)
                messages.success(
                    request, "Cover chosen." if photo_id else "Cover: the first photo."
                )
            elif action == "order":
                album_services.album_order_set(album=album, order=request.POST.get("order"))
            elif action == "share":
                create_link_from_form(request, album=album)
            elif action == "revoke":
                revoke_link_from_form(request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect(reverse("albums:detail", kwargs={"album_id": album.pk}) + anchor)


class PhotoOrganiseView(LoginRequiredMixin, View):
    """The photo page's "Add to album" and "Share" forms post here."""

    def post(self, request, photo_id):
        photo = selectors.photo_get(owner=request.user, photo_id=photo_id)
        action = request.POST.get("action")
        try:
            if action in ("add", "remove"):
                album_id = _uuid(request.POST.get("album"))
                if album_id is None:
                    raise ValidationError("choose an album")
                album = album_selectors.album_get(owner=request.user, album_id=album_id)
                if action == "add":
                    album_services.album_photos_add(album=album, photo_ids=[photo.pk])
                    messages.success(request, f"Added to “{album.title}”.")
                else:
                    album_services.album_photos_remove(album=album, photo_ids=[photo.pk])
                    messages.success(request, f"Removed from “{album.title}”.")
            elif action == "new-album":
                album = album_services.album_create(
                    owner=request.user, title=request.POST.get("title", ""), photo_ids=[photo.pk]
                )
                messages.success(request, f"Added to the new album “{album.title}”.")
            elif action == "share":
                create_link_from_form(request, photo=photo)
            elif action == "revoke":
                revoke_link_from_form(request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("photos:detail", photo_id=photo.pk)


class SharedLinksView(LoginRequiredMixin, TemplateView):
    """Every live link of the owner, with its expiry and a Revoke button."""

    template_name = "albums/links.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            links=share_selectors.share_list(owner=self.request.user), **kwargs
        )

    def post(self, request):
        if request.POST.get("action") == "revoke":
            revoke_link_from_form(request)
        return redirect("albums:links")
