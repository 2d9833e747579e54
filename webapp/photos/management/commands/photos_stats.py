"""How the photo pipeline is doing: photos by status, why they fail, how long the jobs take.

    manage.py photos_stats [--top N] [--json]

Durations are the jobs' own `duration_ms` of their successful runs, read as one number per
photo (a JSON key lookup in the query, never the whole `jobs` column) into a compact array,
so memory stays at a few bytes per photo.
"""

import json
from array import array

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from webapp.photos.models import Photo, PhotoStatus

JOBS = ("renditions", "metadata")


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(PhotoStatus.values, 0)
    for row in Photo.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def failure_reasons(top: int) -> list[dict]:
    rows = (
        Photo.objects.filter(status=PhotoStatus.FAILED)
        .order_by()
        .values("error")
        .annotate(n=Count("pk"))
        .order_by("-n", "error")[:top]
    )
    return [{"reason": row["error"] or "(no reason given)", "photos": row["n"]} for row in rows]


def job_durations(job: str) -> dict:
    """Median and 95th percentile of a job's successful runs, in milliseconds."""
    values = array("q")
    durations = (
        Photo.objects.filter(**{f"jobs__{job}__status": "done"})
        .order_by()
        .values_list(f"jobs__{job}__duration_ms", flat=True)
    )
    for value in durations.iterator(chunk_size=2000):
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append(int(value))
    ordered = sorted(values)
    return {
        "runs": len(ordered),
        "median_ms": _percentile(ordered, 50),
        "p95_ms": _percentile(ordered, 95),
    }


def _percentile(ordered, pct: int):
    """Nearest-rank percentile; the median of an even count is the mean of the middle two."""
    n = len(ordered)
    if not n:
        return None
    if pct == 50:
        middle = n // 2
        return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    rank = max(1, -(-pct * n // 100))
    return ordered[rank - 1]


def collect(top: int) -> dict:
    counts = status_counts()
    return {
        "photos": sum(counts.values()),
        "by_status": counts,
        "failures": failure_reasons(top),
        "durations": {job: job_durations(job) for job in JOBS},
    }


class Command(BaseCommand):
    help = "Photos by status, top failure reasons and median job durations."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=10, help="failure reasons to list")
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object")

    def handle(self, *args, top, as_json, **options):
        if top < 1:
            raise CommandError("--top must be at least 1")
        stats = collect(top)
        self.stdout.write(json.dumps(stats, indent=2) if as_json else render_text(stats))


def render_text(stats: dict) -> str:
    lines = [f"{stats['photos']} photo(s)"]
    lines += [f"  {status:<11} {n:>8}" for status, n in stats["by_status"].items()]
    lines.append("failures by reason:" if stats["failures"] else "failures: none")
    lines += [f"  {row['photos']:>8}  {row['reason']}" for row in stats["failures"]]
    lines.append("job durations (successful runs):")
    for job, d in stats["durations"].items():
        if d["runs"]:
            lines.append(
                f"  {job:<11} median {_ms(d['median_ms'])}, p95 {_ms(d['p95_ms'])}"
                f" over {d['runs']} run(s)"
            )
        else:
            lines.append(f"  {job:<11} no runs yet")
    return "\n".join(lines)


def _ms(value) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"
