"""The photo as JSON: one shape for the API, the upload page and the gallery's polling."""

from django.urls import reverse

from . import links, upload_state
from .models import PhotoStatus


def photo_to_dict(photo) -> dict:
    ready = photo.status == PhotoStatus.READY
    return {
        "id": str(photo.pk),
        "status": photo.status,
        "error": photo.error,
        "filename": photo.filename,
        "title": photo.title,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        # Decided once, in describe.py, for the server's templates and the page scripts alike.
        "name": photo.display_name,
        "alt": photo.alt,
        "created_at": photo.created_at.isoformat() if photo.created_at else None,
        "metadata": photo.metadata or {},
        "renditions": links.rendition_urls(photo) if ready else {},
        "renditions_size": (
            {name: [r.get("width"), r.get("height")] for name, r in photo.renditions.items()}
            if ready
            else {}
        ),
        "placeholder": photo.placeholder,
        "placeholder_data_url": photo.placeholder_data_url,
        "original_url": links.original_url(photo),
        "detail_url": reverse("photos:detail", kwargs={"photo_id": photo.pk}),
        "duplicate_of": str(photo.duplicate_of_id) if photo.duplicate_of_id else None,
        # Derived (upload_state.py): the transfer stopped; the page offers Retry and Remove.
        "interrupted": upload_state.is_interrupted(photo),
    }
