"""AWS for tests: moto's server as a real HTTP endpoint on 127.0.0.1, in its own process.

Nothing is patched in the test process: boto3 talks HTTP to the emulator exactly as it talks
to AWS, found through AWS_ENDPOINT_URL (honoured by boto3 >= 1.28) or an explicit
endpoint_url. One server per test session; every test makes its own bucket and table.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

REGION = "us-east-1"

# Fake credentials: the emulator accepts anything, and a mistake can never reach real AWS.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


class MotoServer:
    """`python -m moto.server` on a free local port; `endpoint_url` once started."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.endpoint_url: str | None = None
        self._process: subprocess.Popen | None = None
        # Lives as long as the server: its output, shown if it fails to start.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115

    def start(self, timeout: float = 30.0) -> str:
        last_error = None
        for _attempt in range(3):  # another process may grab the port between probe and bind
            port = _free_port(self.host)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(port)],
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **CREDENTIALS},
            )
            url = f"http://{self.host}:{port}"
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._process.poll() is None:
                try:
                    with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2):
                        self.endpoint_url = url
                        return url
                except OSError as exc:
                    last_error = exc
                    time.sleep(0.1)
            self.stop()
        self._log.seek(0)
        output = self._log.read().decode(errors="replace")[-2000:]
        raise RuntimeError(f"moto server did not start ({last_error}):\n{output}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def environment(endpoint_url: str) -> dict[str, str]:
    """Environment variables that point every boto3 client at the emulator."""
    return {**CREDENTIALS, "AWS_ENDPOINT_URL": endpoint_url}


def client(service: str, endpoint_url: str):
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_bucket(s3, name: str | None = None) -> str:
    name = name or unique_name("darkroom-test")
    s3.create_bucket(Bucket=name)
    return name


def create_results_table(dynamodb, name: str | None = None) -> str:
    """The jobs' results table as deployed: provisioning's own definition (deploy/), so the
    tests' table cannot differ from the real one."""
    from deploy.resources import table_spec

    name = name or unique_name("darkroom-results")
    dynamodb.create_table(**table_spec(name))
    dynamodb.get_waiter("table_exists").wait(TableName=name)
    return name
