"""How often `jobs.metadata.extract` agrees with ExifTool on the record's fields.

Run standalone: `.venv/bin/python tests/bench/exiftool_agreement.py [FILE_OR_DIR...]` (default
corpus: tests/data/photos and tests/data/corpus). `main()` returns the figures for the
bench runner; `measure()` is what tests/jobs/test_exiftool_agreement.py asserts on.

The reference is `exiftool -j -n` (machine-readable values, ExifTool's own choice among
duplicate tags), mapped onto the record:

| field | ExifTool |
| --- | --- |
| format | FileType (APNG -> PNG, "Extended WEBP" -> WEBP, HEIC/HEIF -> HEIF) |
| mime | MIMEType (image/apng -> image/png) |
| bytes | FileSize |
| width, height | ImageWidth/ImageHeight swapped for Orientation 5-8 (HEIF/AVIF: Rotation 90/270) |
| orientation | Orientation (1-8, else none) |
| taken_at | DateTimeOriginal + SubSecTimeOriginal (.fff) + OffsetTimeOriginal, parsed like ours |
| camera_make, camera_model | Make, Model (trimmed) |
| lens | LensModel, else LensID/LensType when text (not a numeric lens code) |
| exposure_time, f_number, focal_length | ExposureTime, FNumber, FocalLength (relative 1e-3) |
| iso | ISO (EXIF, else ExifTool's maker-note/Composite ISO), rounded |
| gps.lat, .lon, .alt | Composite:GPSLatitude/Longitude/Altitude (signed; 1e-6 deg, 1e-3 m) |

A field agrees when both sides have the same value, or when both have none. Files we refuse
(NotAnImage) are listed apart and do not count: ExifTool reads whatever it can of any file.
"""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jobs.errors import NotAnImage  # noqa: E402
from jobs.exif import format_taken_at  # noqa: E402
from jobs.metadata import FIELDS as METADATA_FIELDS  # noqa: E402
from jobs.metadata import extract  # noqa: E402

CORPUS = (ROOT / "tests" / "data" / "photos", ROOT / "tests" / "data" / "corpus")
# The contract's fields that ExifTool also reports (it has no verdict, hash or "every other
# tag", nor place names), with GPS compared per coordinate.
_NOT_COMPARED = {"ok", "error", "sha256", "exif", "place"}
FIELDS = tuple(
    part
    for field in METADATA_FIELDS
    if field not in _NOT_COMPARED
    for part in (("gps.lat", "gps.lon", "gps.alt") if field == "gps" else (field,))
)
TAGS = (
    "FileType",
    "MIMEType",
    "FileSize",
    "ImageWidth",
    "ImageHeight",
    "Orientation",
    "Rotation",
    "DateTimeOriginal",
    "SubSecTimeOriginal",
    "OffsetTimeOriginal",
    "Make",
    "Model",
    "LensModel",
    "LensID",
    "LensType",
    "ExposureTime",
    "FNumber",
    "FocalLength",
    "ISO",
    "Composite:GPSLatitude",
    "Composite:GPSLongitude",
    "Composite:GPSAltitude",
)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif"}
IMAGE_SUFFIXES |= {".hif", ".avif", ".mpo"}
FORMATS = {"APNG": "PNG", "Extended WEBP": "WEBP", "HEIC": "HEIF", "HEIF": "HEIF"}
MIMES = {"image/apng": "image/png"}


def corpus_files(paths=CORPUS) -> list[Path]:
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            files.append(path)
    return files


def exiftool_records(files: list[Path]) -> dict[Path, dict]:
    args = ["exiftool", "-j", "-n", "-q", "-q", *(f"-{tag}" for tag in TAGS)]
    out = subprocess.run([*args, *map(str, files)], capture_output=True, check=False).stdout
    return {Path(entry["SourceFile"]): entry for entry in json.loads(out or b"[]")}


def reference(tool: dict) -> dict:
    """ExifTool's answer in the record's terms."""
    file_type = tool.get("FileType")
    width, height = tool.get("ImageWidth"), tool.get("ImageHeight")
    orientation = tool.get("Orientation")
    orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None
    if file_type in ("HEIC", "HEIF", "AVIF"):
        swap = tool.get("Rotation") in (90, 270)
    else:
        swap = orientation in (5, 6, 7, 8)
    if swap:
        width, height = height, width
    mime = tool.get("MIMEType")
    return {
        "format": "MPO" if file_type == "MPO" else FORMATS.get(file_type, file_type),
        "mime": MIMES.get(mime, mime),
        "bytes": tool.get("FileSize"),
        "width": width,
        "height": height,
        "orientation": orientation,
        "taken_at": format_taken_at(
            _string(tool.get("DateTimeOriginal")),
            _string(tool.get("SubSecTimeOriginal")),
            _string(tool.get("OffsetTimeOriginal")),
        ),
        "camera_make": _string(tool.get("Make")),
        "camera_model": _string(tool.get("Model")),
        "lens": _lens(tool),
        "exposure_time": _number(tool.get("ExposureTime")),
        "f_number": _number(tool.get("FNumber")),
        "focal_length": _number(tool.get("FocalLength")),
        "iso": round(iso) if (iso := _number(tool.get("ISO"))) else None,
        "gps.lat": _number(tool.get("GPSLatitude")),
        "gps.lon": _number(tool.get("GPSLongitude")),
        "gps.alt": _number(tool.get("GPSAltitude"))
        if tool.get("GPSLatitude") is not None
        else None,
    }


def _string(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _number(value) -> float | None:
    if isinstance(value, str):
        value = value.split()[0] if value.split() else None  # "a b" lists: the first
        try:
            value = float(value) if value is not None else None
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value > 0 or value < 0 else None


def _lens(tool: dict) -> str | None:
    for tag in ("LensModel", "LensID", "LensType"):
        value = _string(tool.get(tag))
        if value and not _is_number(value):
            return value
    return None


def _is_number(value: str) -> bool:
    try:
        float(value.split()[0])
    except ValueError:
        return False
    return True


def ours(record: dict) -> dict:
    gps = record.get("gps") or {}
    flat = {field: record.get(field) for field in FIELDS if not field.startswith("gps.")}
    flat.update({"gps.lat": gps.get("lat"), "gps.lon": gps.get("lon"), "gps.alt": gps.get("alt")})
    return flat


def agrees(field: str, mine, theirs) -> bool:
    if mine is None or theirs is None:
        return mine is None and theirs is None
    if field in ("gps.lat", "gps.lon"):
        return abs(mine - theirs) <= 1e-6
    if field == "gps.alt":
        return abs(mine - theirs) <= 1e-3
    if isinstance(mine, float) or isinstance(theirs, float):
        return math.isclose(mine, theirs, rel_tol=1e-3)
    return mine == theirs


def measure(paths=CORPUS) -> dict:
    """Per-field and overall agreement, the disagreements, and the files we refused."""
    if shutil.which("exiftool") is None:
        raise RuntimeError("exiftool is not installed (make sysdeps)")
    files = corpus_files(paths)
    tool = exiftool_records(files)
    per_field = {field: [0, 0] for field in FIELDS}
    disagreements, refused, cameras = [], {}, set()
    for path in files:
        try:
            mine = ours(extract(path))
        except NotAnImage as exc:
            refused[path.name] = exc.reason
            continue
        theirs = reference(tool.get(path, {}))
        if theirs["camera_make"] or theirs["camera_model"]:
            cameras.add(f"{theirs['camera_make'] or ''} {theirs['camera_model'] or ''}".strip())
        for field in FIELDS:
            per_field[field][1] += 1
            if agrees(field, mine[field], theirs[field]):
                per_field[field][0] += 1
            else:
                disagreements.append((path.name, field, mine[field], theirs[field]))
    agreed = sum(good for good, _ in per_field.values())
    total = sum(count for _, count in per_field.values())
    return {
        "files": len(files) - len(refused),
        "cameras": sorted(cameras),
        "overall": agreed / total if total else 0.0,
        "fields": {field: good / count for field, (good, count) in per_field.items() if count},
        "disagreements": disagreements,
        "refused": refused,
    }


def main(argv: list[str] | None = None) -> dict:
    args = sys.argv[1:] if argv is None else argv
    figures = measure(args or CORPUS)
    print(f"ExifTool agreement over {figures['files']} files ({len(figures['cameras'])} cameras)")
    for field, share in figures["fields"].items():
        print(f"  {field:<14} {share:7.1%}")
    print(f"  {'overall':<14} {figures['overall']:7.2%}")
    for name, field, mine, theirs in figures["disagreements"]:
        print(f"  differs: {name} {field}: ours {mine!r}, exiftool {theirs!r}")
    for name, reason in figures["refused"].items():
        print(f"  refused: {name}: {reason}")
    return figures


def run() -> str:
    """The Markdown section `make bench` prints (tests/bench/run.py)."""
    figures = measure(CORPUS)
    rows = [f"| {field} | {share:.1%} |" for field, share in figures["fields"].items()]
    lines = [
        "## Metadata: agreement with ExifTool",
        "",
        f"{figures['files']} files from {len(figures['cameras'])} cameras "
        f"(tests/data/photos + tests/data/corpus), `exiftool -j -n` as the reference.",
        "",
        "| field | agreement |",
        "| --- | ---: |",
        *rows,
        f"| **overall** | **{figures['overall']:.2%}** |",
    ]
    if figures["disagreements"]:
        lines += ["", "Disagreements:"]
        lines += [
            f"- {name} `{field}`: ours {mine!r}, ExifTool {theirs!r}"
            for name, field, mine, theirs in figures["disagreements"]
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
