"""`python -m deploy provision` against moto's server: every resource, its policy documents,
the settings it writes, and the same state when run twice."""

import json
import os
import shutil
from pathlib import Path

import aws
import boto3
import pytest
from aws_fixtures import aws_env  # noqa: F401

from deploy.cli import main as deploy_main
from deploy.provision import Provisioner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def prefix() -> str:
    return aws.unique_name("dr")


@pytest.fixture
def settings_file(tmp_path) -> Path:
    path = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", path)
    return path


def provision(aws_env, prefix, settings_file, *extra, database_url=None) -> dict:  # noqa: F811
    import contextlib
    import os
    from io import StringIO
    from unittest import mock

    out = StringIO()
    # The database URL comes from the environment, never the command line (make echoes it).
    environment = {"DARKROOM_DATABASE_URL": database_url} if database_url else {}
    with mock.patch.dict(os.environ, environment), contextlib.redirect_stdout(out):
        status = deploy_main(
            [
                "provision",
                "--region",
                aws.REGION,
                "--endpoint-url",
                aws_env,
                "--prefix",
                prefix,
                "--settings-file",
                str(settings_file),
                "--site-origin",
                "https://photos.example.com",
                *extra,
            ]
        )
    assert status == 0
    text = out.getvalue()
    return json.loads(text[: text.rindex("}") + 1])


def test_provision_creates_everything_and_converges(aws_env, prefix, settings_file):  # noqa: F811
    # when
    first = provision(aws_env, prefix, settings_file, database_url="postgres://db/x")
    second = provision(aws_env, prefix, settings_file)

    # then: the same resources, not new ones
    assert first == second
    s3 = aws.client("s3", aws_env)
    photos = first["photo_bucket"]
    assert photos == f"{prefix}-123456789012-us-east-1-photos"
    for bucket in (photos, first["deploy_bucket"]):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4

    cors = s3.get_bucket_cors(Bucket=photos)["CORSRules"]
    assert cors[0]["AllowedOrigins"] == ["https://photos.example.com"]
    assert "POST" in cors[0]["AllowedMethods"]

    rules = s3.get_bucket_lifecycle_configuration(Bucket=photos)["Rules"]
    assert rules[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert not any("Expiration" in rule for rule in rules), "originals must never expire"

    notification = s3.get_bucket_notification_configuration(Bucket=photos)
    [topic_config] = notification["TopicConfigurations"]
    assert topic_config["TopicArn"] == first["topic_arn"]
    assert topic_config["Events"] == ["s3:ObjectCreated:*"]
    assert topic_config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]

    sns = aws.client("sns", aws_env)
    attributes = sns.get_topic_attributes(TopicArn=first["topic_arn"])["Attributes"]
    policy = json.loads(attributes["Policy"])
    [statement, deny] = policy["Statement"]
    # everybody but the photo bucket is denied outright, whatever their own policies allow
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Action"] == "sns:Publish" and deny["Resource"] == first["topic_arn"]
    assert deny["Condition"] == {"ArnNotLike": {"aws:SourceArn": f"arn:aws:s3:::{photos}"}}
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Resource"] == first["topic_arn"]
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{photos}"},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }

    table = aws.client("dynamodb", aws_env).describe_table(TableName=first["table"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "photo_id", "KeyType": "HASH"}]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] == first["stream_arn"]

    sqs = aws.client("sqs", aws_env)
    url = sqs.get_queue_url(QueueName=f"{prefix}-dead-letters")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == first["dead_letter_arn"]
    assert attributes["MessageRetentionPeriod"] == "1209600"


def test_secret_key_is_made_once_and_kept(aws_env, prefix, settings_file):  # noqa: F811
    first = provision(aws_env, prefix, settings_file, database_url="postgres://db/x")
    provision(aws_env, prefix, settings_file)

    bucket, key = first["remote_env"].removeprefix("s3://").split("/", 1)
    s3 = aws.client("s3", aws_env)
    stored = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert stored["DATABASE_URL"] == "postgres://db/x"
    assert len(stored["DJANGO_SECRET_KEY"]) >= 50

    provision(aws_env, prefix, settings_file)
    again = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert again == stored


def test_settings_file_gets_the_provisioned_names(aws_env, prefix, settings_file):  # noqa: F811
    outputs = provision(aws_env, prefix, settings_file)

    zappa = json.loads(settings_file.read_text())
    assert zappa["common"]["s3_bucket"] == outputs["deploy_bucket"]
    assert zappa["web"]["remote_env"] == outputs["remote_env"]
    web_env = zappa["web"]["aws_environment_variables"]
    assert web_env["PHOTOS_BUCKET"] == outputs["photo_bucket"]
    assert web_env["PHOTOS_RESULTS_TABLE"] == outputs["table"]
    assert "PHOTOS_TOPIC_ARN" not in web_env  # the web function never publishes
    [stream] = [e for e in zappa["web"]["events"] if "event_source" in e]
    assert stream["event_source"]["arn"] == outputs["stream_arn"]
    for stage in ("thumbnails", "metadata"):
        [sns] = zappa[stage]["events"]
        assert sns["event_source"]["arn"] == outputs["topic_arn"]
        assert zappa[stage]["dead_letter_arn"] == outputs["dead_letter_arn"]
    assert (
        zappa["thumbnails"]["aws_environment_variables"]["PHOTOS_BUCKET"]
        == (outputs["photo_bucket"])
    )


def test_notification_keeps_other_configurations(aws_env, prefix):  # noqa: F811
    # given a bucket that already notifies someone else
    session = boto3.Session(region_name=aws.REGION)
    provisioner = Provisioner(session, endpoint_url=aws_env)
    outputs = provisioner.provision(prefix=prefix)
    sns = aws.client("sns", aws_env)
    other = sns.create_topic(Name=aws.unique_name("other"))["TopicArn"]
    s3 = aws.client("s3", aws_env)
    current = s3.get_bucket_notification_configuration(Bucket=outputs.photo_bucket)
    current["TopicConfigurations"].append(
        {"Id": "someone-else", "TopicArn": other, "Events": ["s3:ObjectRemoved:*"]}
    )
    s3.put_bucket_notification_configuration(
        Bucket=outputs.photo_bucket,
        NotificationConfiguration={"TopicConfigurations": current["TopicConfigurations"]},
    )

    # when
    provisioner.provision(prefix=prefix)

    # then
    ids = sorted(
        t["Id"]
        for t in s3.get_bucket_notification_configuration(Bucket=outputs.photo_bucket)[
            "TopicConfigurations"
        ]
    )
    assert ids == ["darkroom-uploads-to-topic", "someone-else"]


def test_stream_is_linked_to_the_web_function_once_it_exists(aws_env, prefix):  # noqa: F811
    import io
    import zipfile

    session = boto3.Session(region_name=aws.REGION)
    provisioner = Provisioner(session, endpoint_url=aws_env)
    # before `zappa deploy web`: nothing to link yet
    assert provisioner.provision(prefix=prefix).stream_mapping == ""

    # given the deployed web function
    role = aws.client("iam", aws_env).create_role(
        RoleName=aws.unique_name("role"), AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    lam = aws.client("lambda", aws_env)
    lam.create_function(
        FunctionName=f"{prefix}-web",
        Runtime="python3.12",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )

    # when provisioned twice more
    first = provisioner.provision(prefix=prefix)
    second = provisioner.provision(prefix=prefix)

    # then one mapping, with what Zappa cannot set
    assert first.stream_mapping and first.stream_mapping == second.stream_mapping
    mappings = lam.list_event_source_mappings(FunctionName=f"{prefix}-web")["EventSourceMappings"]
    assert len(mappings) == 1
    mapping = lam.get_event_source_mapping(UUID=first.stream_mapping)
    assert mapping["EventSourceArn"] == first.stream_arn
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == first.dead_letter_arn


def test_only_the_web_function_joins_the_vpc(aws_env, prefix, settings_file):  # noqa: F811
    # given the database's VPC: two private subnets and the database's security group
    ec2 = aws.client("ec2", aws_env)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    database_group = ec2.create_security_group(
        GroupName=aws.unique_name("db"), Description="database", VpcId=vpc
    )["GroupId"]
    network = [*("--subnet-id", subnets[0], "--subnet-id", subnets[1])]
    network += ["--database-security-group-id", database_group]

    # when, twice
    first = provision(aws_env, prefix, settings_file, *network)
    second = provision(aws_env, prefix, settings_file, *network)

    # then the same network, not a second one
    assert first["vpc_config"] == second["vpc_config"]
    config = first["vpc_config"]
    assert config["SubnetIds"] == subnets
    [web_group] = config["SecurityGroupIds"]

    # S3 and DynamoDB reachable without a NAT gateway, through the subnets' routes
    [main_table] = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "VpcEndpoints"
    ]
    assert sorted(e["ServiceName"] for e in endpoints) == [
        "com.amazonaws.us-east-1.dynamodb",
        "com.amazonaws.us-east-1.s3",
    ]
    for endpoint in endpoints:
        assert endpoint["VpcEndpointType"] == "Gateway"
        assert endpoint["RouteTableIds"] == [main_table["RouteTableId"]]

    # the database admits the web function on PostgreSQL's port, once
    [database] = ec2.describe_security_groups(GroupIds=[database_group])["SecurityGroups"]
    rules = [r for r in database["IpPermissions"] if r.get("FromPort") == 5432]
    assert len(rules) == 1
    assert [pair["GroupId"] for pair in rules[0]["UserIdGroupPairs"]] == [web_group]

    # and only the web stage joins the VPC
    written = json.loads(settings_file.read_text())
    assert written["web"]["vpc_config"] == config
    assert all("vpc_config" not in written[stage] for stage in ("thumbnails", "metadata"))


def test_each_function_gets_its_own_role(aws_env, prefix, settings_file):  # noqa: F811
    from deploy import policies
    from deploy.resources import Names

    # when
    outputs = provision(aws_env, prefix, settings_file, "--mail-from", "Photos <p@example.com>")

    # then one role per function, which Lambda may take for this account only (and API
    # Gateway the web role: Zappa's REST integration invokes the function with it)
    iam = aws.client("iam", aws_env)
    names = Names(prefix=prefix, account="123456789012", region=aws.REGION)
    zappa = json.loads(settings_file.read_text())
    assert zappa["common"]["manage_roles"] is False
    for stage in ("web", "thumbnails", "metadata"):
        role = iam.get_role(RoleName=f"{prefix}-{stage}-function")["Role"]
        assert outputs["roles"][stage] == role["Arn"]
        assert zappa[stage]["role_arn"] == role["Arn"]
        trust, *others = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
        assert [s["Principal"] for s in others] == (
            [{"Service": "apigateway.amazonaws.com"}] if stage == "web" else []
        )
        assert role["AssumeRolePolicyDocument"] == policies.trust_policies(names.account)[stage]
        [name] = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
        document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)
        expected = policies.function_policies(names, mail_from="Photos <p@example.com>")[stage]
        assert document["PolicyDocument"] == expected
        logs = aws.client("logs", aws_env).describe_log_groups(
            logGroupNamePrefix=f"/aws/lambda/{prefix}-{stage}"
        )["logGroups"]
        assert [(g["logGroupName"], g["retentionInDays"]) for g in logs] == [
            (f"/aws/lambda/{prefix}-{stage}", 30)
        ]

    # the web role sends mail as the configured sender only, and joins no VPC it was not given
    web = policies.web_policy(names, mail_from="Photos <p@example.com>")
    [mail] = [s for s in web["Statement"] if s["Sid"] == "SendMail"]
    assert mail["Resource"] == [
        f"arn:aws:ses:us-east-1:123456789012:identity/{i}" for i in ("p@example.com", "example.com")
    ]
    assert not any(s["Sid"] == "VpcNetworkInterfaces" for s in web["Statement"])


def test_the_database_url_is_never_an_argument():
    from deploy.cli import build_parser

    provision = build_parser()._subparsers._group_actions[0].choices["provision"]
    options = {option for action in provision._actions for option in action.option_strings}
    assert not any("database-url" in option and "ask" not in option for option in options)
    # what make echoes for `make provision` holds no password, however it is passed
    import subprocess

    echoed = subprocess.run(
        ["make", "-n", "provision", "REGION=us-east-1", "DB_URL=postgres://u:S3CRET@db/x"],
        cwd=ROOT,
        env={**os.environ, "DARKROOM_DATABASE_URL": "postgres://u:S3CRET@db/x"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-m deploy provision --region us-east-1" in echoed
    assert "S3CRET" not in echoed
