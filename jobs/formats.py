"""The one table of file names, extensions and MIME types an upload may carry.

Django-free (the jobs sniff formats too, and this is where a new format gets added once):
the web app checks a declared type against `ACCEPTED_CONTENT_TYPES`, names the stored
original with `EXTENSIONS_BY_TYPE`, and hands `TYPES_BY_EXTENSION` to the upload page's
script through its config, so the browser guesses a type exactly as the server would.
What a file really is is decided later, by the jobs, from its bytes (jobs.decoding).
"""

import mimetypes

# What the site takes, by declared MIME type. The HEIF sequence types are what iPhones send
# for bursts and Live Photos; the jobs render their first frame.
# The containers Darkroom accepts, as DESIGN.md names them (and as `Image.format` reports them).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "HEIF", "AVIF", "MPO")

MIME_TYPES = {
    "JPEG": "image/jpeg",
    # An MPO is a JPEG with more frames after the first (3D cameras, iPhone HDR gain maps):
    # image/mpo is unregistered and browsers would download it rather than show it.
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "HEIF": "image/heic",  # image/heif when no brand says HEVC: see `sniff`
    "AVIF": "image/avif",
}

ACCEPTED_CONTENT_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/tiff",
    "image/heic",
    "image/heif",
    "image/heic-sequence",
    "image/heif-sequence",
    "image/avif",
    "image/mpo",
)

# What browsers and phones actually send, mapped to the one name the pipeline knows.
CONTENT_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/tif": "image/tiff",
}

# Browsers send an empty type (or octet-stream) for files the OS does not know, which is
# HEIC on most desktops: then the extension decides.
TYPES_BY_EXTENSION = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "png": "image/png",
    "apng": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "heif": "image/heif",
    "hif": "image/heif",
    "avif": "image/avif",
    "mpo": "image/mpo",
}

# The extension a stored original gets when its name has none.
EXTENSIONS_BY_TYPE = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/tiff": "tif",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/heic-sequence": "heic",
    "image/heif-sequence": "heif",
    "image/avif": "avif",
    "image/mpo": "mpo",
}

_UNKNOWN = ("", "application/octet-stream", "binary/octet-stream")


def normalise_content_type(content_type, filename: str = "") -> str:
    """The declared type as the pipeline names it: parameters dropped, aliases resolved, and
    an unknown type guessed from the file name's extension."""
    content_type = str(content_type or "").split(";", 1)[0].strip().lower()
    content_type = CONTENT_TYPE_ALIASES.get(content_type, content_type)
    if content_type in _UNKNOWN:
        ext = filename.rpartition(".")[2].lower() if "." in filename else ""
        guessed = TYPES_BY_EXTENSION.get(ext) or mimetypes.guess_type(f"x.{ext}")[0]
        content_type = guessed or content_type
    return content_type


def accept_attribute() -> str:
    """The file input's `accept`: every image type, plus the extensions of the types some
    browsers do not file under image/* (HEIC on most desktops)."""
    return ",".join(["image/*", *(f".{ext}" for ext in TYPES_BY_EXTENSION)])
