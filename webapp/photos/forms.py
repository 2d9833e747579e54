"""The photo page's form for the owner's words. Bounds come from the model; the service
tidies the text and has the last word (the API goes to it without this form)."""

from django import forms

from .models import Photo


class PhotoWordsForm(forms.Form):
    title = forms.CharField(
        required=False, max_length=Photo._meta.get_field("title").max_length, strip=False
    )
    caption = forms.CharField(
        required=False,
        max_length=Photo._meta.get_field("caption").max_length,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    alt_text = forms.CharField(
        label="Alt text",
        required=False,
        max_length=Photo._meta.get_field("alt_text").max_length,
        strip=False,
        help_text="What the image shows, read out to people who cannot see it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
