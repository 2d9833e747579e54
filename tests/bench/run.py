"""`make bench`: every benchmark, one Markdown report (printed and written to RESULTS.md).

    .venv/bin/python tests/bench/run.py [SECTION...]   # some sections again, the rest kept

Each benchmark is a module beside this file with a `run()` returning its Markdown section
(and the numbers other sections need); add a module, a key in SECTIONS and a line in
measure() to add one. bench_report.py writes RESULTS.md.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import bench_report  # noqa: E402
import cold_start  # noqa: E402
import e2e  # noqa: E402
import exiftool_agreement  # noqa: E402
import gallery_page  # noqa: E402
import job_process  # noqa: E402
import lambda_cost  # noqa: E402
import renditions_vs_vips  # noqa: E402

# The sections of RESULTS.md, in its order.
SECTIONS = ("renditions", "memory", "cost", "exiftool", "coldstart", "e2e", "gallery")


def libvips_version() -> str:
    # Asked in a child process: libvips and pillow-heif's bundled libheif must never share
    # one (they crash together on HEIC), and this process goes on to make HEIC samples and
    # read HEIC metadata.
    code = "import pyvips; print('.'.join(str(pyvips.version(i)) for i in range(3)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def machine() -> str:
    """When and on what the figures are measured: they mean little without it."""
    import PIL

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, Pillow {PIL.__version__}, "
        f"libvips {libvips_version()}; load average at start {load}"
    )


def measure(wanted: set[str]) -> dict[str, str]:
    """The Markdown section of every wanted bench, by key (the cost estimate is computed from
    the renditions' and memory benches' figures, so it runs them too)."""
    if "cost" in wanted:
        wanted = wanted | {"renditions", "memory"}
    sections = {}
    if "renditions" in wanted:
        sections["renditions"], comparisons = renditions_vs_vips.run()
    if "memory" in wanted:
        sections["memory"], numbers = job_process.run()
    if "cost" in wanted:
        jpeg = next(c for c in comparisons if c.name == "photo-24mp.jpg")
        rss = next(r for r in numbers["rss"] if r["input"] == "photo-24mp.jpg")["maxrss_mb"]
        sections["cost"] = lambda_cost.run(jpeg.ours.cpu, jpeg.ours.wall, rss, "24 MP JPEG")
    if "exiftool" in wanted:
        sections["exiftool"] = exiftool_agreement.run()
    if "coldstart" in wanted:
        sections["coldstart"] = cold_start.run()
    if "e2e" in wanted:
        sections["e2e"] = e2e.run([])
    if "gallery" in wanted:
        sections["gallery"] = gallery_page.run([])
    return sections


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION", help=f"{', '.join(SECTIONS)} (default: all)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(
            f"no such section: {', '.join(sorted(unknown))} (one of {', '.join(SECTIONS)})"
        )
    wanted = set(args.sections) or set(SECTIONS)
    if not args.sections and os.environ.get("BENCH_SKIP_E2E") == "1":
        # Serves the app (gunicorn, PostgreSQL, Redis): minutes, so it can be skipped.
        wanted.discard("e2e")
    on = machine()
    print(bench_report.update(measure(wanted), measured_on=on, order=SECTIONS))


if __name__ == "__main__":
    main()
