"""What one job process costs before and while it works: peak memory and import time.

Each measurement runs in a fresh interpreter, the way a Lambda cold start does. The entry
module is `jobs.handlers` (what Lambda imports: Powertools, boto3, the job code); until it
exists, `jobs.renditions` plus `import boto3` stands in.
"""

import ast
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

# Run in the child: time importing `module`; list the job modules that came with it.
_IMPORT_ENTRY = """
import json, sys, time
started = time.perf_counter()
import importlib; importlib.import_module(sys.argv[1])
elapsed = time.perf_counter() - started
job_modules = [m for m in sys.modules if m.split(".")[0] == "jobs"]
print(json.dumps({"ms": elapsed * 1000, "job_modules": job_modules}))
"""

# Run in the child: time importing exactly what the job modules import at module level
# (their libraries, stdlib included), without the job modules themselves.
_IMPORT_LIBRARIES = """
import importlib, json, sys, time
targets = json.loads(sys.stdin.read())
started = time.perf_counter()
for module, name in targets:
    try:
        importlib.import_module(f"{module}.{name}" if name else module)
    except ImportError:  # `from module import attribute`, not a submodule
        importlib.import_module(module)
print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
"""


def library_imports(job_modules: list[str]) -> list[tuple[str, str | None]]:
    """(module, name) for every module-level import of a non-job module in `job_modules`."""
    targets: dict[tuple[str, str | None], None] = {}
    for job_module in job_modules:
        path = ROOT.joinpath(*job_module.split("."))
        source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for node in ast.parse(source.read_text()).body:
            if isinstance(node, ast.Import):
                found = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [(node.module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in found:
                if module.split(".")[0] != "jobs":
                    targets[(module, name)] = None
    return list(targets)


def _python(code: str, *args: str, stdin: str | None = None, env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AWS_DEFAULT_REGION": "us-east-1",
            **(env or {}),
        },
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
    """Median import time of `module` vs the libraries its job modules import.

    The two kinds of interpreter alternate, so background load hits both alike.
    """
    job_modules = _python(_IMPORT_ENTRY, module)["job_modules"]
    targets = library_imports(job_modules)
    entry_runs, library_runs = [], []
    for _ in range(runs):
        entry_runs.append(_python(_IMPORT_ENTRY, module)["ms"])
        library_runs.append(_python(_IMPORT_LIBRARIES, stdin=json.dumps(targets))["ms"])
    entry_ms, library_ms = statistics.median(entry_runs), statistics.median(library_runs)
    return {
        "module": module,
        "entry_ms": entry_ms,
        "library_ms": library_ms,
        "overhead_ms": entry_ms - library_ms,
        "job_modules": len(job_modules),
        "heif_at_import": any(module.startswith("pillow_heif") for module, _ in targets),
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
        f"Median of {IMPORT_RUNS} fresh interpreters each: `import <module>` vs importing "
        "what its job modules import at module level (libraries and stdlib), without the job "
        "modules themselves. Job "
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
