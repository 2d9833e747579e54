"""`python -m jobs`: the jobs on local files, without Django, AWS or a server.

    python -m jobs metadata FILE...            one JSON object per line, per file, in order
    python -m jobs renditions FILE... --out DIR

Every file gets an answer line, bad ones included (`"ok": false` and a short reason), and the
exit status is 0 when every file was answered. 2 is a usage error; 1 means a file hit an
unexpected error (a bug: its traceback goes to stderr, and its line says so).
"""

import argparse
import json
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from jobs.config import Limits
from jobs.errors import NotAnImage
from jobs.storage import LocalStore, check_size


class _Unexpected(Exception):
    """A file that failed for a reason that is not the file's fault."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "renditions" and Path(args.out).exists() and not Path(args.out).is_dir():
        parser.error(f"--out {args.out}: not a directory")
    limits = Limits.from_env()
    if args.max_bytes is not None:
        limits = replace(limits, max_bytes=args.max_bytes)
    if args.max_pixels is not None:
        limits = replace(limits, max_pixels=args.max_pixels)
    if args.command == "metadata":
        answers = (_metadata(path, limits) for path in args.files)
    else:
        answers = _renditions_all(args.files, Path(args.out), limits)
    status = 0
    for answer, unexpected in answers:
        # ASCII-only JSON: exact on any terminal or pipe encoding.
        print(json.dumps(answer, default=str), flush=True)
        if unexpected:
            status = 1
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jobs",
        description="Darkroom's side jobs on local files: one JSON line per file, in order.",
        epilog='Exit status: 0 when every file was answered (even with "ok": false), '
        "2 for a usage error, 1 when a file hit an unexpected error.",
    )
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument(
        "--max-bytes",
        type=_positive_int,
        metavar="N",
        help="refuse files larger than N bytes (default: PHOTOS_MAX_UPLOAD_BYTES or 50 MB)",
    )
    limits.add_argument(
        "--max-pixels",
        type=_positive_int,
        metavar="N",
        help="refuse images over N pixels (default: PHOTOS_MAX_PIXELS or 200 million)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    metadata = commands.add_parser(
        "metadata",
        parents=[limits],
        help="print each file's metadata record (EXIF, size, dimensions as displayed)",
        description="Print one metadata record per file, as a JSON line, with its path first.",
    )
    metadata.add_argument("files", nargs="+", metavar="FILE")
    renditions = commands.add_parser(
        "renditions",
        parents=[limits],
        help="write each file's WebP renditions under --out",
        description="Write the renditions of each file to DIR/<file name stem>/<name>.webp "
        "and print one JSON line per file.",
    )
    renditions.add_argument("files", nargs="+", metavar="FILE")
    renditions.add_argument(
        "--out", required=True, metavar="DIR", help="directory to write into (created if missing)"
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _metadata(path: str, limits: Limits) -> tuple[dict, bool]:
    from jobs.metadata import extract

    try:
        _check_file(path, limits)
        record = extract(path, limits=limits)
    except NotAnImage as exc:
        return _failed_metadata(path, exc.reason), False
    except _Unexpected as exc:
        return _failed_metadata(path, str(exc)), True
    except Exception as exc:
        return _failed_metadata(path, _report_unexpected(path, exc)), True
    return {"path": path, **record}, False


def _failed_metadata(path: str, reason: str) -> dict:
    from jobs.metadata import FIELDS

    answer = {"path": path, **dict.fromkeys(FIELDS)}
    answer.update(ok=False, error=reason)
    return answer


def _renditions_all(paths: list[str], out: Path, limits: Limits):
    from jobs.renditions import render

    store = LocalStore(out)
    taken: set[str] = set()
    for path in paths:
        answer = {"path": path, "ok": True, "error": None, "renditions": [], "placeholder": None}
        unexpected = False
        try:
            _check_file(path, limits)
            rendition_set = render(path, limits=limits)
            folder = _unique_folder(Path(path).stem, taken)
            for rendition in rendition_set.renditions:
                key = f"{folder}/{rendition.name}.{rendition.ext}"
                store.put(key, rendition.data, rendition.content_type)
                answer["renditions"].append(
                    {
                        "name": rendition.name,
                        "path": str(out / key),
                        "width": rendition.width,
                        "height": rendition.height,
                        "bytes": len(rendition.data),
                    }
                )
            answer["placeholder"] = rendition_set.placeholder
        except NotAnImage as exc:
            answer.update(ok=False, error=exc.reason, renditions=[])
        except _Unexpected as exc:
            answer.update(ok=False, error=str(exc), renditions=[])
            unexpected = True
        except Exception as exc:
            answer.update(ok=False, error=_report_unexpected(path, exc), renditions=[])
            unexpected = True
        yield answer, unexpected


def _check_file(path: str, limits: Limits) -> None:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise NotAnImage("file not found") from None
    except PermissionError:
        raise _Unexpected("cannot read: permission denied") from None
    if not os.path.isfile(path):
        raise NotAnImage("not a file")
    if not os.access(path, os.R_OK):
        raise _Unexpected("cannot read: permission denied")
    check_size(size, limits.max_bytes)


def _unique_folder(stem: str, taken: set[str]) -> str:
    # Two "IMG_0001.jpg" from different folders must not overwrite each other's renditions.
    base = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in stem).strip()
    if base in ("", ".", ".."):
        base = "file"
    folder, n = base, 1
    while folder in taken:
        n += 1
        folder = f"{base}-{n}"
    taken.add(folder)
    return folder


def _report_unexpected(path: str, exc: Exception) -> str:
    print(f"{path}: unexpected error", file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)
    return f"unexpected error: {type(exc).__name__}: {exc}"
