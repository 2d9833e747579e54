"""RESULTS.md is written by the benches, section by section, from what they measured."""

import bench_report  # tests/bench on sys.path (rootdir-less test module)
import pytest
import run

ORDER = ("speed", "memory", "e2e")
SPEED = "## Speed\n\n| input | wall |\n| --- | ---: |\n| a.jpg | 870 ms |"
MEMORY = "## Memory\n\nPeak 90 MB.\n\n## Cold import\n\n16 ms."
E2E = "## End to end\n\n**91.8** photos/min."


def test_sections_are_written_in_order_each_saying_when_and_where_it_was_measured(tmp_path):
    # given
    path = tmp_path / "RESULTS.md"
    # when
    text = bench_report.update(
        {"e2e": E2E, "speed": SPEED},
        measured_on="2026-12-02 02:40 UTC on x86_64",
        order=ORDER,
        path=path,
    )
    # then
    assert path.read_text() == text
    assert text.startswith("# Benchmarks\n\nWritten by `make bench`")
    assert text.index("## Speed") < text.index("## End to end")
    assert "## Memory" not in text
    assert "## Speed\n\n_Measured 2026-12-02 02:40 UTC on x86_64._\n\n| input | wall |" in text
    assert "| a.jpg | 870 ms |\n<!-- /bench:speed -->" in text
    assert "## End to end\n\n_Measured 2026-12-02 02:40 UTC on x86_64._\n\n**91.8**" in text


def test_measuring_some_sections_again_keeps_the_others_as_measured(tmp_path):
    # given a full run, then the memory bench alone on another day
    path = tmp_path / "RESULTS.md"
    everything = {"speed": SPEED, "memory": MEMORY, "e2e": E2E}
    bench_report.update(everything, measured_on="day one", order=ORDER, path=path)
    # when
    text = bench_report.update(
        {"memory": MEMORY.replace("90 MB", "84 MB")}, measured_on="day two", order=ORDER, path=path
    )
    # then
    sections = bench_report.parse(text)
    assert list(sections) == list(ORDER)
    assert sections["speed"] == bench_report.stamped(SPEED, "day one")
    assert sections["e2e"] == bench_report.stamped(E2E, "day one")
    assert "_Measured day two._" in sections["memory"]
    assert "Peak 84 MB." in sections["memory"] and "90 MB" not in text
    assert "## Cold import\n\n16 ms." in sections["memory"]  # a section may hold two headings


@pytest.mark.parametrize(
    ("measured", "error"),
    [
        ({"speed": "| a | b |"}, "starts with a '## ' heading"),
        ({"faces": "## Faces\n\n1"}, "unknown bench sections: faces"),
    ],
)
def test_what_is_not_a_known_section_is_refused_and_the_file_left_alone(tmp_path, measured, error):
    path = tmp_path / "RESULTS.md"
    bench_report.update({"e2e": E2E}, measured_on="day one", order=ORDER, path=path)
    before = path.read_text()

    with pytest.raises(ValueError, match=error):
        bench_report.update(measured, measured_on="day two", order=ORDER, path=path)

    assert path.read_text() == before


def test_run_measures_the_sections_asked_for_and_records_only_those(tmp_path, monkeypatch):
    # given a RESULTS.md with every section, and an ExifTool bench that reports new figures
    path = tmp_path / "RESULTS.md"
    old = {key: f"## {key}\n\nold figures" for key in run.SECTIONS}
    bench_report.update(old, measured_on="day one", order=run.SECTIONS, path=path)
    monkeypatch.setattr(bench_report, "RESULTS", path)
    monkeypatch.setattr(run, "machine", lambda: "day two on x86_64")
    monkeypatch.setattr(run.exiftool_agreement, "run", lambda: "## exiftool\n\nnew figures")
    for slow in (run.renditions_vs_vips, run.job_process, run.e2e):
        monkeypatch.setattr(slow, "run", pytest.fail)  # not asked for: never run

    # when
    run.main(["exiftool"])

    # then
    sections = bench_report.parse(path.read_text())
    assert sections["exiftool"] == "## exiftool\n\n_Measured day two on x86_64._\n\nnew figures"
    assert all("old figures" in sections[key] for key in run.SECTIONS if key != "exiftool")


def test_run_refuses_an_unknown_section(capsys):
    with pytest.raises(SystemExit):
        run.main(["faces"])
    assert "no such section: faces" in capsys.readouterr().err


def test_the_committed_results_are_as_the_writer_wrote_them():
    # A hand edit that breaks a section's markers, or a section nobody measures, shows here.
    text = bench_report.RESULTS.read_text()
    sections = bench_report.parse(text)
    assert set(sections) <= set(run.SECTIONS)
    assert bench_report.render(sections, run.SECTIONS) == text
    assert all("\n\n_Measured " in body for body in sections.values())
