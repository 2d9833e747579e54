"""The gallery bench's report: the figure issue 11 asks for is the throughput ratio."""

import gallery_page  # tests/bench on sys.path (rootdir-less test module)
import run


def test_report_gives_the_throughput_ratio_and_says_whether_it_meets_the_goal():
    met = gallery_page.report(3.0, 5.0, 64_000, 400, 1.0)
    missed = gallery_page.report(3.3, 14.5, 64_000, 400, 1.0, drawn=(3.0, 10.0))

    assert met.startswith("## Gallery page")
    assert "| GET /healthz | 3.00 ms |" in met
    assert "| GET / (48 photos, 64 KB of HTML) | 5.00 ms |" in met
    assert "Throughput ratio (gallery / healthz): **0.60** (meets the goal of 0.5" in met
    assert "**0.23** (misses the goal of 0.5" in missed
    # and, beside the kept page's, what a page drawn afresh costs
    assert "GET / takes 10.00 ms against 3.00 ms for /healthz, a ratio of 0.30." in missed


def test_make_bench_runs_the_gallery_section():
    assert "gallery" in run.SECTIONS
