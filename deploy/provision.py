"""Provisioning: the AWS resources Zappa does not create, made idempotently, and their
names and ARNs written into zappa_settings.json (`zappa_file.py`).

Zappa deploys the three functions, API Gateway, the schedules and the SNS subscriptions; it
does not make buckets, topics, tables, queues, log groups or (with `manage_roles: false`)
the functions' roles, which are made here, one per function (`policies.py`). Zappa 0.63
creates DynamoDB stream mappings without a starting position, which AWS refuses, so the
stream mapping is made here too, once the web function exists (`link_stream`); Zappa's later
updates keep it, since they never remove stream mappings and only touch their batch size.

Every step reads before it writes and converges on the same state when run again.
"""

import json
import logging
import secrets
from dataclasses import asdict, dataclass, field

from . import policies
from .resources import (
    JOB_STAGES,
    LOG_RETENTION_DAYS,
    NOTIFICATION_ID,
    STAGES,
    STREAM_VIEW_TYPE,
    UPLOADS_PREFIX,
    Names,
    cors_configuration,
    lifecycle_configuration,
    stream_mapping_settings,
    table_spec,
    topic_policy,
)

logger = logging.getLogger(__name__)

ROLE_POLICY_NAME = "darkroom-permissions"

__all__ = ["JOB_STAGES", "Names", "Outputs", "Provisioner"]


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
    roles: dict = field(default_factory=dict)
    # The address the web function mails from through SES, when the operator named one.
    mail_from: str = ""


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
        mail_from: str | None = None,
    ) -> Outputs:
        region = self.session.region_name
        account = self.client("sts").get_caller_identity()["Account"]
        names = Names(prefix=prefix, account=account, region=region)
        origins = site_origins or [f"https://*.execute-api.{region}.amazonaws.com"]

        roles = self.ensure_roles(names, in_vpc=bool(subnet_ids), mail_from=mail_from)
        for stage in STAGES:
            self.ensure_log_group(names.log_group(stage))
        self.ensure_private_bucket(names.deploy_bucket)
        self.ensure_private_bucket(names.photo_bucket)
        self.ensure_photo_bucket_rules(names.photo_bucket, origins)
        topic_arn = self.ensure_topic(names.topic, bucket=names.photo_bucket, account=names.account)
        self.ensure_notification(names.photo_bucket, topic_arn)
        stream_arn = self.ensure_table(names.table)
        dead_letter_arn = self.ensure_queue(names.dead_letter_queue)
        self.ensure_remote_env(names.deploy_bucket, names.remote_env_key, database_url)
        mapping = self.link_stream(names.function("web"), stream_arn, dead_letter_arn)
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
            account=names.account,
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
            roles=roles,
            mail_from=mail_from or "",
        )

    # --- IAM and logs ------------------------------------------------------------------------

    def ensure_roles(self, names: Names, *, in_vpc: bool, mail_from: str | None) -> dict:
        """One role per function (policies.py); stage -> role ARN."""
        iam = self.client("iam")
        trusts = policies.trust_policies(names.account)
        documents = policies.function_policies(names, in_vpc=in_vpc, mail_from=mail_from)
        arns = {}
        for stage, document in documents.items():
            name = names.role(stage)
            trust = json.dumps(trusts[stage])
            try:
                arns[stage] = iam.get_role(RoleName=name)["Role"]["Arn"]
                iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust)
            except iam.exceptions.NoSuchEntityException:
                arns[stage] = iam.create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=trust,
                    Description=f"Darkroom {stage} function",
                )["Role"]["Arn"]
                logger.info("created role %s", name)
            # Inline, so the role and its permissions are created and deleted together.
            iam.put_role_policy(
                RoleName=name, PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(document)
            )
        return arns

    def ensure_log_group(self, name: str) -> None:
        logs = self.client("logs")
        found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        if not any(group["logGroupName"] == name for group in found):
            logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=LOG_RETENTION_DAYS)

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
            dynamodb.create_table(**table_spec(name))
            dynamodb.get_waiter("table_exists").wait(TableName=name)
            table = dynamodb.describe_table(TableName=name)["Table"]
            logger.info("created table %s", name)
        spec = table.get("StreamSpecification") or {}
        if not spec.get("StreamEnabled") or spec.get("StreamViewType") not in (
            STREAM_VIEW_TYPE,
            "NEW_AND_OLD_IMAGES",  # a superset: not worth dropping the stream's records
        ):
            if spec.get("StreamEnabled"):
                # A stream's view type cannot change in place: turn it off first.
                dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
                dynamodb.get_waiter("table_exists").wait(TableName=name)
            dynamodb.update_table(
                TableName=name,
                StreamSpecification=table_spec(name)["StreamSpecification"],
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


def outputs_as_dict(outputs: Outputs) -> dict:
    return asdict(outputs)
