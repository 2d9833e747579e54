"""The photo page's form for the owner's words. Bounds come from the model; the service
tidies the text and has the last word (the API goes to it without this form).

The text areas' bounds are the browser's maxlength and the service's check, not a form
validator: a browser counts a line break as one character but sends it as two (CRLF), and
the service measures after turning those back into one."""

from django import forms

from .models import Photo


class PhotoWordsForm(forms.Form):
    title = forms.CharField(
        required=False, max_length=Photo._meta.get_field("title").max_length, strip=False
    )
    caption = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": Photo._meta.get_field("caption").max_length}
        ),
    )
    alt_text = forms.CharField(
        label="Alt text",
        required=False,
        strip=False,
        help_text="What the image shows, read out to people who cannot see it.",
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": Photo._meta.get_field("alt_text").max_length}
        ),
    )
