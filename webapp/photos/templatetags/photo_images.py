"""<img> tags for renditions: srcset with each rendition's real width, width/height so the
layout does not jump, and the blurred placeholder painted behind while the file loads.

The placeholder and the width cap travel as data attributes that app.js turns into styles:
the Content-Security-Policy allows no inline style attribute (style-src 'self'), while
styles set from a script through the CSSOM are not inline styles and stay allowed."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import links

register = template.Library()


@register.simple_tag
def photo_img(
    photo,
    names: str,
    sizes: str,
    css_class: str = "",
    loading: str = "lazy",
    alt=None,
    natural_max: bool = False,
):
    """`names`: space-separated renditions, smallest first, e.g. "thumb medium".

    `natural_max`: never draw the image wider than its largest rendition. With srcset and
    sizes the browser gives the image the width `sizes` promises, so a 128 px photo would
    otherwise be blown up to fill the photo page.
    """
    urls = links.rendition_urls(photo)
    available = [
        (name, photo.renditions[name])
        for name in names.split()
        if name in urls and name in (photo.renditions or {})
    ]
    if not available:
        return ""
    srcset = ", ".join(f"{urls[name]} {info['width']}w" for name, info in available)
    largest = available[-1][1]
    placeholder = photo.placeholder_data_url
    return format_html(
        '<img class="{}" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async"{}>',
        " ".join(filter(None, ["photo-img", css_class])),
        urls[available[0][0]],
        srcset,
        sizes,
        largest["width"],
        largest["height"],
        photo.alt if alt is None else alt,
        loading,
        _style_data(placeholder, largest["width"] if natural_max else None),
    )


def _style_data(placeholder: str, max_width: int | None):
    attributes = []
    if placeholder:
        attributes.append(format_html(' data-placeholder="{}"', placeholder))
    if max_width:
        attributes.append(format_html(' data-max-width="{}"', int(max_width)))
    # Each attribute is already escaped by format_html; joining must not escape them again.
    return mark_safe("".join(attributes))
