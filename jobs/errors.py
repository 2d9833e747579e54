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


class Superseded(Exception):
    """The object the event names is no longer there as it was (overwritten or deleted).

    Not a failure of the photo and nothing to retry: the event for whatever replaced it
    (S3 sends one per write) is the one to act on.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def human_bytes(n: int) -> str:
    """1.9 GB, 50 MB, 1.2 MB, 830 KB: sizes as the error messages show them (decimal units)."""
    if n >= 1_000_000_000:
        value, unit = n / 1_000_000_000, "GB"
    elif n >= 1_000_000:
        value, unit = n / 1_000_000, "MB"
    elif n >= 1_000:
        value, unit = n / 1_000, "KB"
    else:
        return f"{n} bytes"
    return f"{value:.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
