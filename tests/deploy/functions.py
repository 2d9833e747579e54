"""A deployed function run as Lambda runs it: its code fetched from the emulator (GetFunction's
code location), unpacked as /var/task is, and its handler called in a Python 3.12 process of
its own that sees nothing else (`python -I -S`: no site-packages, no PYTHONPATH), with the
environment Lambda gives it: the function's configured variables, the runtime's names and
modules (its SnapStart hooks library), and the credentials of the function's own role. The
only addition is AWS_ENDPOINT_URL, which points the function's boto3 at the emulator.

One process per function, kept for several invocations (a warm container), so the cold start
happens once; answers come back on a pipe of their own, since the handler may print.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import snapshot_restore_py

# Runs inside the isolated interpreter.
DRIVER = r"""
import importlib, json, os, sys, traceback
task, runtime, handler, answers_fd = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, task)
sys.path.append(runtime)  # Lambda's /var/runtime comes after the function's code
answers = os.fdopen(answers_fd, "w")
module_name, name = handler.rsplit(".", 1)
function = getattr(importlib.import_module(module_name), name)
stdlib = os.path.dirname(os.__file__)
for line in sys.stdin:
    event = json.loads(line)
    try:
        answer = {"ok": True, "answer": function(event, None)}
    except Exception as exc:
        answer = {"ok": False, "error": repr(exc), "traceback": traceback.format_exc()}
    answer["outside"] = sorted(
        m.__name__ for m in list(sys.modules.values())
        if getattr(m, "__file__", None)
        and not m.__file__.startswith((task, runtime, stdlib))
        and m.__file__ != __file__
    )
    answers.write(json.dumps(answer, default=str) + "\n")
    answers.flush()
"""


def fetch_code(lambda_client, function_name: str, target: Path, qualifier: str = "$LATEST") -> Path:
    """Download the function's zip (of the version or alias `qualifier` names) from where
    GetFunction says it is, and unpack it."""
    code = lambda_client.get_function(FunctionName=function_name, Qualifier=qualifier)["Code"]
    location = code["Location"]
    with urllib.request.urlopen(location, timeout=60) as response:
        data = response.read()
    target.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)
    return target


class RunningFunction:
    def __init__(self, *, task: Path, handler: str, environment: dict, tmp: Path):
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "driver.py").write_text(DRIVER)
        runtime = tmp / "runtime"
        runtime.mkdir(exist_ok=True)
        shutil.copy2(snapshot_restore_py.__file__, runtime)
        self.stderr = open(tmp / "stderr.log", "w+")  # noqa: SIM115
        read_end, write_end = os.pipe()
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(tmp),
            "TMPDIR": str(tmp),
            "LAMBDA_TASK_ROOT": str(task),
            **environment,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(tmp / "driver.py"), str(task), str(runtime), handler,
             str(write_end)],
            cwd=task,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self.stderr,
            stderr=self.stderr,
            pass_fds=(write_end,),
            text=True,
        )  # fmt: skip
        os.close(write_end)
        self.answers = os.fdopen(read_end)

    def invoke(self, event: dict):
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.answers.readline()
        if not line:
            self.stderr.seek(0)
            raise RuntimeError(f"the function exited:\n{self.stderr.read()[-4000:]}")
        answer = json.loads(line)
        # nothing came from the test environment: the deployed package is self-sufficient
        assert answer["outside"] == [], answer["outside"]
        if not answer["ok"]:
            raise AssertionError(answer["traceback"])
        return answer["answer"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.answers.close()
        self.stderr.close()
