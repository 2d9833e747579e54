"""The staff's view of albums and sharing links: read-mostly lists for support and abuse
handling. A link's token is never shown (only its hash is stored); the one write is the
"Revoke" action, through the service."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import ngettext

from . import share_services
from .models import Album, ShareLink


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "photo_count", "order", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__username"]
    readonly_fields = ["id", "owner", "cover", "created_at", "updated_at"]
    fields = ["id", "title", "owner", "order", "cover", "created_at", "updated_at"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_photo_count=Count("entries"))

    @admin.display(description="photos", ordering="_photo_count")
    def photo_count(self, album):
        return album._photo_count


class LiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "owner",
        "created_at",
        "expires_at",
        "revoked_at",
        "include_location",
        "allow_download",
    ]
    list_select_related = ["owner", "photo", "album"]
    list_filter = [LiveFilter, "include_location", "allow_download"]
    search_fields = ["owner__username", "album__title", "photo__filename", "photo__title"]
    date_hierarchy = "created_at"
    actions = ["revoke"]
    # Links are made by their owners only; staff see them and can revoke them.
    readonly_fields = [
        "owner",
        "photo",
        "album",
        "include_location",
        "allow_download",
        "created_at",
        "expires_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected links", permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for link in queryset.filter(revoked_at__isnull=True):
            share_services.share_revoke(link=link)
            count += 1
        self.message_user(
            request,
            ngettext("Revoked %d link.", "Revoked %d links.", count) % count,
            messages.SUCCESS,
        )
