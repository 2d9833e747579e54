"""What one job process costs before and while it works: peak memory and import time.

Each measurement runs in a fresh interpreter, the way a Lambda cold start does. The entry
module is `jobs.handlers` (what Lambda imports: Powertools, boto3, the job code); until it
exists, `jobs.renditions` plus `import boto3` stands in.
"""

import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from samples import sample

ROOT = Path(__file__).resolve().parents[2]
IMPORT_RUNS = 9
RSS_GOAL_MB = 100
IMPORT_GOAL_MS = 60

# Run in the child: import the entry module, then (optionally) render one file.
_JOB = """
import json, resource, sys, time
started = time.perf_counter()
try:
    import jobs.handlers
    entry = "jobs.handlers"
except ImportError:
    import boto3, jobs.renditions
    entry = "jobs.renditions + boto3"
imported = time.perf_counter()
from jobs.renditions import render
if len(sys.argv) > 1:
    render(sys.argv[1])
print(json.dumps({
    "entry": entry,
    "import_ms": (imported - started) * 1000,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

# Run in the child: time importing `module`, and list every other module that came with it.
_IMPORT_ENTRY = """
import json, sys, time
before = set(sys.modules)
started = time.perf_counter()
import importlib; importlib.import_module(sys.argv[1])
elapsed = time.perf_counter() - started
loaded = [m for m in sys.modules if m not in before and m.split(".")[0] != "jobs"]
print(json.dumps({"ms": elapsed * 1000, "libraries": loaded}))
"""

# Run in the child: time importing exactly those library modules, without the job code.
_IMPORT_LIBRARIES = """
import importlib, json, sys, time
names = json.loads(sys.stdin.read())
started = time.perf_counter()
for name in names:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # a private submodule that only imports as part of its parent
print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
"""


def _python(code: str, *args: str, stdin: str | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1"},
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def entry_module() -> str:
    sys.path.insert(0, str(ROOT))
    try:
        return "jobs.handlers" if importlib.util.find_spec("jobs.handlers") else "jobs.renditions"
    finally:
        sys.path.remove(str(ROOT))


def peak_rss() -> list[dict]:
    """Peak RSS of a fresh job process: imports only, then rendering each sample."""
    rows = [{"input": "(imports only)", **_python(_JOB)}]
    for name in ("photo-24mp.jpg", "photo-12mp.heic", "photo-12mp.png", "photo-12mp.webp"):
        rows.append({"input": name, **_python(_JOB, str(sample(name)))})
    return rows


def import_overhead(runs: int = IMPORT_RUNS) -> dict:
    """Median import time of the entry module vs the library modules it pulls in."""
    module = entry_module()
    entry_runs, libraries = [], []
    for _ in range(runs):
        answer = _python(_IMPORT_ENTRY, module)
        entry_runs.append(answer["ms"])
        libraries = answer["libraries"]
    library_runs = [
        _python(_IMPORT_LIBRARIES, stdin=json.dumps(libraries))["ms"] for _ in range(runs)
    ]
    entry_ms, library_ms = statistics.median(entry_runs), statistics.median(library_runs)
    return {
        "module": module,
        "entry_ms": entry_ms,
        "library_ms": library_ms,
        "overhead_ms": entry_ms - library_ms,
        "library_count": len(libraries),
        "heif_at_import": any(name.startswith("pillow_heif") for name in libraries),
    }


def run() -> tuple[str, dict]:
    rss = peak_rss()
    imports = import_overhead()
    jpeg = next(row for row in rss if row["input"] == "photo-24mp.jpg")
    lines = [
        "## Job process: peak memory",
        "",
        f"Fresh interpreter per row: `import {rss[0]['entry']}`, then `render(file)`; "
        "peak RSS from `getrusage(RUSAGE_SELF).ru_maxrss`.",
        "",
        "| input | peak RSS |",
        "| --- | ---: |",
    ]
    lines += [f"| {row['input']} | {row['maxrss_mb']:.0f} MB |" for row in rss]
    met = "met" if jpeg["maxrss_mb"] < RSS_GOAL_MB else "**missed**"
    lines += [
        "",
        f"Goal: 24 MP JPEG under {RSS_GOAL_MB} MB (a 128 MB Lambda): "
        f"{jpeg['maxrss_mb']:.0f} MB, {met}.",
        "",
        "## Cold import",
        "",
        f"Median of {IMPORT_RUNS} fresh interpreters each: `import {imports['module']}` vs "
        f"importing the same {imports['library_count']} library modules it pulls in "
        "(stdlib included), without the job code.",
        "",
        "| import | time |",
        "| --- | ---: |",
        f"| `{imports['module']}` | {imports['entry_ms']:.0f} ms |",
        f"| its libraries alone | {imports['library_ms']:.0f} ms |",
        f"| job code's own share | {imports['overhead_ms']:.0f} ms |",
        "",
        f"Goal: at most {IMPORT_GOAL_MS} ms over the libraries: "
        f"{'met' if imports['overhead_ms'] <= IMPORT_GOAL_MS else '**missed**'}. "
        f"pillow-heif imported at start-up: {'yes' if imports['heif_at_import'] else 'no'}.",
    ]
    return "\n".join(lines), {"rss": rss, "imports": imports}
