"""A photo's name and its words for people who cannot see it, decided in one place.

The templates (through Photo.display_name and Photo.alt), the API (serializers) and the page
scripts (which read the API's `name` and `alt`) all ask here, so a card drawn by the server
and the same card redrawn by the browser say the same thing.
"""

import re
from datetime import datetime

from .facts import facts_of

# Corporate words makers put in the EXIF make ("NIKON CORPORATION", "CASIO COMPUTER
# CO.,LTD.", "OLYMPUS IMAGING CORP.") that nobody says when naming a camera.
_CORPORATE = {
    "ag",
    "co",
    "company",
    "computer",
    "corp",
    "corporation",
    "gmbh",
    "imaging",
    "inc",
    "limited",
    "ltd",
}
_WORD = re.compile(r"[A-Za-z0-9]+")


def _brand(make: str) -> str:
    """ "NIKON CORPORATION" -> "NIKON"; "PENTAX RICOH IMAGING" -> "PENTAX RICOH"."""
    words = make.split()
    while len(words) > 1 and all(part.lower() in _CORPORATE for part in _WORD.findall(words[-1])):
        words.pop()
    return " ".join(words).rstrip(",.")


def camera_name(make: str | None, model: str | None) -> str:
    """ "Canon" + "Canon EOS R5" reads "Canon EOS R5", "NIKON CORPORATION" + "NIKON D800"
    reads "NIKON D800", "OLYMPUS IMAGING CORP." + "E-P3" reads "OLYMPUS E-P3"."""
    make = _brand((make or "").strip())
    model = (model or "").strip()
    if make and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(part for part in (make, model) if part)


def day(moment: datetime) -> str:
    """3 May 2024 (the photo page's way of writing a date)."""
    return f"{moment.day} {moment:%b %Y}"


def display_name(photo) -> str:
    """What the photo is called on pages: its title when it has one, else its file name."""
    return (photo.title or "").strip() or photo.filename


def description(photo) -> str:
    """Words about the picture from what is known of it, never only its file name:
    "Photo taken 3 May 2024 with a Canon EOS R5", "Photo uploaded 2 Dec 2026"."""
    facts = facts_of(photo)
    camera = camera_name(facts.camera_make, facts.camera_model)
    if facts.taken_at or camera:
        words = ["Photo taken"]
        if facts.taken_at:
            words.append(day(facts.taken_at))
        if camera:
            words.append(f"with {_article(camera)} {camera}")
        return " ".join(words)
    if photo.created_at:
        return f"Photo uploaded {day(photo.created_at)}"
    return "Photo"


def alt_text(photo) -> str:
    """An image's `alt`: the owner's alt text, else the title, else the description."""
    return (photo.alt_text or "").strip() or (photo.title or "").strip() or description(photo)


def _article(name: str) -> str:
    # By spelling, which is right for the names cameras carry ("an Olympus", "an iPhone",
    # "a Canon"); initialisms read letter by letter ("an NX1000") are rare enough to accept.
    return "an" if name[:1].lower() in "aeiou" else "a"
