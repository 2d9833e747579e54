"""`python -m jobs` as a user runs it: a subprocess on real photos."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def run_jobs(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_metadata_one_line_per_file_in_order(photos_dir, tmp_path):
    # given good photos, a corrupt one and a missing one
    files = [
        photos_dir / "hopper.jpg",
        photos_dir / "broken.png",
        tmp_path / "missing.jpg",
        photos_dir / "hopper_orientation_6.jpg",
    ]

    # when
    done = run_jobs("metadata", *files)

    # then
    assert done.returncode == 0, done.stderr
    answers = lines(done.stdout)
    assert [a["path"] for a in answers] == [str(f) for f in files]
    assert [list(a)[0] for a in answers] == ["path"] * 4  # the path comes first
    hopper, broken, missing, portrait = answers
    assert hopper["ok"] is True and hopper["error"] is None
    assert (hopper["format"], hopper["width"], hopper["height"]) == ("JPEG", 128, 128)
    assert broken["ok"] is False and broken["error"]
    assert missing == {
        **dict.fromkeys(hopper),
        "path": str(files[2]),
        "ok": False,
        "error": "file not found",
    }
    assert broken.keys() == hopper.keys()
    assert all(broken[k] is None for k in hopper if k not in ("path", "ok", "error"))
    assert portrait["orientation"] == 6


def test_renditions_written_and_readable(photos_dir, tmp_path):
    # given two photos with the same stem, a corrupt one and a missing one
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(photos_dir / "hopper_orientation_6.jpg", other / "hopper.jpg")
    files = [
        photos_dir / "hopper.jpg",
        other / "hopper.jpg",
        photos_dir / "truncated_jpeg.jpg",
        tmp_path / "missing.heic",
    ]
    out = tmp_path / "out"

    # when
    done = run_jobs("renditions", *files, "--out", out)

    # then
    assert done.returncode == 0, done.stderr
    answers = lines(done.stdout)
    assert [a["path"] for a in answers] == [str(f) for f in files]
    first, second, truncated, missing = answers
    for answer in (first, second):
        assert answer["ok"] is True and answer["error"] is None
        assert answer["placeholder"]
        assert [r["name"] for r in answer["renditions"]] == ["thumb", "medium", "large"]
        for rendition in answer["renditions"]:
            path = Path(rendition["path"])
            assert path.stat().st_size == rendition["bytes"]
            with Image.open(path) as image:
                assert image.format == "WEBP"
                assert image.size == (rendition["width"], rendition["height"])
    # same stem, two folders: neither overwrote the other
    assert Path(first["renditions"][0]["path"]).parent == out / "hopper"
    assert Path(second["renditions"][0]["path"]).parent == out / "hopper-2"
    assert truncated == {
        "path": str(files[2]),
        "ok": False,
        "error": truncated["error"],
        "renditions": [],
        "placeholder": None,
    }
    assert truncated["error"]
    assert missing["ok"] is False and missing["error"] == "file not found"
    assert sorted(p.name for p in out.iterdir()) == ["hopper", "hopper-2"]


def test_heic_renditions_fit_their_sizes(photos_dir, tmp_path):
    done = run_jobs("renditions", photos_dir / "heif_pug.heic", "--out", tmp_path)

    assert done.returncode == 0, done.stderr
    (answer,) = lines(done.stdout)
    sizes = {r["name"]: (r["width"], r["height"]) for r in answer["renditions"]}
    assert sizes == {"thumb": (256, 192), "medium": (1024, 768), "large": (2048, 1536)}


def test_max_bytes_option_overrides_the_limit(photos_dir):
    done = run_jobs("metadata", photos_dir / "hopper.jpg", "--max-bytes", "1000")

    assert done.returncode == 0
    (answer,) = lines(done.stdout)
    assert answer["ok"] is False
    assert answer["error"] == "too large: 6.4 KB, limit 1 KB"


def test_max_pixels_option_overrides_the_limit(photos_dir, tmp_path):
    done = run_jobs(
        "renditions", photos_dir / "hopper.jpg", "--out", tmp_path, "--max-pixels", "1000"
    )

    assert done.returncode == 0
    (answer,) = lines(done.stdout)
    assert answer["ok"] is False
    assert answer["error"].startswith("too large")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["resize", "x.jpg"],
        ["metadata"],
        ["renditions", "x.jpg"],  # no --out
        ["metadata", "x.jpg", "--max-bytes", "lots"],
    ],
)
def test_usage_errors_exit_2_with_a_message(args):
    done = run_jobs(*args)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "usage: python -m jobs" in done.stderr


def test_out_must_be_a_directory(photos_dir, tmp_path):
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x")

    done = run_jobs("renditions", photos_dir / "hopper.jpg", "--out", not_a_dir)

    assert done.returncode == 2
    assert "not a directory" in done.stderr


def test_unicode_paths_round_trip(photos_dir, tmp_path):
    photo = tmp_path / "Été à Zürich.jpg"
    shutil.copy(photos_dir / "hopper.jpg", photo)

    done = run_jobs("metadata", photo, env={"LC_ALL": "C", "PYTHONIOENCODING": "ascii"})

    assert done.returncode == 0, done.stderr
    (answer,) = lines(done.stdout)
    assert answer["path"] == str(photo)
    assert answer["ok"] is True


def test_help_names_both_commands():
    done = run_jobs("--help")

    assert done.returncode == 0
    assert "metadata" in done.stdout and "renditions" in done.stdout
