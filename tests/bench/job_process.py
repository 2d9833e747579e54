"""What one job process costs before and while it works: peak memory and import time.

Each measurement runs in a fresh interpreter, the way a Lambda cold start does. The entry
module is `jobs.handlers` (what Lambda imports: boto3 and the job code); without it,
`jobs.renditions` plus `import boto3` stands in.
"""

import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from samples import sample

ROOT = Path(__file__).resolve().parents[2]
IMPORT_RUNS = 15
RSS_GOAL_MB = 100
IMPORT_GOAL_MS = 60
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}

# Run in the child: import the entry module, then (optionally) render one file.
_JOB = """
import json, resource, sys
try:
    import jobs.handlers
    entry = "jobs.handlers"
except ImportError:
    import boto3, jobs.renditions
    entry = "jobs.renditions + boto3"
from jobs.renditions import render
if len(sys.argv) > 1:
    render(sys.argv[1])
print(json.dumps({
    "entry": entry,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _python(code: str, *args: str, env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AWS_DEFAULT_REGION": "us-east-1",
            **(env or {}),
        },
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
    # glibc serves big blocks from its heaps once one has been freed (its mmap threshold
    # rises), and keeps them after free, one heap per thread; a fixed threshold returns
    # every decoded image and encoder buffer to the system as soon as it is freed.
    rows.append(
        {
            "input": "photo-24mp.jpg, MALLOC_MMAP_THRESHOLD_=131072",
            **_python(_JOB, str(sample("photo-24mp.jpg")), env=MALLOC_ENV),
        }
    )
    return rows


def import_overhead(module: str, runs: int = IMPORT_RUNS) -> dict:
    """Cold `import module`, split by `python -X importtime` into the job modules' own time
    (their self time: their code, module-level work included) and everything they import.
    Median over fresh interpreters."""
    totals, owns, job_modules, heif = [], [], set(), False
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1"},
            capture_output=True,
            text=True,
            check=True,
        )
        total = own = 0
        for line in result.stderr.splitlines():
            # "import time:   self [us] | cumulative | imported package"
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cumulative_us, name = line[len("import time:") :].split("|")
            name = name.strip()
            if name.split(".")[0] == "jobs":
                own += int(self_us)
                job_modules.add(name)
            if name == module:
                total = int(cumulative_us)
            heif = heif or name.startswith("pillow_heif")
        totals.append(total / 1000)
        owns.append(own / 1000)
    total_ms, own_ms = statistics.median(totals), statistics.median(owns)
    return {
        "module": module,
        "entry_ms": total_ms,
        "library_ms": total_ms - own_ms,
        "overhead_ms": own_ms,
        "job_modules": len(job_modules),
        "heif_at_import": heif,
    }


def run() -> tuple[str, dict]:
    # Lambda's code directory is read-only: a package without .pyc files recompiles every
    # job module on every cold start. Measure what a properly built package does.
    compileall.compile_dir(ROOT / "jobs", quiet=1)
    rss = peak_rss()
    modules = dict.fromkeys([entry_module(), "jobs.renditions"])
    imports = [import_overhead(module) for module in modules]
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
        f"Median of {IMPORT_RUNS} fresh interpreters: `python -X importtime -c 'import "
        "<module>'`, the job modules' self time (their own code, module-level work included) "
        "against everything they import (libraries and stdlib). Job "
        "modules precompiled to bytecode, as the deployment package must ship them (Lambda "
        "cannot write .pyc files next to the code).",
        "",
        "| module | its import | its libraries alone | job code's own share | goal |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in imports:
        met = "met" if row["overhead_ms"] <= IMPORT_GOAL_MS else "**missed**"
        lines.append(
            f"| `{row['module']}` | {row['entry_ms']:.0f} ms | {row['library_ms']:.0f} ms "
            f"| {row['overhead_ms']:.0f} ms ({row['job_modules']} job modules) "
            f"| <= {IMPORT_GOAL_MS} ms ({met}) |"
        )
    heif = [row["module"] for row in imports if row["heif_at_import"]]
    lines += [
        "",
        "pillow-heif imported at start-up: "
        + (f"yes, by {', '.join(heif)}" if heif else "no (only on the first HEIF)")
        + ".",
    ]
    return "\n".join(lines), {"rss": rss, "imports": imports}
