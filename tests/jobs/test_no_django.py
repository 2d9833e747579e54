"""The jobs package runs where Django is not installed: Lambda functions ship without it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

IMPORTS_NOTHING_FORBIDDEN = """
import sys
import {module}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})
assert not loaded, loaded
"""


@pytest.mark.parametrize(
    "module",
    ["jobs.handlers", "jobs.work", "jobs.cli", "jobs.events", "jobs.storage", "jobs.results"],
)
def test_no_django_celery_or_test_tools_are_imported(module):
    # given a fresh interpreter, as a Lambda container starts
    code = IMPORTS_NOTHING_FORBIDDEN.format(
        module=module, forbidden=("django", "celery", "moto", "pytest", "webapp")
    )

    # when
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    # then
    assert done.returncode == 0, done.stderr


def test_handlers_import_without_aws_configuration():
    # no credentials, region or table: importing must not reach AWS (clients are made on
    # first use), so tooling and tests can import the module anywhere
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    code = "import jobs.handlers as h; assert h.sink.table_name == ''; print(h.limits.max_bytes)"

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(50_000_000)


def test_handlers_without_a_table_fail_loudly_on_use():
    code = (
        "import jobs.handlers as h\n"
        "try:\n"
        "    h.sink.record('p', 'metadata', {'finished_at': 'x'})\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert "PHOTOS_RESULTS_TABLE" in done.stdout
