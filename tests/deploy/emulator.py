"""The rehearsal's account: moto's server with IAM enforced (moto_iam_server.py) and the
principals that act in it, each with its own access key:

- `deployer`: the operator, carrying deploy/policies/deployer.json as generated (what the
  README tells the operator to attach);
- `lambda.amazonaws.com`: plays the Lambda service, which alone may assume the functions'
  roles (it may do nothing else);
- `apigateway.amazonaws.com`: plays API Gateway, which invokes the web function with the
  web role (it too may only assume roles, and only the web role's trust admits it);
- `observer`: the test reading the account's state back (allowed everything: it is the
  test's eyes, never the product's).

Every request after the bootstrap is checked against the caller's policies.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

HERE = Path(__file__).resolve().parent
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
LAMBDA_SERVICE_USER = "lambda.amazonaws.com"
API_GATEWAY_SERVICE_USER = "apigateway.amazonaws.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Principal:
    def __init__(self, name: str, key_id: str, secret: str, token: str | None = None):
        self.name, self.key_id, self.secret, self.token = name, key_id, secret, token

    def env(self, endpoint: str) -> dict[str, str]:
        env = {
            "AWS_ACCESS_KEY_ID": self.key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": endpoint,
        }
        if self.token:
            env["AWS_SESSION_TOKEN"] = self.token
        return env

    def session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
            aws_session_token=self.token,
            region_name=REGION,
        )


class Emulator:
    def __init__(self):
        self.endpoint = ""
        self._process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)  # noqa: SIM115
        self.principals: dict[str, Principal] = {}

    # --- the server ---------------------------------------------------------------------------

    def start(self) -> str:
        port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": "bootstrap",
            "AWS_SECRET_ACCESS_KEY": "bootstrap",
            # unlimited until bootstrap() has made the principals; then every request counts
            "INITIAL_NO_AUTH_ACTION_COUNT": "inf",
        }
        self._process = subprocess.Popen(
            [
                sys.executable,
                os.environ.get("MOTO_LAUNCHER", str(HERE / "moto_iam_server.py")),
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2):
                    return self.endpoint
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"moto did not start; see {self.log.name}")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def enforce_iam(self) -> None:
        """From now on every request is checked: moto's INITIAL_NO_AUTH_ACTION_COUNT, set to
        zero once the principals exist."""
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},  # a form type would hide the body
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["status"] == "ok"

    # --- principals ---------------------------------------------------------------------------

    def bootstrap(self, deployer_policy: dict) -> None:
        iam = boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        everything = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        # The services' stand-ins may assume roles, and nothing else.
        assume = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        }
        for name, policy in (
            ("deployer", deployer_policy),
            (LAMBDA_SERVICE_USER, assume),
            (API_GATEWAY_SERVICE_USER, assume),
            ("observer", everything),
        ):
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName=name)["AccessKey"]
            self.principals[name] = Principal(name, key["AccessKeyId"], key["SecretAccessKey"])

    def client(self, service: str, principal: str | Principal = "observer"):
        if isinstance(principal, str):
            principal = self.principals[principal]
        return principal.session().client(service, endpoint_url=self.endpoint)

    def assume_function_role(
        self, role_arn: str, function: str, service: str = LAMBDA_SERVICE_USER
    ) -> Principal:
        """What Lambda does before running the function: AssumeRole on its role (or what
        `service` does with the role before calling the function)."""
        sts = self.client("sts", service)
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=function)["Credentials"]
        return Principal(
            function,
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )
