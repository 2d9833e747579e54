"""Our renditions job against libvips doing the same work, side by side in one process.

Both sides, per input: one decode with shrink-on-load where the format allows it, the
largest rendition resampled with Lanczos 3, each smaller size made from the previous one,
three lossy WebP encodes at the same quality and effort (libwebp method 4, the default of
Pillow, libvips and libwebp), metadata stripped. libvips runs with its default thread pool
(one thread per core) and encodes the three sizes one after the other, as a libvips caller
would; ours runs the three encodes on two threads. Runs alternate between the two sides so
that background load hits both alike; the table shows medians.

Each side runs in its own worker process: pillow-heif bundles its own libheif, the system
libvips links the system's, and the two in one process crash on the first HEIC.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from samples import sample

from jobs.config import Limits

ROOT = Path(__file__).resolve().parents[2]
WEBP_METHOD = 4  # jobs.renditions.WEBP_METHOD; checked by the "ours" worker

RUNS = 7

# input -> goal for ours / libvips wall time
CASES = {
    "photo-24mp.jpg": 0.9,
    "photo-12mp.heic": 1.1,
    "photo-12mp.png": 1.1,
    "photo-12mp.webp": 1.3,
}


@dataclass
class Timing:
    wall: float
    cpu: float
    large_bytes: int


@dataclass
class Comparison:
    name: str
    goal: float
    ours: Timing
    vips: Timing

    @property
    def wall_ratio(self) -> float:
        return self.ours.wall / self.vips.wall

    @property
    def cpu_ratio(self) -> float:
        return self.ours.cpu / self.vips.cpu


def ours(path, limits: Limits) -> int:
    from jobs.renditions import WEBP_METHOD as ours_method
    from jobs.renditions import render

    assert ours_method == WEBP_METHOD, "compare at equal settings: update WEBP_METHOD here"
    result = render(path, limits=limits)
    return max(len(r.data) for r in result.renditions)


def vips(path, limits: Limits) -> int:
    import pyvips

    sizes = sorted(limits.sizes.values(), reverse=True)
    options = {"Q": limits.webp_quality, "effort": WEBP_METHOD, "strip": True}
    # thumbnail() = shrink-on-load + Lanczos 3 + EXIF auto-rotate; copy_memory() keeps the
    # one decoded result so the smaller sizes do not decode the file again.
    image = pyvips.Image.thumbnail(str(path), sizes[0], height=sizes[0], size="down")
    image = image.copy_memory()
    encoded = [image.webpsave_buffer(**options)]
    for size in sizes[1:]:
        image = image.thumbnail_image(size, height=size, size="down").copy_memory()
        encoded.append(image.webpsave_buffer(**options))
    return max(len(data) for data in encoded)


def timed(fn, path, limits) -> Timing:
    cpu, wall = time.process_time(), time.perf_counter()
    large_bytes = fn(path, limits)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, large_bytes)


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings),
        statistics.median(t.cpu for t in timings),
        timings[0].large_bytes,
    )


class Worker:
    """One side in its own process; `time(path)` runs it there once and returns the Timing."""

    def __init__(self, side: str):
        self.process = subprocess.Popen(
            [sys.executable, __file__, side],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def time(self, path: Path) -> Timing:
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"bench worker died (exit {self.process.wait()})")
        return Timing(**json.loads(line))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def compare(name: str, goal: float, runs: int = RUNS) -> Comparison:
    path = sample(name)
    mine, theirs = Worker("ours"), Worker("vips")
    try:
        mine.time(path), theirs.time(path)  # warm up: plugin imports, lcms, caches
        ours_runs, vips_runs = [], []
        for _ in range(runs):
            ours_runs.append(mine.time(path))
            vips_runs.append(theirs.time(path))
    finally:
        mine.close()
        theirs.close()
    return Comparison(name, goal, median(ours_runs), median(vips_runs))


def serve(side: str) -> None:
    """Worker loop: a path per line in, a JSON Timing per line out."""
    if side == "vips":
        import pyvips

        # libvips caches operations, thumbnail() of the same file included: without this
        # every run after the first would time a cache hit instead of a decode.
        pyvips.cache_set_max(0)
        pyvips.cache_set_max_mem(0)
        pyvips.cache_set_max_files(0)
    fn, limits = {"ours": ours, "vips": vips}[side], Limits()
    for line in sys.stdin:
        print(json.dumps(asdict(timed(fn, line.strip(), limits))), flush=True)


def run(runs: int = RUNS) -> tuple[str, list[Comparison]]:
    """Markdown section and the raw comparisons (the cost estimate reuses them)."""
    comparisons = [compare(name, goal, runs) for name, goal in CASES.items()]
    lines = [
        "## Renditions: ours vs libvips",
        "",
        f"Median of {runs} alternating runs; WebP q{Limits().webp_quality}, method/effort "
        f"{WEBP_METHOD}, Lanczos 3, sizes {sorted(Limits().sizes.values(), reverse=True)}. "
        "CPU = process CPU time, all threads.",
        "",
        "| input | ours wall | vips wall | wall ratio | goal | ours CPU | vips CPU | CPU ratio "
        "| large WebP ours / vips |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in comparisons:
        met = "met" if c.wall_ratio <= c.goal else "**missed**"
        lines.append(
            f"| {c.name} | {c.ours.wall * 1000:.0f} ms | {c.vips.wall * 1000:.0f} ms "
            f"| {c.wall_ratio:.2f}x | <= {c.goal}x ({met}) | {c.ours.cpu * 1000:.0f} ms "
            f"| {c.vips.cpu * 1000:.0f} ms | {c.cpu_ratio:.2f}x "
            f"| {c.ours.large_bytes / 1000:.0f} KB / {c.vips.large_bytes / 1000:.0f} KB |"
        )
    return "\n".join(lines), comparisons


if __name__ == "__main__":
    serve(sys.argv[1])
