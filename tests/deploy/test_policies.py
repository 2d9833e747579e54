"""The functions' roles as documents: what each may do, that parliament passes them (and fails
a broad one), that the files under deploy/policies/ are what the code generates, and that the
deployment tool never ships in a Lambda zip."""

import fnmatch
import json
from pathlib import Path

import pytest

from deploy import lint, policies
from deploy.resources import Names

ROOT = Path(__file__).resolve().parents[2]
NAMES = Names(prefix="darkroom", account="123456789012", region="us-east-1")
BUCKET = "arn:aws:s3:::darkroom-123456789012-us-east-1-photos"


def actions(statement) -> set[str]:
    value = statement["Action"]
    return {value} if isinstance(value, str) else set(value)


def resources(statement) -> set[str]:
    value = statement["Resource"]
    return {value} if isinstance(value, str) else set(value)


def grants(document) -> dict[str, set[str]]:
    """action -> the resources it is allowed on."""
    found: dict[str, set[str]] = {}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in actions(statement):
            found.setdefault(action, set()).update(resources(statement))
    return found


def test_thumbnails_reads_originals_and_writes_renditions_only():
    assert grants(policies.thumbnails_policy(NAMES)) == {
        "s3:GetObject": {f"{BUCKET}/uploads/*"},
        "s3:PutObject": {f"{BUCKET}/renditions/*"},
        "dynamodb:UpdateItem": {"arn:aws:dynamodb:us-east-1:123456789012:table/darkroom-results"},
        "logs:CreateLogStream": {
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/darkroom-thumbnails"
            ":log-stream:*"
        },
        "logs:PutLogEvents": {
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/darkroom-thumbnails"
            ":log-stream:*"
        },
        "sqs:SendMessage": {"arn:aws:sqs:us-east-1:123456789012:darkroom-dead-letters"},
    }


def test_metadata_is_thumbnails_without_any_s3_write():
    metadata = grants(policies.metadata_policy(NAMES))
    thumbnails = grants(policies.thumbnails_policy(NAMES))
    del thumbnails["s3:PutObject"]
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        thumbnails[action] = {r.replace("thumbnails", "metadata") for r in thumbnails[action]}
    assert metadata == thumbnails


WEB_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:darkroom-web"


@pytest.mark.parametrize("stage", ["web", "thumbnails", "metadata"])
def test_no_role_may_invoke_another_function_publish_or_use_a_wildcard_action(stage):
    document = policies.function_policies(NAMES, in_vpc=True, mail_from="p@example.com")[stage]
    found = grants(document)
    if stage == "web":
        # API Gateway invokes the web function with the web role (Zappa's REST integration
        # credentials): that function and its versions or aliases, nothing else
        assert found.pop("lambda:InvokeFunction") == {WEB_FUNCTION, f"{WEB_FUNCTION}:*"}
    for action, on in found.items():
        assert "*" not in action
        assert not action.startswith(("lambda:", "sns:", "iam:", "sts:"))
        if on == {"*"}:
            # only what AWS grants on "*" alone
            assert action in {*policies.VPC_ACTIONS, "dynamodb:ListStreams"}, action
            assert stage == "web"


def test_web_reaches_its_secrets_stream_and_sender_only():
    web = grants(policies.web_policy(NAMES, mail_from="Photos <p@example.com>"))
    assert web["s3:GetObject"] == {
        f"{BUCKET}/uploads/*",
        f"{BUCKET}/renditions/*",
        "arn:aws:s3:::darkroom-123456789012-us-east-1-deploy/darkroom/web-env.json",
    }
    assert web["s3:ListBucket"] == {BUCKET}
    assert web["dynamodb:GetRecords"] == {
        "arn:aws:dynamodb:us-east-1:123456789012:table/darkroom-results/stream/*"
    }
    assert web["ses:SendRawEmail"] == {
        "arn:aws:ses:us-east-1:123456789012:identity/p@example.com",
        "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    }
    assert "dynamodb:UpdateItem" not in web  # the web never forges a job's outcome
    # network interfaces only in a VPC
    assert "ec2:CreateNetworkInterface" not in web
    assert "ec2:CreateNetworkInterface" in grants(policies.web_policy(NAMES, in_vpc=True))


LAMBDA_FOR_THIS_ACCOUNT = {
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
}


def test_only_lambda_for_this_account_may_take_a_job_role():
    trusts = policies.trust_policies("123456789012")
    for stage in ("thumbnails", "metadata"):
        assert trusts[stage] == {"Version": "2012-10-17", "Statement": [LAMBDA_FOR_THIS_ACCOUNT]}


def test_the_web_role_admits_api_gateway_which_the_deployer_alone_may_hand_it_to():
    # Zappa's REST API integration invokes the function with the function's role
    assert policies.trust_policies("123456789012")["web"]["Statement"] == [
        LAMBDA_FOR_THIS_ACCOUNT,
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    ]
    passes = [
        statement
        for statement in policies.deployer_policy(NAMES)["Statement"]
        if "iam:PassRole" in actions(statement)
    ]
    to_api = [
        s
        for s in passes
        if s["Condition"]["StringEquals"]["iam:PassedToService"] == "apigateway.amazonaws.com"
    ]
    assert [resources(s) for s in to_api] == [
        {"arn:aws:iam::123456789012:role/darkroom-web-function"}
    ]


def test_parliament_passes_the_policies_and_fails_a_broad_one(capsys):
    assert lint.main() == 0
    assert "4 policies linted by parliament, 6 checked against the code, 0 problem(s)" in (
        capsys.readouterr().out
    )

    broad = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    [problem] = lint.findings("thumbnails-function.json", broad)
    assert "RESOURCE_STAR" in problem


def test_the_policy_files_are_what_the_code_generates():
    for name, document in lint.documents().items():
        assert json.loads((ROOT / "deploy" / "policies" / name).read_text()) == document, name


def test_the_deployment_tool_is_in_no_lambda_zip():
    # Zappa matches exclude_glob against the project's top-level paths
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    for stage in ("web", "thumbnails", "metadata"):
        globs = settings[stage].get("exclude_glob", settings["common"]["exclude_glob"])
        assert any(fnmatch.fnmatch("deploy", glob) for glob in globs), stage
    # and the zips `make package` built hold none of it
    import zipfile

    for stage in ("web", "thumbnails", "metadata"):
        path = ROOT / "build" / f"{stage}.zip"
        if not path.is_file():
            pytest.fail(f"{path} is missing: run `make package` first")
        names = zipfile.ZipFile(path).namelist()
        assert not [n for n in names if n.startswith("deploy/")], stage
        assert any(n.startswith("jobs/") for n in names), stage
