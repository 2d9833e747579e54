"""PNG text chunks cost what is used: keywords are read before anything is inflated
(issue 10: 200 zTXt chunks of 8 MiB each cost 3.9 s of the metadata function's CPU)."""

import io
import time
import zlib

import pytest
from hostile_files import flat_png, png_chunk, png_with_text_after, ztxt_bomb
from PIL import Image, PngImagePlugin

from jobs.decoding import open_image, read_header
from jobs.metadata import extract
from jobs.renditions import render

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf'
    b'-syntax-ns#"><rdf:Description xmlns:exifEX="http://cipa.jp/exif/1.0/" '
    b'exifEX:LensModel="Hostile 50mm"/></rdf:RDF></x:xmpmeta>'
)


@pytest.fixture
def inflations(monkeypatch):
    """Every zlib inflate Pillow's PNG reader and the metadata job do, by size asked."""
    calls = []
    real = zlib.decompressobj

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(zlib, "decompressobj", counting)
    return calls


@pytest.mark.parametrize("before_idat", [True, False])
def test_opening_a_ztxt_bomb_inflates_nothing(inflations, before_idat):
    bomb = io.BytesIO(ztxt_bomb(count=20, before_idat=before_idat))

    header = read_header(bomb, limits=None)

    assert header.image.size == (64, 48)
    assert inflations == []  # the PNG's own IDAT is not inflated by a header read either


def test_a_header_read_inflates_not_even_the_text_the_renditions_keep(inflations):
    # given compressed XMP before the image data (Pillow would inflate it at open)
    xmp = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(XMP))
    png = flat_png(5, 4)
    data = io.BytesIO(png[:33] + xmp + png[33:])

    read_header(data)
    assert inflations == []

    # while the metadata job's own walk reads it, once
    data.seek(0)
    assert extract(data)["lens"] == "Hostile 50mm"
    assert len(inflations) == 1


def test_metadata_of_the_issues_bomb_is_cheap_and_still_finds_what_it_uses():
    # given the issue's 1.6 MB PNG (200 zTXt of 8 MiB each) with the XMP after the bombs
    bomb = ztxt_bomb(count=200)
    xmp = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP)
    data = png_with_text_after(bomb, [xmp])
    assert len(data) < 1_700_000

    # when
    started = time.process_time()
    record = extract(io.BytesIO(data))
    cpu = time.process_time() - started

    # then
    assert record["lens"] == "Hostile 50mm"
    assert cpu < 0.5  # was 3.9 s on the issue's machine (1.2 s here)


def test_renditions_of_a_ztxt_bomb_before_the_image_data_render():
    # Pillow alone refuses the first chunk over 1 MB ("corrupt PNG"): text nobody reads
    # must not cost the photo.
    result = render(io.BytesIO(ztxt_bomb(count=20, before_idat=True)))

    assert [r.width for r in result.renditions] == [64, 64, 64]


def test_orientation_in_an_imagemagick_exif_profile_is_still_applied(photos_dir):
    # given a 3 x 1 PNG whose only orientation is the "Raw profile type exif" text (6: turn)
    exif = Image.Exif()
    exif[0x0112] = 6
    blob = b"Exif\x00\x00" + exif.tobytes()
    hexdump = b"\nexif\n%8d\n" % len(blob) + blob.hex().encode()
    text = png_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + zlib.compress(hexdump))
    png = flat_png(3, 1)
    data = png[:33] + text + png[33:]

    # when
    result = render(io.BytesIO(data))

    # then: upright means 1 x 3
    assert (result.renditions[0].width, result.renditions[0].height) == (1, 3)


def test_the_text_skipping_reader_is_pillows_own_but_for_the_stream():
    # Guard for a Pillow upgrade: the reader is rebuilt from PngImageFile._open's code.
    code = PngImagePlugin.PngImageFile._open.__code__
    assert code.co_freevars == () and "PngStream" in code.co_names
    with open_image(io.BytesIO(flat_png(5, 4))) as image:
        assert type(image.png).__name__ == "_PngTextSkippingStream"
