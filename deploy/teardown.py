"""Teardown: remove everything provisioning and Zappa made for one prefix, so the account is as
it was. Run after `zappa undeploy` (which removes the functions, API and schedules it made);
whatever Zappa left behind is removed here too. Buckets are emptied first (every version),
then deleted. Each step tolerates what is already gone, so it can be run again.

The VPC pieces (gateway endpoints, the web security group and its rule in the database's
group) are left alone: the database's VPC and its routes may serve other things.
"""

import logging

from botocore.exceptions import ClientError

from .resources import STAGES, Names

logger = logging.getLogger(__name__)

GONE = {
    "NoSuchBucket",
    "NoSuchEntity",
    "NotFound",
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "404",
    "ValidationError",
}


def _gone(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] in GONE


class Teardown:
    def __init__(self, session, *, endpoint_url: str | None = None):
        self.session = session
        self.endpoint_url = endpoint_url
        self._clients = {}
        self.removed: list[str] = []

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url)
        return self._clients[service]

    def run(self, *, prefix: str) -> list[str]:
        account = self.client("sts").get_caller_identity()["Account"]
        names = Names(prefix=prefix, account=account, region=self.session.region_name)
        for stage in STAGES:
            self._step(self.remove_function, names.function(stage))
        self._step(self.remove_stack, names.function("web"))
        self._step(self.remove_rest_apis, names.function("web"))
        self._step(self.remove_rules, prefix)
        self._step(self.remove_topic, names.topic_arn)
        self._step(self.remove_table, names.table)
        self._step(self.remove_queue, names.dead_letter_queue)
        for bucket in (names.photo_bucket, names.deploy_bucket):
            self._step(self.remove_bucket, bucket)
        for stage in STAGES:
            self._step(self.remove_role, names.role(stage))
            self._step(self.remove_log_group, names.log_group(stage))
        return self.removed

    def _step(self, step, name: str) -> None:
        try:
            step(name)
        except ClientError as exc:
            if not _gone(exc):
                raise

    # --- what Zappa made (when `zappa undeploy` left it) ------------------------------------

    def remove_function(self, name: str) -> None:
        lam = self.client("lambda")
        for mapping in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
            lam.delete_event_source_mapping(UUID=mapping["UUID"])
            self.removed.append(f"event source mapping {mapping['UUID']}")
        lam.delete_function(FunctionName=name)
        self.removed.append(f"function {name}")

    def remove_stack(self, name: str) -> None:
        cloudformation = self.client("cloudformation")
        cloudformation.describe_stacks(StackName=name)
        cloudformation.delete_stack(StackName=name)
        self.removed.append(f"stack {name}")

    def remove_rest_apis(self, name: str) -> None:
        # Zappa names the REST API after the function; its stack's deletion normally takes
        # it along, but a stack that failed to delete (or an emulator's) leaves it.
        apigateway = self.client("apigateway")
        for api in apigateway.get_rest_apis(limit=500)["items"]:
            if api["name"] == name:
                apigateway.delete_rest_api(restApiId=api["id"])
                self.removed.append(f"rest api {api['id']}")

    def remove_rules(self, prefix: str) -> None:
        events = self.client("events")
        for rule in events.list_rules(NamePrefix=f"{prefix}-")["Rules"]:
            targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            if targets:
                events.remove_targets(Rule=rule["Name"], Ids=[t["Id"] for t in targets])
            events.delete_rule(Name=rule["Name"])
            self.removed.append(f"rule {rule['Name']}")

    # --- what provisioning made ---------------------------------------------------------------

    def remove_topic(self, arn: str) -> None:
        sns = self.client("sns")
        sns.get_topic_attributes(TopicArn=arn)
        for subscription in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
            if subscription["SubscriptionArn"].startswith("arn:"):  # not "PendingConfirmation"
                sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
        sns.delete_topic(TopicArn=arn)
        self.removed.append(f"topic {arn}")

    def remove_table(self, name: str) -> None:
        dynamodb = self.client("dynamodb")
        dynamodb.delete_table(TableName=name)
        dynamodb.get_waiter("table_not_exists").wait(TableName=name)
        self.removed.append(f"table {name}")

    def remove_queue(self, name: str) -> None:
        sqs = self.client("sqs")
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
        self.removed.append(f"queue {name}")

    def remove_bucket(self, name: str) -> None:
        s3 = self.client("s3")
        s3.head_bucket(Bucket=name)
        # Every object, then every version and delete marker, in pages of at most 1,000
        # (DeleteObjects' limit).
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            self._delete(name, [{"Key": o["Key"]} for o in page.get("Contents", [])])
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            self._delete(
                name,
                [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                    if v.get("VersionId") not in (None, "null")
                ],
            )
        s3.delete_bucket(Bucket=name)
        self.removed.append(f"bucket {name}")

    def _delete(self, bucket: str, objects: list[dict]) -> None:
        if not objects:
            return
        s3 = self.client("s3")
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        # A batch reports its failures instead of raising: retry those one by one, which
        # raises with the reason if they fail again.
        failed = {error["Key"] for error in response.get("Errors", [])}
        for item in objects:
            if item["Key"] in failed:
                s3.delete_object(Bucket=bucket, **item)

    def remove_role(self, name: str) -> None:
        iam = self.client("iam")
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        iam.delete_role(RoleName=name)
        self.removed.append(f"role {name}")

    def remove_log_group(self, name: str) -> None:
        self.client("logs").delete_log_group(logGroupName=name)
        self.removed.append(f"log group {name}")
