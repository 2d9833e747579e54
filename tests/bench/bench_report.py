"""tests/bench/RESULTS.md, written only by the benches from the figures they measured.

Each bench section sits between two HTML comments (`<!-- bench:KEY -->`, invisible once
rendered) with a line saying when and on what machine it was measured. A run of some of the
sections (the end-to-end one takes minutes, so it is often run alone) replaces those and
keeps the others as they were measured, so no figure ever has to be copied in by hand.
"""

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

TITLE = "# Benchmarks"
INTRO = (
    "Written by `make bench` (tests/bench/run.py) from the figures it measures: do not edit by "
    "hand. `.venv/bin/python tests/bench/run.py SECTION...` measures some sections again "
    "({keys}) and keeps the others. Inputs are generated photo-like images "
    "(tests/bench/samples.py)."
)
BLOCK = re.compile(r"<!-- bench:(?P<key>[\w-]+) -->\n(?P<body>.*?)\n<!-- /bench:(?P=key) -->", re.S)


def stamped(section: str, measured_on: str) -> str:
    """The section with the 'measured' line right under its first heading."""
    section = section.strip()
    heading, _, rest = section.partition("\n")
    if not heading.startswith("## "):
        raise ValueError(f"a bench section starts with a '## ' heading, not {heading[:60]!r}")
    return f"{heading}\n\n_Measured {measured_on}._\n{rest}".rstrip()


def parse(text: str) -> dict[str, str]:
    """The sections of a RESULTS.md this module wrote, by key, stamps included."""
    return {m["key"]: m["body"].strip() for m in BLOCK.finditer(text)}


def render(sections: dict[str, str], order: tuple[str, ...]) -> str:
    unknown = set(sections) - set(order)
    if unknown:
        raise ValueError(f"unknown bench sections: {', '.join(sorted(unknown))}")
    blocks = [
        f"<!-- bench:{key} -->\n{sections[key]}\n<!-- /bench:{key} -->"
        for key in order
        if key in sections
    ]
    intro = INTRO.format(keys=", ".join(order))
    return "\n\n".join([TITLE, intro, *blocks]) + "\n"


def update(
    measured: dict[str, str],
    *,
    measured_on: str,
    order: tuple[str, ...],
    path: Path | None = None,
) -> str:
    """Write the `measured` sections (key -> Markdown starting with a '## ' heading) into
    `path` (RESULTS.md), stamped with `measured_on`, keeping every other section already
    there. Returns the file's new text."""
    path = path or RESULTS
    sections = parse(path.read_text()) if path.exists() else {}
    sections.update({key: stamped(md, measured_on) for key, md in measured.items()})
    text = render(sections, order)
    path.write_text(text)
    return text
