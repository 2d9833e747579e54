"""Provisioning: the AWS resources Zappa does not create, made idempotently, and their
names and ARNs written into zappa_settings.json.

Zappa deploys the three functions, API Gateway and the SNS subscriptions; it does not make
buckets, topics, tables or queues, and (as of 0.63) it creates DynamoDB stream mappings
without a starting position, which AWS refuses. So the stream mapping is made here too,
once the web function exists (`link_stream`); Zappa's later updates keep it, since they
never remove stream mappings and only touch their batch size.

Every step reads before it writes and converges on the same state when run again.
"""

import json
import logging
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

UPLOADS_PREFIX = "uploads/"
NOTIFICATION_ID = "darkroom-uploads-to-topic"
JOB_STAGES = ("thumbnails", "metadata")


@dataclass(frozen=True)
class Names:
    prefix: str
    account: str
    region: str

    @property
    def deploy_bucket(self) -> str:
        return f"{self.prefix}-{self.account}-{self.region}-deploy"

    @property
    def photo_bucket(self) -> str:
        return f"{self.prefix}-{self.account}-{self.region}-photos"

    @property
    def topic(self) -> str:
        return f"{self.prefix}-uploads"

    @property
    def table(self) -> str:
        return f"{self.prefix}-results"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.prefix}-dead-letters"

    @property
    def web_function(self) -> str:
        return f"{self.prefix}-web"

    @property
    def remote_env_key(self) -> str:
        return f"{self.prefix}/web-env.json"


@dataclass
class Outputs:
    region: str
    account: str
    deploy_bucket: str
    photo_bucket: str
    topic_arn: str
    table: str
    stream_arn: str
    dead_letter_arn: str
    remote_env: str
    site_origins: list[str] = field(default_factory=list)
    stream_mapping: str = ""
    vpc_config: dict = field(default_factory=dict)


class Provisioner:
    def __init__(self, session, *, endpoint_url: str | None = None):
        self.session = session
        self.endpoint_url = endpoint_url
        self._clients = {}

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url)
        return self._clients[service]

    # --- the whole thing -------------------------------------------------------------------

    def provision(
        self,
        *,
        prefix: str,
        site_origins: list[str] | None = None,
        database_url: str | None = None,
        subnet_ids: list[str] | None = None,
        security_group_ids: list[str] | None = None,
        database_security_group_id: str | None = None,
    ) -> Outputs:
        region = self.session.region_name
        account = self.client("sts").get_caller_identity()["Account"]
        names = Names(prefix=prefix, account=account, region=region)
        origins = site_origins or [f"https://*.execute-api.{region}.amazonaws.com"]

        self.ensure_private_bucket(names.deploy_bucket)
        self.ensure_private_bucket(names.photo_bucket)
        self.ensure_photo_bucket_rules(names.photo_bucket, origins)
        topic_arn = self.ensure_topic(names.topic, bucket=names.photo_bucket, account=account)
        self.ensure_notification(names.photo_bucket, topic_arn)
        stream_arn = self.ensure_table(names.table)
        dead_letter_arn = self.ensure_queue(names.dead_letter_queue)
        self.ensure_remote_env(names.deploy_bucket, names.remote_env_key, database_url)
        mapping = self.link_stream(names.web_function, stream_arn, dead_letter_arn)
        vpc_config = {}
        if subnet_ids:
            vpc_config = self.ensure_web_network(
                prefix=prefix,
                subnet_ids=subnet_ids,
                security_group_ids=security_group_ids or [],
                database_security_group_id=database_security_group_id,
            )
        return Outputs(
            region=region,
            account=account,
            deploy_bucket=names.deploy_bucket,
            photo_bucket=names.photo_bucket,
            topic_arn=topic_arn,
            table=names.table,
            stream_arn=stream_arn,
            dead_letter_arn=dead_letter_arn,
            remote_env=f"s3://{names.deploy_bucket}/{names.remote_env_key}",
            site_origins=origins,
            stream_mapping=mapping,
            vpc_config=vpc_config,
        )

    # --- S3 --------------------------------------------------------------------------------

    def ensure_private_bucket(self, name: str) -> None:
        s3 = self.client("s3")
        from botocore.exceptions import ClientError

        try:
            s3.head_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
                raise
            kwargs = {"Bucket": name}
            if self.session.region_name != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {
                    "LocationConstraint": self.session.region_name
                }
            s3.create_bucket(**kwargs)
            logger.info("created bucket %s", name)
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_ownership_controls(
            Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )

    def ensure_photo_bucket_rules(self, name: str, origins: list[str]) -> None:
        s3 = self.client("s3")
        s3.put_bucket_cors(Bucket=name, CORSConfiguration=cors_configuration(origins))
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration=lifecycle_configuration()
        )

    def ensure_notification(self, bucket: str, topic_arn: str) -> None:
        s3 = self.client("s3")
        current = s3.get_bucket_notification_configuration(Bucket=bucket)
        current.pop("ResponseMetadata", None)
        # Keep anybody else's notifications; replace only ours.
        topics = [
            t for t in current.get("TopicConfigurations", []) if t.get("Id") != NOTIFICATION_ID
        ]
        topics.append(
            {
                "Id": NOTIFICATION_ID,
                "TopicArn": topic_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": UPLOADS_PREFIX}]}},
            }
        )
        config = {k: v for k, v in current.items() if k != "TopicConfigurations" and v}
        config["TopicConfigurations"] = topics
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)

    def ensure_remote_env(self, bucket: str, key: str, database_url: str | None) -> None:
        """The web function's secrets (read by Zappa's handler at cold start via remote_env):
        a secret key made once and kept, and the database URL when given."""
        s3 = self.client("s3")
        from botocore.exceptions import ClientError

        try:
            current = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            current = {}
        wanted = dict(current)
        wanted.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
        if database_url:
            wanted["DATABASE_URL"] = database_url
        if wanted != current:
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=json.dumps(wanted, indent=2).encode(),
                ContentType="application/json",
                ServerSideEncryption="AES256",
            )

    # --- SNS -------------------------------------------------------------------------------

    def ensure_topic(self, name: str, *, bucket: str, account: str) -> str:
        sns = self.client("sns")
        arn = sns.create_topic(Name=name)["TopicArn"]  # returns the existing one if any
        sns.set_topic_attributes(
            TopicArn=arn,
            AttributeName="Policy",
            AttributeValue=json.dumps(topic_policy(arn, bucket=bucket, account=account)),
        )
        return arn

    # --- DynamoDB --------------------------------------------------------------------------

    def ensure_table(self, name: str) -> str:
        dynamodb = self.client("dynamodb")
        try:
            table = dynamodb.describe_table(TableName=name)["Table"]
        except dynamodb.exceptions.ResourceNotFoundException:
            dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "photo_id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "photo_id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            )
            dynamodb.get_waiter("table_exists").wait(TableName=name)
            table = dynamodb.describe_table(TableName=name)["Table"]
            logger.info("created table %s", name)
        spec = table.get("StreamSpecification") or {}
        if not spec.get("StreamEnabled") or spec.get("StreamViewType") not in (
            "NEW_IMAGE",
            "NEW_AND_OLD_IMAGES",
        ):
            if spec.get("StreamEnabled"):
                # A stream's view type cannot change in place: turn it off first.
                dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
                dynamodb.get_waiter("table_exists").wait(TableName=name)
            dynamodb.update_table(
                TableName=name,
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            )
            dynamodb.get_waiter("table_exists").wait(TableName=name)
            table = dynamodb.describe_table(TableName=name)["Table"]
        return table["LatestStreamArn"]

    # --- SQS -------------------------------------------------------------------------------

    def ensure_queue(self, name: str) -> str:
        sqs = self.client("sqs")
        url = sqs.create_queue(
            QueueName=name,
            Attributes={"MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"},
        )["QueueUrl"]
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    # --- VPC (the web function only) --------------------------------------------------------

    def ensure_web_network(
        self,
        *,
        prefix: str,
        subnet_ids: list[str],
        security_group_ids: list[str],
        database_security_group_id: str | None,
    ) -> dict:
        """The web function's place in the database's VPC: gateway endpoints for S3 and
        DynamoDB on the subnets' route tables (free, and no NAT gateway: the function reaches
        nothing else), a security group of its own unless given, and, when the database's
        group is named, the rule that lets the function reach PostgreSQL. Zappa's
        `vpc_config` for the web stage."""
        ec2 = self.client("ec2")
        subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
        vpcs = {subnet["VpcId"] for subnet in subnets}
        if len(vpcs) != 1:
            raise ValueError(f"the subnets must share one VPC, not {sorted(vpcs)}")
        [vpc_id] = vpcs
        route_tables = self._route_tables(vpc_id, subnet_ids)
        for service in ("s3", "dynamodb"):
            self.ensure_gateway_endpoint(vpc_id, service, route_tables)
        groups = list(security_group_ids) or [self.ensure_security_group(vpc_id, prefix)]
        if database_security_group_id:
            for group in groups:
                self.allow_postgres(database_security_group_id, group)
        return {"SubnetIds": list(subnet_ids), "SecurityGroupIds": groups}

    def _route_tables(self, vpc_id: str, subnet_ids: list[str]) -> list[str]:
        ec2 = self.client("ec2")
        tables = set()
        for subnet_id in subnet_ids:
            explicit = ec2.describe_route_tables(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
            )["RouteTables"]
            if not explicit:
                # A subnet without its own association uses the VPC's main route table.
                explicit = ec2.describe_route_tables(
                    Filters=[
                        {"Name": "vpc-id", "Values": [vpc_id]},
                        {"Name": "association.main", "Values": ["true"]},
                    ]
                )["RouteTables"]
            tables |= {table["RouteTableId"] for table in explicit}
        return sorted(tables)

    def ensure_gateway_endpoint(self, vpc_id: str, service: str, route_tables: list[str]) -> str:
        ec2 = self.client("ec2")
        service_name = f"com.amazonaws.{self.session.region_name}.{service}"
        existing = [
            endpoint
            for endpoint in ec2.describe_vpc_endpoints(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc_id]},
                    {"Name": "service-name", "Values": [service_name]},
                ]
            )["VpcEndpoints"]
            if endpoint.get("VpcEndpointType", "Gateway") == "Gateway"
            and endpoint.get("State", "available").lower() not in ("deleted", "deleting")
        ]
        if not existing:
            endpoint = ec2.create_vpc_endpoint(
                VpcEndpointType="Gateway",
                VpcId=vpc_id,
                ServiceName=service_name,
                RouteTableIds=route_tables,
            )["VpcEndpoint"]
            logger.info("created the %s gateway endpoint in %s", service, vpc_id)
            return endpoint["VpcEndpointId"]
        endpoint = existing[0]
        missing = sorted(set(route_tables) - set(endpoint.get("RouteTableIds", [])))
        if missing:
            ec2.modify_vpc_endpoint(
                VpcEndpointId=endpoint["VpcEndpointId"], AddRouteTableIds=missing
            )
        return endpoint["VpcEndpointId"]

    def ensure_security_group(self, vpc_id: str, prefix: str) -> str:
        ec2 = self.client("ec2")
        name = f"{prefix}-web"
        found = ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": [name]},
            ]
        )["SecurityGroups"]
        if found:
            return found[0]["GroupId"]
        # No inbound rules: nothing connects to a Lambda function; all outbound (the default).
        return ec2.create_security_group(
            GroupName=name, Description="Darkroom web function", VpcId=vpc_id
        )["GroupId"]

    def allow_postgres(self, database_group: str, web_group: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client("ec2").authorize_security_group_ingress(
                GroupId=database_group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "UserIdGroupPairs": [
                            {"GroupId": web_group, "Description": "Darkroom web function"}
                        ],
                    }
                ],
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "InvalidPermission.Duplicate":
                raise

    # --- Lambda ----------------------------------------------------------------------------

    def link_stream(self, function_name: str, stream_arn: str, dead_letter_arn: str) -> str:
        """The stream -> web function mapping, once the function exists; its UUID or ""."""
        lam = self.client("lambda")
        try:
            lam.get_function(FunctionName=function_name)
        except lam.exceptions.ResourceNotFoundException:
            logger.info(
                "no function %s yet: link the stream after `zappa deploy web`", function_name
            )
            return ""
        settings = stream_mapping_settings(dead_letter_arn)
        existing = lam.list_event_source_mappings(
            FunctionName=function_name, EventSourceArn=stream_arn
        )["EventSourceMappings"]
        if existing:
            uuid = existing[0]["UUID"]
            lam.update_event_source_mapping(UUID=uuid, FunctionName=function_name, **settings)
            return uuid
        return lam.create_event_source_mapping(
            FunctionName=function_name,
            EventSourceArn=stream_arn,
            StartingPosition="TRIM_HORIZON",
            **settings,
        )["UUID"]


# --- documents (pure, so tests can read them) ---------------------------------------------


def topic_policy(topic_arn: str, *, bucket: str, account: str) -> dict:
    """Only this bucket, in this account, may publish (the confused-deputy guard: bucket
    names are global, so the account is checked too)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PhotoBucketPublishes",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"},
                    "StringEquals": {"aws:SourceAccount": account},
                },
            }
        ],
    }


def cors_configuration(origins: list[str]) -> dict:
    return {
        "CORSRules": [
            {
                # The browser POSTs originals straight to the bucket from the site's pages.
                "AllowedOrigins": list(origins),
                "AllowedMethods": ["POST", "GET", "HEAD"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3600,
            }
        ]
    }


def lifecycle_configuration() -> dict:
    # Originals live under uploads/ for as long as the photo does, so nothing there expires
    # by age; an upload that never completed leaves no object, and its row is removed by the
    # sweep. Only multipart leftovers (never the site's POSTs, but any tool's) are cleaned.
    return {
        "Rules": [
            {
                "ID": "abort-incomplete-multipart-uploads",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
        ]
    }


def stream_mapping_settings(dead_letter_arn: str) -> dict:
    return {
        "BatchSize": 25,
        "Enabled": True,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 10,
        "MaximumRecordAgeInSeconds": 86400,
        "DestinationConfig": {"OnFailure": {"Destination": dead_letter_arn}},
    }


# --- zappa_settings.json ------------------------------------------------------------------


def update_zappa_settings(path: Path, outputs: Outputs) -> dict:
    """Write the provisioned names into every stage that uses them; the new settings."""
    settings = json.loads(Path(path).read_text())
    region = outputs.region
    environment = {
        "PHOTOS_BUCKET": outputs.photo_bucket,
        "AWS_STORAGE_BUCKET_NAME": outputs.photo_bucket,
        "PHOTOS_RESULTS_TABLE": outputs.table,
        "PHOTOS_TOPIC_ARN": outputs.topic_arn,
        "DJANGO_ALLOWED_HOSTS": f".execute-api.{region}.amazonaws.com",
    }
    for stage_name, stage in settings.items():
        if "aws_region" in stage:
            stage["aws_region"] = region
        if "s3_bucket" in stage:
            stage["s3_bucket"] = outputs.deploy_bucket
        if "remote_env" in stage:
            stage["remote_env"] = outputs.remote_env
        if "dead_letter_arn" in stage or stage_name in JOB_STAGES:
            stage["dead_letter_arn"] = outputs.dead_letter_arn
        if stage_name == "web" and outputs.vpc_config:
            # Only the web function talks to PostgreSQL; the jobs stay outside any VPC.
            stage["vpc_config"] = outputs.vpc_config
        env = stage.get("aws_environment_variables")
        if env is not None:
            for name, value in environment.items():
                if name in env:
                    env[name] = value
        for event in stage.get("events", []):
            source = event.get("event_source")
            if not source:
                continue
            service = source.get("arn", "").split(":")[2:3]
            if service == ["sns"]:
                source["arn"] = outputs.topic_arn
            elif service == ["dynamodb"]:
                source["arn"] = outputs.stream_arn
    Path(path).write_text(json.dumps(settings, indent=4) + "\n")
    return settings


def outputs_as_dict(outputs: Outputs) -> dict:
    return asdict(outputs)
