"""ICC profiles: capped in size, transforms cached by digest, failures never cached
(issue 10: six TIFFs with 20 MB random profiles left 161 MB pinned in a warm process)."""

import io
import tracemalloc

import pytest
from hostile_files import random_bytes, tiff_with_icc
from PIL import Image

from jobs import imaging
from jobs.decoding import open_image
from jobs.renditions import render


@pytest.fixture
def display_p3(photos_dir) -> bytes:
    with open_image(photos_dir / "heif_pug.heic") as image:
        return image.info["icc_profile"]


@pytest.fixture(autouse=True)
def empty_cache():
    imaging._transforms.clear()
    yield
    imaging._transforms.clear()


def test_random_20_mb_profiles_leave_nothing_behind():
    # given six TIFFs each carrying 20 MB of noise as their ICC profile
    tiffs = [tiff_with_icc(random_bytes(20_000_000, seed)) for seed in range(6)]

    # when rendered one after the other in one warm process
    tracemalloc.start()
    try:
        for tiff in tiffs:
            render(io.BytesIO(tiff))
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then nothing of them is kept
    assert imaging._transforms == {}
    assert retained < 5_000_000


def test_a_profile_over_the_cap_is_ignored_unparsed(monkeypatch, display_p3):
    parsed = []
    monkeypatch.setattr(imaging, "_build_transform", lambda *a: parsed.append(a))
    orange = Image.new("RGB", (2, 2), (200, 120, 60))
    oversized = display_p3 + b"\x00" * imaging.MAX_ICC_BYTES

    assert imaging.to_srgb(orange, oversized) is orange
    assert parsed == []


def test_an_unreadable_profile_is_not_cached():
    broken = random_bytes(3_000, seed=1)
    image = Image.new("RGB", (2, 2), (200, 120, 60))

    assert imaging.to_srgb(image, broken) is image
    assert imaging.to_srgb(image, broken) is image
    assert len(imaging._transforms) == 0


def test_transforms_are_cached_by_digest_and_bounded(display_p3):
    image = Image.new("RGB", (2, 2), (200, 120, 60))

    imaging.to_srgb(image, display_p3)
    first = imaging._transform_for(display_p3, "RGB")
    assert imaging._transform_for(bytes(display_p3), "RGB") is first  # equal bytes, one entry
    (key,) = imaging._transforms
    assert key[0] != display_p3 and len(key[0]) == 32  # a digest, never the profile

    for n in range(imaging.TRANSFORM_CACHE_SIZE + 4):
        # same profile, a different description byte: a distinct, still readable profile
        variant = display_p3 + b"\x00" * (n + 1)
        imaging._transform_for(variant, "RGB")
    assert len(imaging._transforms) == imaging.TRANSFORM_CACHE_SIZE
