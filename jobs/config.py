"""Limits and rendition sizes, from the environment with sane defaults.

Read once per process (module-level in the handlers): a Lambda container or a worker keeps
the same configuration for its whole life.
"""

import os
from dataclasses import dataclass, field

# The share of a function's memory the decoded pixels and their working copies may take.
DECODE_SHARE = 0.7

DEFAULT_SIZES = {"thumb": 256, "medium": 1024, "large": 2048}


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _sizes_env(name: str) -> dict[str, int]:
    # "thumb=256,medium=1024,large=2048"
    raw = os.environ.get(name, "").strip()
    if not raw:
        return dict(DEFAULT_SIZES)
    sizes = {}
    for part in raw.split(","):
        label, _, px = part.partition("=")
        sizes[label.strip()] = int(px)
    return sizes


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000
    # 200 MP: the largest phone sensors today. Anything above is refused before decoding.
    max_pixels: int = 200_000_000
    sizes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    webp_quality: int = 80
    # The memory of the function that runs the job (Lambda's MB are MiB). Decoding is
    # budgeted against it before a pixel is decoded; the default is the thumbnails
    # function's, so a photo refused on AWS is refused on a laptop too.
    memory_mb: int = 1769

    @property
    def decode_budget(self) -> int:
        """Bytes a render may hold at its peak: the rest is the interpreter, the native
        libraries, the encoders' buffers and the allocator's slack."""
        return int(self.memory_mb * 2**20 * DECODE_SHARE)

    @classmethod
    def from_env(cls) -> "Limits":
        """The defaults above, overridden by the environment. The web settings read their
        upload limits from here too, so each default is written once."""
        return cls(
            max_bytes=_int_env("PHOTOS_MAX_UPLOAD_BYTES", cls.max_bytes),
            max_pixels=_int_env("PHOTOS_MAX_PIXELS", cls.max_pixels),
            sizes=_sizes_env("PHOTOS_RENDITION_SIZES"),
            webp_quality=_int_env("PHOTOS_WEBP_QUALITY", cls.webp_quality),
            # Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE to each function's own memory, so
            # every stage gets its figure without repeating it in zappa_settings.json (where
            # metadata inherits thumbnails' environment); the setting wins elsewhere.
            memory_mb=_int_env(
                "PHOTOS_JOB_MEMORY_MB", _int_env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", cls.memory_mb)
            ),
        )
