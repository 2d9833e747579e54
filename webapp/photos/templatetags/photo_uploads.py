"""What the pages say about uploads that stopped and failures that would repeat
(upload_state.py decides; the templates only ask)."""

from django import template

from .. import upload_state

register = template.Library()


@register.filter
def upload_interrupted(photo) -> bool:
    return upload_state.is_interrupted(photo)


@register.filter
def fails_again(photo) -> bool:
    return upload_state.fails_again(photo)
