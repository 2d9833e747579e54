"""<img> tags for renditions: srcset with each rendition's real width, width/height so the
layout does not jump, and the blurred placeholder painted behind while the file loads.

The placeholder and the width cap travel as data attributes that app.js turns into styles:
the Content-Security-Policy allows no inline style attribute (style-src 'self'), while
styles set from a script through the CSSOM are not inline styles and stay allowed."""

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe

from .. import links

register = template.Library()


def escape(value) -> str:
    # html.escape, as django.utils.html.escape uses, minus its lazy-string wrapper (per card).
    return _escape(str(value), quote=True)


@register.simple_tag
def photo_img(
    photo,
    names: str,
    sizes: str,
    css_class: str = "",
    loading: str = "lazy",
    alt=None,
    natural_max: bool = False,
    urls: dict | None = None,
):
    """`names`: space-separated renditions, smallest first, e.g. "thumb medium".

    `natural_max`: never draw the image wider than its largest rendition. With srcset and
    sizes the browser gives the image the width `sizes` promises, so a 128 px photo would
    otherwise be blown up to fill the photo page.

    `urls`: the photo's rendition URLs when the caller has them already (the gallery's cards).
    """
    if urls is None:
        urls = links.rendition_urls(photo)
    renditions = photo.renditions or {}
    available = [
        (name, renditions[name]) for name in names.split() if name in urls and name in renditions
    ]
    if not available:
        return ""
    # Built with escape() per value rather than format_html: this runs for every card of a
    # gallery page, and format_html's per-argument SafeString checks were a visible share of
    # the page's time (tests/bench/gallery_page.py).
    srcset = ", ".join(f"{urls[name]} {int(info['width'])}w" for name, info in available)
    largest = available[-1][1]
    css = "photo-img " + css_class if css_class else "photo-img"
    return mark_safe(
        f'<img class="{escape(css)}" src="{escape(urls[available[0][0]])}" '
        f'srcset="{escape(srcset)}" sizes="{escape(sizes)}" width="{int(largest["width"])}" '
        f'height="{int(largest["height"])}" alt="{escape(photo.alt if alt is None else alt)}" '
        f'loading="{escape(loading)}" decoding="async"'
        f"{_style_data(photo.placeholder_data_url, largest['width'] if natural_max else None)}>"
    )


def _style_data(placeholder: str, max_width: int | None) -> str:
    # Data attributes, not a style attribute (the Content-Security-Policy allows none): the
    # page's script paints them.
    attributes = ""
    if placeholder:
        attributes += f' data-placeholder="{escape(placeholder)}"'
    if max_width:
        attributes += f' data-max-width="{int(max_width)}"'
    return attributes
