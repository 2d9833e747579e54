"""The one failure the jobs treat as final.

Anything that is *not* a NotAnImage (network, throttling, a bug) propagates so that Lambda,
Celery or the caller retries; a NotAnImage is recorded as a failed photo and never retried,
because the same bytes will fail the same way forever.
"""


class NotAnImage(Exception):
    """The file cannot become a photo. `reason` is short, human and shown to the uploader."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TooLarge(NotAnImage):
    """Over the byte or pixel limit (decompression bombs included)."""


def human_bytes(n: int) -> str:
    """50 MB, 1.2 MB, 830 KB: sizes as the error messages show them (decimal units)."""
    if n >= 1_000_000:
        value, unit = n / 1_000_000, "MB"
    elif n >= 1_000:
        value, unit = n / 1_000, "KB"
    else:
        return f"{n} bytes"
    return f"{value:.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
