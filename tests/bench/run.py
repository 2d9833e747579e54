"""`make bench`: every benchmark, one Markdown report (printed and written to RESULTS.md).

Each benchmark is a module beside this file with a `run()` returning its Markdown section
(and the numbers other sections need); add a module and a line below to add one.
"""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import e2e  # noqa: E402
import exiftool_agreement  # noqa: E402
import job_process  # noqa: E402
import lambda_cost  # noqa: E402
import renditions_vs_vips  # noqa: E402


def libvips_version() -> str:
    # Asked in a child process: libvips and pillow-heif's bundled libheif must never share
    # one (they crash together on HEIC), and this process goes on to make HEIC samples and
    # read HEIC metadata.
    code = "import pyvips; print('.'.join(str(pyvips.version(i)) for i in range(3)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def header() -> str:
    import PIL

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"{time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Pillow {PIL.__version__}, libvips "
            f"{libvips_version()}; load average at "
            f"start {load}. Inputs are generated photo-like images (tests/bench/samples.py).",
        ]
    )


def main() -> None:
    sections = [header()]
    speed, comparisons = renditions_vs_vips.run()
    sections.append(speed)
    process, numbers = job_process.run()
    sections.append(process)
    jpeg = next(c for c in comparisons if c.name == "photo-24mp.jpg")
    jpeg_rss = next(r for r in numbers["rss"] if r["input"] == "photo-24mp.jpg")["maxrss_mb"]
    sections.append(lambda_cost.run(jpeg.ours.cpu, jpeg.ours.wall, jpeg_rss, "24 MP JPEG"))
    sections.append(exiftool_agreement.run())
    if os.environ.get("BENCH_SKIP_E2E") != "1":
        # Serves the app (gunicorn, PostgreSQL, Redis): minutes, so it can be skipped.
        sections.append(e2e.run())
    report = "\n\n".join(sections) + "\n"
    print(report)
    (HERE / "RESULTS.md").write_text(report)


if __name__ == "__main__":
    main()
