"""The deployment rehearsed for real, in an emulated account that enforces IAM.

The README's Deploy section, command for command, against moto's server (moto_iam_server.py:
IAM enforced for every request once the account's principals exist), as the operator whose
only permissions are deploy/policies/deployer.json:

    make provision ENDPOINT_URL=...          the roles, buckets, topic, table, queue, log groups
    make package                             the three zips, with the provisioned names
    zappa deploy web|thumbnails|metadata -z build/<stage>.zip     the real Zappa CLI
    make provision ENDPOINT_URL=...          again: the results stream -> web mapping
    ... (the deployed state read back; each function's deployed code run under its own
        role, fed the emulator's real deliveries; the denials shown) ...
    zappa update web|thumbnails|metadata -z build/<stage>.zip
    zappa undeploy web|thumbnails|metadata --yes
    make teardown CONFIRM=yes                and the account holds nothing of Darkroom's

The rehearsal's copy of zappa_settings.json differs from the repository's in one setting
only: the web stage's `touch` is off (Zappa's final HTTP request to the new API, which has
no host to reach here). The tests in this module share one deployment and run in order.
"""

import base64
import json
import os
import secrets
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from emulator import ACCOUNT, API_GATEWAY_SERVICE_USER, REGION, Emulator
from event_builders import API_HOST, api_gateway_event  # tests/
from functions import RunningFunction, fetch_code

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_VENV = ROOT / ".venv-deploy"
STAGES = ("web", "thumbnails", "metadata")
JOBS = ("thumbnails", "metadata")
PHOTO = ROOT / "tests" / "data" / "photos" / "hopper.jpg"
EVENTS = ROOT / "tests" / "data" / "events"
ORIGIN = f"https://{API_HOST}"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:darkroom-uploads"
DLQ_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:darkroom-dead-letters"
PHOTO_BUCKET = f"darkroom-{ACCOUNT}-{REGION}-photos"
DEPLOY_BUCKET = f"darkroom-{ACCOUNT}-{REGION}-deploy"
SNAPSTART_ALIAS = "snapstart"  # Zappa's name for the alias API Gateway calls
TIMINGS: dict[str, float] = {}

pytestmark = pytest.mark.timeout(1200)


def function_arn(stage: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:darkroom-{stage}"


def role_arn(stage: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/darkroom-{stage}-function"


def resolved(settings: dict, stage: str) -> dict:
    """A stage with what it `extends` folded in, as Zappa reads it."""
    config = dict(settings[stage])
    parent = config.pop("extends", None)
    return {**resolved(settings, parent), **config} if parent else config


class Rehearsal:
    def __init__(self, emulator: Emulator, tmp: Path):
        self.emulator = emulator
        self.tmp = tmp
        self.settings_file = tmp / "zappa_settings.json"
        self.build = tmp / "build"
        self.outputs: dict = {}
        self.output: dict[str, str] = {}
        self.running: dict[str, RunningFunction] = {}

    # --- the operator's commands ----------------------------------------------------------

    def operator_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VIRTUAL_ENV"))}
        env.update(self.emulator.principals["deployer"].env(self.emulator.endpoint))
        return env

    def run(self, label: str, command: list[str], *, env: dict | None = None, check=True):
        started = time.monotonic()
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env=env or self.operator_env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        TIMINGS[label] = round(time.monotonic() - started, 1)
        self.output[label] = completed.stdout + completed.stderr
        if check:
            assert completed.returncode == 0, f"{label}:\n{self.output[label][-5000:]}"
        return completed

    def make(self, label: str, target: str, *variables: str, env=None, check=True):
        return self.run(label, ["make", "--no-print-directory", target, *variables], env=env,
                        check=check)  # fmt: skip

    def provision(self, label: str) -> dict:
        env = self.operator_env()
        # the secret comes from the environment, never make's command line
        env["DARKROOM_DATABASE_URL"] = f"sqlite:///{self.tmp / 'web.sqlite3'}"
        completed = self.make(
            label,
            "provision",
            f"ENDPOINT_URL={self.emulator.endpoint}",
            f"REGION={REGION}",
            f"SETTINGS_FILE={self.settings_file}",
            env=env,
        )
        assert "web.sqlite3" not in completed.stdout + completed.stderr
        text = completed.stdout
        return json.loads(text[text.index("\n{") + 1 : text.rindex("}") + 1])

    def zappa(self, label: str, *arguments: str, check=True):
        env = self.operator_env()
        env["VIRTUAL_ENV"] = str(DEPLOY_VENV)  # Zappa deploys from an active virtualenv
        env["PATH"] = f"{DEPLOY_VENV / 'bin'}:{env['PATH']}"
        return self.run(
            label,
            [str(DEPLOY_VENV / "bin" / "zappa"), *arguments, "-s", str(self.settings_file)],
            env=env,
            check=check,
        )

    def settings(self) -> dict:
        return json.loads(self.settings_file.read_text())

    # --- the deployed functions -------------------------------------------------------------

    def start(self, stage: str, *, role: str | None = None) -> RunningFunction:
        """The function's deployed code, started as Lambda starts it, under `role`'s
        credentials (its own unless told)."""
        lam = self.emulator.client("lambda")
        # visitors reach the web function through the SnapStart alias, as API Gateway calls it
        qualifier = SNAPSTART_ALIAS if stage == "web" else "$LATEST"
        config = lam.get_function_configuration(
            FunctionName=f"darkroom-{stage}", Qualifier=qualifier
        )
        name = f"{stage}-as-{role or stage}-{secrets.token_hex(3)}"
        task = fetch_code(lam, f"darkroom-{stage}", self.tmp / "task" / name, qualifier)
        # the deployment tool (and the roles' definitions) never ship
        assert not (task / "deploy").exists()
        credentials = self.emulator.assume_function_role(
            role_arn(role or stage), config["FunctionName"]
        )
        environment = {
            **config.get("Environment", {}).get("Variables", {}),
            **credentials.env(self.emulator.endpoint),
            "AWS_LAMBDA_FUNCTION_NAME": config["FunctionName"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config["MemorySize"]),
        }
        function = RunningFunction(
            task=task,
            handler=config["Handler"],
            environment=environment,
            tmp=self.tmp / "run" / name,
        )
        self.running[name] = function
        return function

    def stop_all(self) -> None:
        for function in self.running.values():
            function.stop()
        self.running.clear()


# --- the deployment, shared by the module's tests ---------------------------------------------


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    if not (DEPLOY_VENV / "bin" / "zappa").exists():
        pytest.fail("the deploy virtualenv is missing: run `make package` (make test-deploy does)")
    tmp = tmp_path_factory.mktemp("rehearsal")
    emulator = Emulator()
    emulator.start()
    rehearsal = Rehearsal(emulator, tmp)
    try:
        # the operator carries exactly the policy the README points to
        deployer = json.loads((ROOT / "deploy" / "policies" / "deployer.json").read_text())
        emulator.bootstrap(deployer)
        emulator.enforce_iam()
        settings = json.loads((ROOT / "zappa_settings.json").read_text())
        settings["web"]["touch"] = False  # the one override: no host to touch
        rehearsal.settings_file.write_text(json.dumps(settings, indent=4))

        rehearsal.outputs = rehearsal.provision("make provision")
        rehearsal.make(
            "make package", "package", f"SETTINGS_FILE={rehearsal.settings_file}",
            f"BUILD={rehearsal.build}",
        )  # fmt: skip
        for stage in STAGES:
            rehearsal.zappa(f"zappa deploy {stage}", "deploy", stage, "-z",
                            str(rehearsal.build / f"{stage}.zip"))  # fmt: skip
        rehearsal.provision("make provision (again)")
        yield rehearsal
    finally:
        rehearsal.stop_all()
        emulator.stop()
        print("\nrehearsal timings (s):", json.dumps(TIMINGS))


# --- what was deployed --------------------------------------------------------------------------


def test_the_deployed_settings_are_the_repositorys(rehearsal):
    # given what provisioning wrote into the rehearsal's copy
    deployed = rehearsal.settings()
    repository = json.loads((ROOT / "zappa_settings.json").read_text())

    # then the copy is the repository's file but for the touch and the stream's label (the
    # emulator's account, region and prefix are the repository's placeholders)
    assert deployed["web"].pop("touch") is False
    [stream] = [e for e in deployed["web"]["events"] if "event_source" in e]
    assert stream["event_source"]["arn"] == rehearsal.outputs["stream_arn"]
    [placeholder] = [e for e in repository["web"]["events"] if "event_source" in e]
    placeholder["event_source"]["arn"] = rehearsal.outputs["stream_arn"]
    for stage in deployed:
        assert deployed[stage] == repository[stage], stage


def test_zappa_cannot_make_the_stream_mapping_and_provisioning_does(rehearsal):
    # Zappa 0.63 (the newest) asks for the mapping without a starting position: refused
    assert "Unable to add event source" in rehearsal.output["zappa deploy web"]
    # the second provisioning made it
    lam = rehearsal.emulator.client("lambda")
    [mapping] = lam.list_event_source_mappings(FunctionName="darkroom-web")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == rehearsal.outputs["stream_arn"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 25
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == DLQ_ARN
    assert mapping["FunctionArn"] == function_arn("web")


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_is_configured_as_its_stage_says(rehearsal, stage):
    settings = resolved(rehearsal.settings(), stage)
    lam = rehearsal.emulator.client("lambda")

    config = lam.get_function_configuration(FunctionName=f"darkroom-{stage}")

    handler = settings.get("lambda_handler", "handler.lambda_handler")
    assert config["Handler"] == handler
    assert config["Runtime"] == "python3.12"
    assert config["Architectures"] == ["x86_64"]
    assert config["MemorySize"] == settings["memory_size"]
    assert config["Timeout"] == settings["timeout_seconds"]
    # its own role, made by provisioning
    assert config["Role"] == role_arn(stage) == rehearsal.outputs["roles"][stage]
    assert config["Environment"]["Variables"] == settings["aws_environment_variables"]
    concurrency = lam.get_function_concurrency(FunctionName=f"darkroom-{stage}")
    if stage == "web":
        assert "DeadLetterConfig" not in config or not config["DeadLetterConfig"]
        assert "ReservedConcurrentExecutions" not in concurrency
    else:
        assert config["DeadLetterConfig"] == {"TargetArn": DLQ_ARN}
        assert concurrency["ReservedConcurrentExecutions"] == settings["lambda_concurrency"]
        assert config["Environment"]["Variables"]["PHOTOS_BUCKET"] == PHOTO_BUCKET


def test_the_topic_feeds_both_jobs_and_may_invoke_them(rehearsal):
    sns = rehearsal.emulator.client("sns")
    lam = rehearsal.emulator.client("lambda")

    subscriptions = sns.list_subscriptions_by_topic(TopicArn=TOPIC_ARN)["Subscriptions"]
    lambdas = sorted(s["Endpoint"] for s in subscriptions if s["Protocol"] == "lambda")
    assert lambdas == sorted(function_arn(stage) for stage in JOBS)

    # Zappa logs "Problem creating permission to invoke Lambda function" for these: moto
    # answers AddPermission with 200 where AWS answers 201, and Zappa checks for 201. The
    # permission is there all the same:
    assert "Problem creating permission" in rehearsal.output["zappa deploy thumbnails"]
    for stage in JOBS:
        policy = json.loads(lam.get_policy(FunctionName=f"darkroom-{stage}")["Policy"])
        invokers = [
            s for s in policy["Statement"] if s["Principal"] == {"Service": "sns.amazonaws.com"}
        ]
        assert invokers, policy
        for statement in invokers:
            assert statement["Effect"] == "Allow"
            assert statement["Action"] == "lambda:InvokeFunction"
            assert statement["Resource"] == function_arn(stage)
            assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == TOPIC_ARN
        # nobody else may invoke a job
        assert {json.dumps(s["Principal"]) for s in policy["Statement"]} == {
            json.dumps({"Service": "sns.amazonaws.com"})
        }

    # and only the photo bucket may publish to the topic
    policy = json.loads(sns.get_topic_attributes(TopicArn=TOPIC_ARN)["Attributes"]["Policy"])
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*" and deny["Action"] == "sns:Publish"


def test_the_schedule_and_the_rest_api(rehearsal):
    events = rehearsal.emulator.client("events")
    lam = rehearsal.emulator.client("lambda")
    apigateway = rehearsal.emulator.client("apigateway")

    rules = {r["Name"]: r for r in events.list_rules(NamePrefix="darkroom-web")["Rules"]}
    sweep = rules["darkroom-web-webapp.photos.aws.sweep.handler"]
    [schedule] = [e for e in rehearsal.settings()["web"]["events"] if "expression" in e]
    assert sweep["ScheduleExpression"] == schedule["expression"] == "rate(5 minutes)"
    assert sweep["State"] == "ENABLED"
    [target] = events.list_targets_by_rule(Rule=sweep["Name"])["Targets"]
    assert target["Arn"] == function_arn("web")
    policy = json.loads(lam.get_policy(FunctionName="darkroom-web")["Policy"])
    assert any(
        s["Principal"] == {"Service": "events.amazonaws.com"}
        and s["Condition"]["ArnLike"]["AWS:SourceArn"] == sweep["Arn"]
        for s in policy["Statement"]
    )

    [api] = [a for a in apigateway.get_rest_apis()["items"] if a["name"] == "darkroom-web"]
    stages = [s["stageName"] for s in apigateway.get_stages(restApiId=api["id"])["item"]]
    assert stages == ["web"]
    resources = {r["path"]: r for r in apigateway.get_resources(restApiId=api["id"])["items"]}
    assert {"/", "/{proxy+}"} <= set(resources)
    integration = apigateway.get_integration(
        restApiId=api["id"], resourceId=resources["/{proxy+}"]["id"], httpMethod="ANY"
    )
    assert integration["type"] == "AWS_PROXY"
    # through the SnapStart alias, never $LATEST (which SnapStart cannot snapshot)
    alias_arn = f"{function_arn('web')}:{SNAPSTART_ALIAS}"
    assert f"functions/{alias_arn}/invocations" in integration["uri"]
    alias = lam.get_alias(FunctionName="darkroom-web", Name=SNAPSTART_ALIAS)
    versions = lam.list_versions_by_function(FunctionName="darkroom-web")["Versions"]
    assert alias["FunctionVersion"] == max(
        (v["Version"] for v in versions if v["Version"] != "$LATEST"), key=int
    )
    # which API Gateway invokes with the web role (Zappa's REST integration credentials):
    # the role admits API Gateway, and may invoke this function (test_policies.py: only it)
    # (moto leaves the credentials out of GetIntegration: read them from Zappa's stack)
    template = rehearsal.emulator.client("cloudformation").get_template(StackName="darkroom-web")
    body = template["TemplateBody"]
    body = json.loads(body) if isinstance(body, str) else body
    methods = [r for r in body["Resources"].values() if r["Type"] == "AWS::ApiGateway::Method"]
    assert methods
    assert {m["Properties"]["Integration"]["Credentials"] for m in methods} == {role_arn("web")}
    trust = rehearsal.emulator.client("iam").get_role(RoleName="darkroom-web-function")["Role"]
    principals = [s["Principal"] for s in trust["AssumeRolePolicyDocument"]["Statement"]]
    assert {"Service": "apigateway.amazonaws.com"} in principals


# --- the deployed code, under its own roles ------------------------------------------------------


def spy_on_the_topic(emulator) -> str:
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName="spy-on-uploads")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    emulator.client("sns").subscribe(TopicArn=TOPIC_ARN, Protocol="sqs", Endpoint=arn)
    return url


def topic_deliveries(emulator, queue_url: str) -> list[dict]:
    """Every notification the topic delivered, as Lambda's SNS event."""
    sqs = emulator.client("sqs")
    events = []
    for _attempt in range(20):
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in messages:
            notification = json.loads(message["Body"])
            if '"ObjectCreated:' in notification["Message"]:
                events.append(sns_event(notification))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if events and not messages:
            return events
    return events


def sns_event(notification: dict) -> dict:
    event = json.loads((EVENTS / "snsEvent.json").read_text())
    [record] = event["Records"]
    record["EventSubscriptionArn"] = notification["TopicArn"] + ":subscription"
    record["Sns"].update(
        MessageId=notification["MessageId"],
        TopicArn=notification["TopicArn"],
        Subject=notification.get("Subject"),
        Message=notification["Message"],
        Timestamp=notification["Timestamp"],
        MessageAttributes=notification.get("MessageAttributes", {}),
    )
    return event


def stream_event(emulator, stream_arn: str) -> dict:
    """The results stream's records, as the event source mapping hands them to web."""
    streams = emulator.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            record["eventSourceARN"] = stream_arn
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if created is not None:
                record["dynamodb"]["ApproximateCreationDateTime"] = created.timestamp()
            records.append(record)
    return {"Records": records}


class Browser:
    """API Gateway (REST, proxy) requests to the web function, as a browser makes them."""

    def __init__(self, web: RunningFunction):
        self.web = web
        self.cookies = {"csrftoken": secrets.token_hex(16)}

    def request(self, method: str, path: str, *, body=None, form=None) -> dict:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.cookies["csrftoken"],
            "Origin": ORIGIN,
            "Referer": f"{ORIGIN}/web/",
        }
        if form is not None:
            body = urllib.parse.urlencode(
                {**form, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
            )
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        event = api_gateway_event(path, method=method, body=body, headers=headers)
        response = self.web.invoke(event)
        if response.get("isBase64Encoded"):
            response["body"] = base64.b64decode(response["body"]).decode()
        for cookie in (response.get("multiValueHeaders") or {}).get("Set-Cookie", []):
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response

    def api(self, method: str, path: str, **kwargs) -> tuple[int, dict]:
        response = self.request(method, path, **kwargs)
        return response["statusCode"], json.loads(response["body"] or "{}")


def test_a_photo_goes_through_the_deployed_functions(rehearsal):
    emulator = rehearsal.emulator
    web = rehearsal.start("web")
    spy = spy_on_the_topic(emulator)

    # the operator's first commands, as `zappa manage web migrate` and `zappa invoke --raw`
    # send them to the function
    assert web.invoke({"manage": "migrate --noinput"}) == {}
    password = secrets.token_urlsafe(16)
    web.invoke(
        {
            "raw_command": "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user('rehearsal', 'r@example.com', '{password}')"
        }
    )
    browser = Browser(web)
    login = browser.request(
        "POST", "/accounts/login/", form={"username": "rehearsal", "password": password}
    )
    assert login["statusCode"] == 302, login.get("body", "")[-2000:]
    assert "sessionid" in browser.cookies

    # when a photo is uploaded as the browser does: a ticket, then a POST to the bucket
    data = PHOTO.read_bytes()
    status, ticket = browser.api(
        "POST",
        "/api/uploads",
        body={"filename": PHOTO.name, "content_type": "image/jpeg", "size": len(data)},
    )
    assert status == 201, ticket
    assert ticket["url"].startswith(f"{emulator.endpoint}/{PHOTO_BUCKET}")
    posted = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": (PHOTO.name, data, "image/jpeg")},
        timeout=30,
    )
    assert posted.status_code == 204, posted.text
    photo_id = ticket["photo_id"]

    # then S3 -> SNS delivers it, and each job's deployed code, under its own role, does its work
    [delivery] = topic_deliveries(emulator, spy)
    message = json.loads(delivery["Records"][0]["Sns"]["Message"])
    key = urllib.parse.unquote_plus(message["Records"][0]["s3"]["object"]["key"])
    assert key == f"uploads/{photo_id}/{PHOTO.name}"
    answers = {stage: rehearsal.start(stage).invoke(delivery) for stage in JOBS}
    assert answers == {
        "thumbnails": {"job": "renditions", "processed": 1, "failed": 0, "skipped": 0},
        "metadata": {"job": "metadata", "processed": 1, "failed": 0, "skipped": 0},
    }
    renditions = emulator.client("s3").list_objects_v2(
        Bucket=PHOTO_BUCKET, Prefix=f"renditions/{photo_id}/"
    )
    assert {o["Key"].rsplit("/", 1)[1] for o in renditions["Contents"]} >= {"thumb.webp"}

    # and the results stream, handed to web as the mapping does, makes the photo ready
    event = stream_event(emulator, rehearsal.outputs["stream_arn"])
    assert event["Records"], "the jobs wrote nothing to the results table"
    outcome = web.invoke(event)
    assert outcome == {"batchItemFailures": []}
    status, photo = browser.api("GET", f"/api/photos/{photo_id}")
    assert status == 200, photo
    assert photo["status"] == "ready", photo
    assert photo["metadata"]["format"] == "JPEG", photo
    assert "thumb" in photo["renditions"], photo


# --- what each role may not do ----------------------------------------------------------------


def denied(call) -> bool:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        return code in ("AccessDenied", "AccessDeniedException", "403") or "not authorized" in str(
            exc
        )
    return False


def role_clients(rehearsal, stage: str):
    credentials = rehearsal.emulator.assume_function_role(role_arn(stage), f"darkroom-{stage}")
    session = credentials.session()
    return lambda service: session.client(service, endpoint_url=rehearsal.emulator.endpoint)


@pytest.mark.parametrize("stage", JOBS)
def test_a_job_role_cannot_reach_secrets_originals_or_functions(rehearsal, stage):
    client = role_clients(rehearsal, stage)
    s3, lam, sns = client("s3"), client("lambda"), client("sns")
    secrets_key = rehearsal.outputs["remote_env"].removeprefix(f"s3://{DEPLOY_BUCKET}/")

    # what it is for, it may do (the control)
    assert not denied(lambda: s3.get_object(Bucket=PHOTO_BUCKET, Key=first_upload(rehearsal)))

    # the web's secrets
    assert denied(lambda: s3.get_object(Bucket=DEPLOY_BUCKET, Key=secrets_key))
    # anybody's originals
    assert denied(lambda: s3.put_object(Bucket=PHOTO_BUCKET, Key="uploads/x/forged.jpg", Body=b"x"))
    assert denied(lambda: s3.delete_object(Bucket=PHOTO_BUCKET, Key=first_upload(rehearsal)))
    # any function (Zappa's handler would exec a raw_command)
    for target in STAGES:
        assert denied(
            lambda target=target: lam.invoke(
                FunctionName=f"darkroom-{target}", Payload=b'{"raw_command": "1"}'
            )
        )
    # the topic
    assert denied(lambda: sns.publish(TopicArn=TOPIC_ARN, Message="{}"))
    if stage == "metadata":
        # no S3 write at all
        assert denied(
            lambda: s3.put_object(Bucket=PHOTO_BUCKET, Key="renditions/x/thumb.webp", Body=b"x")
        )


def test_api_gateway_may_take_the_web_role_only_and_invoke_no_job_with_it(rehearsal):
    emulator = rehearsal.emulator
    # as the REST integration does before each call
    as_api = emulator.assume_function_role(role_arn("web"), "api", API_GATEWAY_SERVICE_USER)
    lam = as_api.session().client("lambda", endpoint_url=emulator.endpoint)
    for job in JOBS:
        assert denied(lambda job=job: lam.invoke(FunctionName=f"darkroom-{job}", Payload=b"{}"))
        assert denied(
            lambda job=job: emulator.assume_function_role(
                role_arn(job), "api", API_GATEWAY_SERVICE_USER
            )
        )


def test_the_web_role_cannot_publish_to_the_topic(rehearsal):
    client = role_clients(rehearsal, "web")
    secrets_key = rehearsal.outputs["remote_env"].removeprefix(f"s3://{DEPLOY_BUCKET}/")

    assert not denied(lambda: client("s3").get_object(Bucket=DEPLOY_BUCKET, Key=secrets_key))
    assert denied(lambda: client("sns").publish(TopicArn=TOPIC_ARN, Message="{}"))
    assert denied(
        lambda: client("lambda").invoke(FunctionName="darkroom-thumbnails", Payload=b"{}")
    )
    assert denied(
        lambda: client("dynamodb").update_item(
            TableName="darkroom-results", Key={"photo_id": {"S": "x"}}
        )
    )


def first_upload(rehearsal) -> str:
    """An original someone uploaded (put by the test's observer)."""
    key = "uploads/00000000-0000-4000-8000-000000000000/someone.jpg"
    rehearsal.emulator.client("s3").put_object(Bucket=PHOTO_BUCKET, Key=key, Body=b"jpeg")
    return key


# --- update, undeploy, teardown -----------------------------------------------------------------


def test_update_then_undeploy_and_teardown_leave_nothing(rehearsal):
    rehearsal.stop_all()
    emulator = rehearsal.emulator
    lam = emulator.client("lambda")

    for stage in STAGES:
        rehearsal.zappa(f"zappa update {stage}", "update", stage, "-z",
                        str(rehearsal.build / f"{stage}.zip"))  # fmt: skip
        config = lam.get_function_configuration(FunctionName=f"darkroom-{stage}")
        assert config["Role"] == role_arn(stage)
    # the update kept the mapping provisioning made
    [mapping] = lam.list_event_source_mappings(FunctionName="darkroom-web")["EventSourceMappings"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"

    for stage in STAGES:
        rehearsal.zappa(f"zappa undeploy {stage}", "undeploy", stage, "--yes")

    # teardown asks first, and removes nothing unasked
    refused = rehearsal.make(
        "make teardown (unconfirmed)", "teardown", f"ENDPOINT_URL={emulator.endpoint}",
        f"REGION={REGION}", check=False,
    )  # fmt: skip
    assert (
        refused.returncode != 0 and "CONFIRM=yes" in rehearsal.output["make teardown (unconfirmed)"]
    )
    assert PHOTO_BUCKET in {b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]}

    rehearsal.make(
        "make teardown", "teardown", f"ENDPOINT_URL={emulator.endpoint}", f"REGION={REGION}",
        "CONFIRM=yes",
    )  # fmt: skip

    assert darkroom_resources(emulator) == {}


def darkroom_resources(emulator) -> dict:
    """Everything in the account whose name says Darkroom."""

    def ours(names):
        return sorted(n for n in names if "darkroom" in n)

    client = emulator.client
    found = {
        "functions": ours(
            f["FunctionName"] for f in client("lambda").list_functions()["Functions"]
        ),
        "mappings": ours(
            m["FunctionArn"]
            for m in client("lambda").list_event_source_mappings()["EventSourceMappings"]
        ),
        "buckets": ours(b["Name"] for b in client("s3").list_buckets()["Buckets"]),
        "topics": ours(t["TopicArn"] for t in client("sns").list_topics()["Topics"]),
        "tables": ours(client("dynamodb").list_tables()["TableNames"]),
        "queues": ours(client("sqs").list_queues().get("QueueUrls", [])),
        "roles": ours(r["RoleName"] for r in client("iam").list_roles()["Roles"]),
        "log groups": ours(
            g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]
        ),
        "rules": ours(r["Name"] for r in client("events").list_rules()["Rules"]),
        "rest apis": ours(a["name"] for a in client("apigateway").get_rest_apis()["items"]),
        "stacks": ours(
            s["StackName"]
            for s in client("cloudformation").describe_stacks()["Stacks"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        ),
    }
    return {kind: names for kind, names in found.items() if names}
