"""What Darkroom's AWS account holds, by name, and the documents that configure it: one
definition that provisioning creates, teardown removes, the IAM policies name, and the tests
build their "as deployed" resources from (so the tests' table cannot drift from the real one).

Pure: no AWS calls here.
"""

from dataclasses import dataclass

UPLOADS_PREFIX = "uploads/"
RENDITIONS_PREFIX = "renditions/"
NOTIFICATION_ID = "darkroom-uploads-to-topic"
STAGES = ("web", "thumbnails", "metadata")
JOB_STAGES = ("thumbnails", "metadata")
# Lambda's logs are kept a month: enough to diagnose, not a forever bill.
LOG_RETENTION_DAYS = 30


@dataclass(frozen=True)
class Names:
    """Every resource name derives from the prefix, the account and the region (bucket names
    are global, so they carry both)."""

    prefix: str
    account: str
    region: str
    partition: str = "aws"

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
    def topic_arn(self) -> str:
        return self.arn("sns", self.topic)

    @property
    def table(self) -> str:
        return f"{self.prefix}-results"

    @property
    def table_arn(self) -> str:
        return self.arn("dynamodb", f"table/{self.table}")

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.prefix}-dead-letters"

    @property
    def dead_letter_arn(self) -> str:
        return self.arn("sqs", self.dead_letter_queue)

    @property
    def remote_env_key(self) -> str:
        return f"{self.prefix}/web-env.json"

    def function(self, stage: str) -> str:
        # Zappa names a stage's function <project_name>-<stage>.
        return f"{self.prefix}-{stage}"

    def function_arn(self, stage: str) -> str:
        return self.arn("lambda", f"function:{self.function(stage)}")

    def role(self, stage: str) -> str:
        return f"{self.prefix}-{stage}-function"

    def role_arn(self, stage: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{self.role(stage)}"

    def log_group(self, stage: str) -> str:
        return f"/aws/lambda/{self.function(stage)}"

    def log_group_arn(self, stage: str) -> str:
        return self.arn("logs", f"log-group:{self.log_group(stage)}")

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"


# --- the results table ----------------------------------------------------------------------

# The recorder reads only the new image; NEW_IMAGE halves the stream's bytes.
STREAM_VIEW_TYPE = "NEW_IMAGE"


def table_spec(name: str) -> dict:
    """CreateTable's arguments for the jobs' results table (key `photo_id`, on-demand, a
    stream of new images)."""
    return {
        "TableName": name,
        "KeySchema": [{"AttributeName": "photo_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "photo_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
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


# --- resource policies ----------------------------------------------------------------------


def topic_policy(topic_arn: str, *, bucket: str, account: str) -> dict:
    """Only this bucket, in this account, may publish (bucket names are global, so the
    account is checked too); everybody else is denied outright, so no identity policy in
    the account (an `sns:*` somewhere) can publish a message a job would act on."""
    source = {
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"},
        "StringEquals": {"aws:SourceAccount": account},
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PhotoBucketPublishes",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": source,
            },
            {
                "Sid": "NobodyElsePublishes",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnNotLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
            },
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
