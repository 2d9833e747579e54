"""The outcome shapes (jobs.results) and the placeholder PNG the renditions job carries."""

import base64
import io
import re
import time

from PIL import Image

from jobs.placeholder import data_url_for
from jobs.renditions import render
from jobs.results import done_outcome, failed_outcome, utc_now

FIXED_WIDTH_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_a_failed_outcome_has_the_one_shape_every_runner_records():
    started = time.monotonic() - 0.25

    outcome = failed_outcome("took too long: over 120 s", "etag-1", started)

    assert outcome == {
        "status": "failed",
        "error": "took too long: over 120 s",
        "source_etag": "etag-1",
        "finished_at": outcome["finished_at"],
        "duration_ms": outcome["duration_ms"],
    }
    assert FIXED_WIDTH_UTC.match(outcome["finished_at"])
    assert 250 <= outcome["duration_ms"] < 5000


def test_without_a_start_the_duration_is_zero_and_done_has_its_result():
    assert failed_outcome("x", "e")["duration_ms"] == 0
    done = done_outcome({"a": 1}, "e")
    assert (done["status"], done["result"], done["source_etag"]) == ("done", {"a": 1}, "e")


def test_utc_now_sorts_as_time():
    first = utc_now()
    time.sleep(0.002)
    assert FIXED_WIDTH_UTC.match(first) and utc_now() > first


def _png(data_url: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert data_url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(data_url[len(prefix) :])))


def test_the_renditions_carry_a_small_png_placeholder_of_the_photo_shape():
    source = io.BytesIO()
    Image.new("RGB", (600, 300), (200, 30, 30)).save(source, "JPEG")
    source.seek(0)

    rendition_set = render(source)

    image = _png(rendition_set.placeholder_data_url)
    assert image.format == "PNG"
    assert image.size == (32, 16)
    assert len(rendition_set.placeholder_data_url) < 2000
    red, green, blue = image.convert("RGB").getpixel((16, 8))
    assert red > 150 and green < 90 and blue < 90


def test_no_hash_no_png():
    assert data_url_for("", (10, 10)) == ""
