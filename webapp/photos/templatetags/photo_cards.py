"""The gallery's photo cards, rendered in Python: `{% photo_cards photos %}`.

A gallery page shows 48 cards, and the template engine spent about 0.18 ms on each one (some
twenty nodes, an include and a reverse() per card): two thirds of the page. Written here with
plain string building, a card costs a few microseconds (tests/bench/gallery_page.py has the
figures). The markup is the one cardFor() in static/photos/photo-card.js builds when a card's
photo settles: keep the two in step. Every value from the photo
goes through escape() (html.escape, quotes included).
"""

from html import escape as _escape

from django import template
from django.template.base import template_localtime
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

from .. import links, upload_state
from ..models import PhotoStatus
from ..storage import photo_storage
from .photo_images import photo_img

register = template.Library()

# The columns a card reads (the name, the alt words from the date and camera, the renditions
# and their version, the state): the gallery loads only these, since building 48 model
# instances of every column was a visible share of the page. A card that reads another
# column must add it here, or every card costs a query (test_pages counts them).
CARD_FIELDS = (
    "id", "owner_id", "status", "error", "filename", "title", "alt_text", "created_at",
    "processed_at", "source_etag", "renditions", "placeholder_data_url", "duplicate_of_id",
    # facts_of(), for the alt text of a photo without words of its own
    "taken_at", "taken_at_offset", "camera_make", "camera_model", "lens", "exposure_time",
    "f_number", "focal_length", "iso", "gps_lat", "gps_lon", "gps_alt",
)  # fmt: skip
THUMB_SIZES = "(min-width: 1240px) 236px, (min-width: 720px) 30vw, 47vw"
RETRY_ACCEPT = "image/*,.heic,.heif,.avif"


@register.simple_tag
def photo_cards(photos, browse_qs: str = "") -> str:
    """Every card of the page, in order; `browse_qs`, the gallery's order and filters, goes
    on each card's link (the viewer and the photo page walk the same photos). The storage
    and the page route are looked up once per page, not per card."""
    storage, detail_url, months = photo_storage(), links.detail_urls(), month_abbreviations()
    return mark_safe(
        "".join(
            card_html(
                photo, storage=storage, detail_url=detail_url, browse_qs=browse_qs, months=months
            )
            for photo in photos
        )
    )


def month_abbreviations() -> tuple[str, ...]:
    """The twelve months as |date:"M" writes them in the active language ("Jan"...), with ""
    before January so a month's number indexes it. Looked up once per page: dateformat's
    general formatter, twice per card, was the cards' largest cost."""
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


@register.simple_tag
def photo_card(photo, browse_qs: str = "") -> str:
    return mark_safe(card_html(photo, browse_qs=browse_qs))


def escape(value) -> str:
    # The standard library's, as django.utils.html.escape does underneath, without its lazy
    # string wrapper: a card escapes a dozen values and a page has 48 cards.
    return _escape(str(value), quote=True)


def card_html(
    photo,
    *,
    storage=None,
    detail_url=links.detail_url,
    browse_qs: str = "",
    months: tuple[str, ...] | None = None,
) -> str:
    status = photo.status
    name = escape(photo.display_name)
    interrupted = status == PhotoStatus.UPLOADING and upload_state.is_interrupted(photo)
    if status == PhotoStatus.READY:
        # The thumbnail's alt says what it shows (Photo.alt); the name below it names it.
        urls = (storage or photo_storage()).rendition_urls(photo)
        frame = photo_img(
            photo, "thumb medium", THUMB_SIZES, "photo-card__img", "lazy", photo.alt, urls=urls
        )
    elif status == PhotoStatus.FAILED:
        frame = '<span class="photo-card__state photo-card__state--failed">Failed</span>'
    elif interrupted:
        frame = (
            '<span class="photo-card__state photo-card__state--interrupted">'
            "Upload interrupted</span>"
        )
    else:
        frame = (
            '<span class="photo-card__state"><span class="spinner" aria-hidden="true"></span>'
            f"{escape(photo.get_status_display())}…</span>"
        )
    if status == PhotoStatus.FAILED:
        after = f'<p class="photo-card__error">{escape(photo.error or "Processing failed")}</p>'
    elif interrupted:
        # Retry: the file picked again goes to the same photo (gallery.js, upload-transfer.js).
        after = (
            '<div class="photo-card__actions" data-interrupted>'
            '<label class="button button--small">Retry<input class="visually-hidden '
            f'photo-card__retry" type="file" accept="{RETRY_ACCEPT}" '
            f'aria-label="Retry {name}: pick the file again"></label>'
            '<button type="button" class="button button--small photo-card__remove" '
            f'aria-label="Remove {name}">Remove</button></div>'
        )
    elif photo.duplicate_of_id:
        after = '<p class="photo-card__note">Duplicate</p>'
    else:
        after = ""
    status_attr = escape(status)
    href = detail_url(photo) + (f"?{browse_qs}" if browse_qs else "")
    if photo.taken_at:
        # As the template's |date:"Y-m-d" and |date:"j M Y" did: the wall clock as stored,
        # in the current time zone.
        taken = template_localtime(photo.taken_at)
        month = (months or month_abbreviations())[taken.month]
        date = (
            f'<time class="photo-card__date" datetime="{taken.year:04d}-{taken.month:02d}-'
            f'{taken.day:02d}">{taken.day} {escape(month)} {taken.year:04d}</time>'
        )
    else:
        date = '<span class="photo-card__date photo-card__date--unknown">No date taken</span>'
    # The selection's checkbox (selection.js), outside the link that opens the photo (the
    # viewer, viewer.js, or without scripts the photo page).
    select = (
        '<label class="photo-card__select"><input type="checkbox" class="photo-card__check" '
        f'value="{photo.pk}"><span class="visually-hidden">Select {name}</span></label>'
    )
    return (
        f'<li class="photo-card photo-card--{status_attr}" data-photo-id="{photo.pk}" '
        f'data-status="{status_attr}">'
        f'<a class="photo-card__link" href="{escape(href)}">'
        f'<span class="photo-card__frame">{frame}</span>'
        f'<span class="photo-card__name">{name}</span>{date}</a>{select}{after}</li>\n'
    )
