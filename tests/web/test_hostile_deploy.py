"""The deployed settings fail closed: `manage.py check --deploy` is clean under the web stage's
environment, HTTP is redirected to HTTPS behind API Gateway, HSTS and a strict CSP are sent.

Each test starts its own Python with the web stage's variables (zappa_settings.json, as Zappa
reads it) and DJANGO_DEBUG=false, as on Lambda: the test process itself runs the development
settings (pyproject.toml's [tool.pytest_env])."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "abc123.execute-api.us-east-1.amazonaws.com"


@pytest.fixture
def deployed_env(tmp_path, monkeypatch) -> dict:
    from zappa.cli import ZappaCLI

    monkeypatch.chdir(ROOT)
    cli = ZappaCLI()
    cli.api_stage = "web"
    cli.load_credentials = False
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    stage = {k: str(v) for k, v in cli.aws_environment_variables.items()}
    assert stage["DJANGO_DEBUG"] == "false"
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **stage,
        # What the remote env file adds on Lambda: the secret and the database.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_the_deployed_settings(deployed_env):
    result = run(deployed_env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_unless_asked(deployed_env):
    env = {k: v for k, v in deployed_env.items() if k != "DJANGO_DEBUG"}
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    )

    result = run({**env, "DJANGO_SETTINGS_MODULE": "webapp.settings"}, "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_without_a_secret_the_site_refuses_to_start(deployed_env):
    env = {k: v for k, v in deployed_env.items() if k not in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY")}

    result = run(env, "manage.py", "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


PROBE = """
import json, django
django.setup()
from django.test import Client
plain = Client().get("/api/photos", HTTP_HOST="%(host)s")
https = Client().get("/api/photos", HTTP_HOST="%(host)s", HTTP_X_FORWARDED_PROTO="https")
from urllib.parse import urlsplit
from webapp.photos.aws.s3_links import presigned_get
from webapp.photos.aws.s3_uploads import upload_ticket
def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
print(json.dumps({
    "get": origin(presigned_get("renditions/x/thumb.webp")),
    "post": origin(upload_ticket(key="uploads/x/a", content_type="image/png", max_bytes=9)["url"]),
    "plain": [plain.status_code, plain.get("Location")],
    "https": [https.status_code, https.get("Strict-Transport-Security"),
              https.get("Content-Security-Policy")],
}))
"""


def test_https_redirect_hsts_and_csp_when_deployed(deployed_env):
    env = {**deployed_env, "DJANGO_SETTINGS_MODULE": "webapp.settings"}

    result = run(env, "-c", PROBE % {"host": HOST})

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, f"https://{HOST}/api/photos"]
    status, hsts, csp = seen["https"]
    assert status == 401  # served: API Gateway's X-Forwarded-Proto says the request is HTTPS
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "unsafe" not in csp
    # the origins the browser really meets: presigned GETs (images), the presigned POST
    bucket = f"https://{deployed_env['PHOTOS_BUCKET']}.s3.amazonaws.com"
    assert seen["get"] == seen["post"] == bucket
    assert {"'self'", "data:", bucket} <= set(directives["img-src"])
    assert {"'self'", bucket} <= set(directives["connect-src"])
    assert directives["frame-ancestors"] == ["'none'"]
