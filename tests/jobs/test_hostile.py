"""Proof for issue 10: both jobs answer every hostile file within their function's limits.

The corpus is generated here, in a tmp dir (nothing big is committed): the issue's files
(16-bit PNG bombs, the zTXt bomb, TIFFs with 20 MB random ICC profiles), random
truncations and bit flips of every real photo in tests/data/photos, a 10,000-frame GIF, a
1,000-page TIFF, EXIF strings with NUL, RTL and control characters, and file names with
RTL and control characters at the longest a file system allows (a 64 KB *key* is never a
file: tests/jobs/test_events_properties.py refuses it at the event).

Each job runs over the whole corpus through its command line (`jobs.cli.main`, one call per
file to time each, all in one process like a warm container), in a child process whose
address space is capped at the Lambda function's memory and whose CPU time is capped at its
timeout, both read from zappa_settings.json. Every file must be answered, by a result or
`ok: false` with a reason; none may hit an unexpected error; the process must exit 0,
never be killed.
"""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_files import (
    flat_png,
    heic_with_exif_of,
    jpeg_with_hostile_strings,
    many_frame_gif,
    many_page_tiff,
    random_bytes,
    tiff_with_icc,
    truncations_and_flips,
    ztxt_bomb,
)

ROOT = Path(__file__).resolve().parents[2]
STAGES = {"renditions": "thumbnails", "metadata": "metadata"}

HOSTILE_STRINGS = {
    0x010F: "Ca\x00non",  # Make, with a NUL inside
    0x0110: "\u202egpj.exe",  # Model, right-to-left override
    0x010E: "\x07\x1b[31mred\x1b[0m\r\n\x7f",  # ImageDescription: bell, ANSI, CR LF, DEL
    0x013B: "\u200f\u05e9\u05dc\u05d5\u05dd\x00tail",  # Artist: RTL mark, Hebrew, NUL
    0x8298: "\ud7ff\ufeff\uffff" * 1000,  # Copyright: BOM, non-characters, 9 KB
}


# `python -m jobs JOB FILE...`, the same command line, called once per file in one process
# (one interpreter start, as a warm Lambda container) to time each file's CPU; the worst
# is the last line on stderr.
PER_FILE_CLI = """
import json, sys, time
from jobs.cli import main
job, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
status, worst = 0, (0.0, "")
for path in files:
    started = time.process_time()
    status |= main([job, path, *(["--out", out] if job == "renditions" else [])])
    worst = max(worst, (time.process_time() - started, path))
print(json.dumps({"cpu": worst[0], "file": worst[1]}), file=sys.stderr)
sys.exit(status)
"""


def stage_limits(stage: str) -> tuple[int, int]:
    """(memory MB, timeout s) of a Zappa stage, following `extends`."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    memory = timeout = None
    while stage and (memory is None or timeout is None):
        config = settings[stage]
        memory = memory if memory is not None else config.get("memory_size")
        timeout = timeout if timeout is not None else config.get("timeout_seconds")
        stage = config.get("extends")
    return memory, timeout


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files: dict[str, bytes] = {
        "grey16-14100.png": flat_png(14_100, 14_100, bit_depth=16, color_type=0),
        "rgba16-14100.png": flat_png(14_100, 14_100, bit_depth=16, color_type=6),
        "grey-alpha16-14100.png": flat_png(14_100, 14_100, bit_depth=16, color_type=4),
        "ztxt-200x8MiB.png": ztxt_bomb(200),
        "ztxt-200x8MiB-before-idat.png": ztxt_bomb(200, before_idat=True),
        "gif-10000-frames.gif": many_frame_gif(10_000),
        "tiff-1000-pages.tif": many_page_tiff(1_000),
        "exif-nul-rtl-control.jpg": jpeg_with_hostile_strings(HOSTILE_STRINGS),
        # all but the whole upload limit in one EXIF box: the metadata function's 256 MB
        "heic-45MB-exif.heic": heic_with_exif_of(45_000_000),
    }
    for seed in range(6):
        files[f"icc-20MB-random-{seed}.tif"] = tiff_with_icc(random_bytes(20_000_000, seed))
    photos = sorted(p for p in (ROOT / "tests/data/photos").iterdir() if p.stat().st_size > 1)
    for n, photo in enumerate(photos):
        for m, variant in enumerate(truncations_and_flips(photo, seed=n, cuts=2, flips=2)):
            files[f"mangled-{m}-{photo.name}"] = variant
    hopper = (ROOT / "tests/data/photos/hopper.jpg").read_bytes()
    # Names at the file system's limit (255 bytes) and with what a terminal or a log
    # viewer would act on: RTL override, ANSI escapes, newline, tab, bell.
    files["\u202egpj.exe.jpg"] = hopper
    files["ctl-\x01\x07\x1b[31m\n\t.jpg"] = hopper
    files["x" * 251 + ".jpg"] = hopper
    files["\u05e9" * 125 + ".jpg"] = hopper  # 250 bytes of Hebrew
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def run_limited(command: list[str], *, memory_mb: int, timeout_s: int, env: dict, out: Path):
    """Run `command` with RLIMIT_AS and RLIMIT_CPU set to a function's memory and timeout.

    Returns (exit code, negative for a signal), stdout, stderr and the child's own rusage.
    """

    def limit():
        address_space = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CPU, (timeout_s, timeout_s))

    stdout_path, stderr_path = out / "stdout", out / "stderr"
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=ROOT,
            preexec_fn=limit,  # noqa: PLW1509 - only setrlimit, before exec
        )
        # wait4, not wait: the child's own peak RSS and CPU, not every child's so far.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, stdout_path.read_bytes(), stderr_path.read_bytes(), usage


@pytest.mark.parametrize("job", ["renditions", "metadata"])
def test_every_hostile_file_is_answered_within_the_functions_limits(job, corpus, tmp_path, capsys):
    memory_mb, timeout_s = stage_limits(STAGES[job])
    command = [sys.executable, "-c", PER_FILE_CLI, job, str(tmp_path / "out"), *map(str, corpus)]
    env = {**os.environ, "PHOTOS_JOB_MEMORY_MB": str(memory_mb), "PYTHONPATH": str(ROOT)}
    env.pop("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", None)

    returncode, stdout, stderr, usage = run_limited(
        command, memory_mb=memory_mb, timeout_s=timeout_s, env=env, out=tmp_path
    )
    cpu = usage.ru_utime + usage.ru_stime
    peak_rss_mb = usage.ru_maxrss / 1024
    worst = json.loads(stderr.decode().splitlines()[-1]) if returncode == 0 else {}

    # then: no kill (a signal gives a negative status), no crash, no unexpected error
    assert returncode == 0, stderr.decode(errors="replace")[-3000:]
    answers = [json.loads(line) for line in stdout.decode().splitlines()]
    assert [answer["path"] for answer in answers] == [str(path) for path in corpus]
    refused = [answer for answer in answers if not answer["ok"]]
    for answer in refused:
        assert isinstance(answer["error"], str) and answer["error"], answer
        assert not answer["error"].startswith("unexpected error"), answer
    by_name = {Path(answer["path"]).name: answer for answer in answers}
    # the files, answered as they should be
    assert by_name["grey16-14100.png"]["ok"]
    if job == "renditions":
        assert by_name["rgba16-14100.png"]["error"].startswith("too large to decode: ")
    else:  # headers only: the metadata job never decodes pixels
        assert by_name["rgba16-14100.png"]["ok"]
    assert by_name["ztxt-200x8MiB.png"]["ok"]
    assert by_name["exif-nul-rtl-control.jpg"]["ok"]
    assert all(by_name[f"icc-20MB-random-{seed}.tif"]["ok"] for seed in range(6))
    assert by_name["gif-10000-frames.gif"]["ok"] and by_name["tiff-1000-pages.tif"]["ok"]
    assert by_name["heic-45MB-exif.heic"]["ok"]
    for name in ("\u202egpj.exe.jpg", "ctl-\x01\x07\x1b[31m\n\t.jpg", "x" * 251 + ".jpg"):
        assert by_name[name]["ok"], name
    if job == "renditions":  # written under folders a terminal shows as they are
        for answer in answers:
            for rendition in answer["renditions"]:
                folder = Path(rendition["path"]).parent.name
                assert folder.isprintable() and "\u202e" not in folder, folder
    else:  # hostile strings come back cut at the NUL, without a terminal's control codes
        exif = by_name["exif-nul-rtl-control.jpg"]
        assert exif["camera_make"] == "Ca"
        description = exif["exif"]["ImageDescription"]
        assert "red" in description and all(c.isprintable() for c in description)
    assert stdout.isascii()  # one line per file, whatever the names and strings held

    with capsys.disabled():
        print(
            f"\n[hostile corpus] {job} ({STAGES[job]}: {memory_mb} MB, {timeout_s} s): "
            f"{len(answers)} files, {len(answers) - len(refused)} ok, {len(refused)} refused, "
            f"0 crashes, 0 kills; CPU {cpu:.1f} s in all, worst file {worst['cpu']:.2f} s "
            f"({Path(worst['file']).name[:40]!r}); peak RSS {peak_rss_mb:.0f} MB"
        )
    assert cpu < timeout_s and peak_rss_mb < memory_mb
