"""The three functions' IAM roles, one per function, each allowed exactly what its function
does on exactly its resources, and the operator's deployer policy. Pure documents built from
`resources.Names`; provisioning creates the roles from them, `python -m deploy policies`
writes them to deploy/policies/ for review, and `make lint` runs parliament over them.

Why so narrow: the jobs parse untrusted files with native decoders (libheif, libde265,
libavif, libtiff, libwebp). A decoder exploit runs with the job's role, so that role may
read originals, write its own outputs and record its outcome, and nothing else: no secrets,
no invoke (Zappa's handler `exec()`s a `raw_command`), no publish, no write to `uploads/`.
"""

from .resources import RENDITIONS_PREFIX, UPLOADS_PREFIX, Names

VERSION = "2012-10-17"
# AWS allows no narrower resource for these: network interfaces are created before they have
# an ARN. Only a function in a VPC (the web, when given subnets) gets them.
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]
STREAM_READ_ACTIONS = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
]


def trust_policy(account: str, *, api_gateway: bool = False) -> dict:
    """Lambda alone may take the role, and only on behalf of this account (the
    confused-deputy guard). The web role also admits API Gateway: Zappa's REST API invokes
    the function with the function's own role as the integration's credentials. Only the
    deployer may hand the role to an API (iam:PassRole), and no role can be handed to another
    account's."""
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }
    ]
    if api_gateway:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        )
    return {"Version": VERSION, "Statement": statements}


def trust_policies(account: str) -> dict[str, dict]:
    """stage -> its role's trust policy."""
    return {
        "web": trust_policy(account, api_gateway=True),
        "thumbnails": trust_policy(account),
        "metadata": trust_policy(account),
    }


def _objects(names: Names, *prefixes: str) -> list[str]:
    return [f"arn:{names.partition}:s3:::{names.photo_bucket}/{prefix}*" for prefix in prefixes]


def _logs(names: Names, stage: str) -> dict:
    # Provisioning creates the log group (with its retention), so the function only adds
    # streams and events to its own.
    return {
        "Sid": "OwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{names.log_group_arn(stage)}:log-stream:*",
    }


def _dead_letters(names: Names) -> dict:
    # Lambda sends a failed invocation (jobs) or a failed stream batch (web) with the
    # function's own role.
    return {
        "Sid": "DeadLetters",
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Resource": names.dead_letter_arn,
    }


def _record_outcome(names: Names) -> dict:
    return {
        "Sid": "RecordOutcome",
        "Effect": "Allow",
        "Action": "dynamodb:UpdateItem",
        "Resource": names.table_arn,
    }


def _read_originals(names: Names) -> dict:
    # HeadObject is authorised as GetObject. No ListBucket: a job is handed its key.
    return {
        "Sid": "ReadOriginals",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": _objects(names, UPLOADS_PREFIX),
    }


def thumbnails_policy(names: Names) -> dict:
    return {
        "Version": VERSION,
        "Statement": [
            _read_originals(names),
            {
                "Sid": "WriteRenditions",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": _objects(names, RENDITIONS_PREFIX),
            },
            _record_outcome(names),
            _logs(names, "thumbnails"),
            _dead_letters(names),
        ],
    }


def metadata_policy(names: Names) -> dict:
    return {
        "Version": VERSION,
        "Statement": [
            _read_originals(names),
            _record_outcome(names),
            _logs(names, "metadata"),
            _dead_letters(names),
        ],
    }


def web_policy(names: Names, *, in_vpc: bool = False, mail_from: str | None = None) -> dict:
    bucket_arn = f"arn:{names.partition}:s3:::{names.photo_bucket}"
    statements = [
        {
            # The browser's presigned POST is signed with this role: it writes uploads/.
            # Deleting a photo removes its original and renditions; the sweep re-announces
            # an original by copying it onto itself (Get + Put).
            "Sid": "PhotoObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": _objects(names, UPLOADS_PREFIX, RENDITIONS_PREFIX),
        },
        {
            # Deleting lists a photo's prefix; the health check is a HeadBucket.
            "Sid": "PhotoBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
        },
        {
            # Zappa's handler reads remote_env at cold start.
            "Sid": "Secrets",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:{names.partition}:s3:::{names.deploy_bucket}/{names.remote_env_key}",
        },
        {
            # The event source mapping polls the results table's stream with this role.
            "Sid": "ResultsStream",
            "Effect": "Allow",
            "Action": STREAM_READ_ACTIONS,
            "Resource": f"{names.table_arn}/stream/*",
        },
        {
            # The mapping also lists the table's streams; AWS grants ListStreams on "*" only
            # (it returns stream ARNs, no data).
            "Sid": "ListResultsStreams",
            "Effect": "Allow",
            "Action": "dynamodb:ListStreams",
            "Resource": "*",
        },
        {
            # API Gateway calls the function with this role (Zappa's REST integration has the
            # function's role as its credentials): this function and its versions, no other.
            "Sid": "ApiGatewayInvokesWeb",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": [names.function_arn("web"), f"{names.function_arn('web')}:*"],
        },
        _logs(names, "web"),
        _dead_letters(names),
    ]
    if in_vpc:
        statements.append(
            {
                "Sid": "VpcNetworkInterfaces",
                "Effect": "Allow",
                "Action": VPC_ACTIONS,
                "Resource": "*",
            }
        )
    if mail_from:
        statements.append(
            {
                "Sid": "SendMail",
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": [names.arn("ses", f"identity/{i}") for i in mail_identities(mail_from)],
            }
        )
    return {"Version": VERSION, "Statement": statements}


def mail_identities(mail_from: str) -> list[str]:
    """SES authorises a send against the verified identity: the address or its domain."""
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return [address, address.rsplit("@", 1)[-1]]


def function_policies(
    names: Names, *, in_vpc: bool = False, mail_from: str | None = None
) -> dict[str, dict]:
    """stage -> its role's permissions policy."""
    return {
        "web": web_policy(names, in_vpc=in_vpc, mail_from=mail_from),
        "thumbnails": thumbnails_policy(names),
        "metadata": metadata_policy(names),
    }


def deployer_policy(names: Names) -> dict:
    """What the operator needs for `make provision`, `zappa deploy|update|undeploy` and
    `make teardown`: the Darkroom resources by name, nothing else in the account. (Actions
    AWS only grants on "*" are together in one statement.)"""
    p, account, region = names.partition, names.account, names.region
    prefix = names.prefix
    functions = f"arn:{p}:lambda:{region}:{account}:function:{prefix}-*"
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "Buckets",
                "Effect": "Allow",
                "Action": [
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:GetBucketLocation",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:GetBucketPublicAccessBlock",
                    "s3:PutBucketOwnershipControls",
                    "s3:PutEncryptionConfiguration",
                    "s3:PutBucketCORS",
                    "s3:GetBucketCORS",
                    "s3:PutLifecycleConfiguration",
                    "s3:GetBucketNotification",
                    "s3:PutBucketNotification",
                    "s3:GetBucketPolicy",
                    "s3:PutBucketPolicy",
                    "s3:DeleteBucketPolicy",
                ],
                "Resource": [
                    f"arn:{p}:s3:::{names.deploy_bucket}",
                    f"arn:{p}:s3:::{names.photo_bucket}",
                ],
            },
            {
                # Zappa's code zips and the secrets object; teardown empties both buckets.
                "Sid": "Objects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [
                    f"arn:{p}:s3:::{names.deploy_bucket}/*",
                    f"arn:{p}:s3:::{names.photo_bucket}/*",
                ],
            },
            {
                "Sid": "Topic",
                "Effect": "Allow",
                "Action": [
                    "sns:CreateTopic",
                    "sns:DeleteTopic",
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                ],
                "Resource": names.topic_arn,
            },
            {
                "Sid": "Table",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:CreateTable",
                    "dynamodb:DescribeTable",
                    "dynamodb:UpdateTable",
                    "dynamodb:DeleteTable",
                ],
                "Resource": names.table_arn,
            },
            {
                "Sid": "DeadLetterQueue",
                "Effect": "Allow",
                "Action": [
                    "sqs:CreateQueue",
                    "sqs:GetQueueUrl",
                    "sqs:GetQueueAttributes",
                    "sqs:SetQueueAttributes",
                    "sqs:DeleteQueue",
                ],
                "Resource": names.dead_letter_arn,
            },
            {
                "Sid": "FunctionRoles",
                "Effect": "Allow",
                "Action": [
                    "iam:CreateRole",
                    "iam:GetRole",
                    "iam:DeleteRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:GetRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:TagRole",
                ],
                "Resource": f"arn:{p}:iam::{account}:role/{prefix}-*-function",
            },
            {
                # Lambda takes the role when a function is created or updated.
                "Sid": "PassFunctionRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:{p}:iam::{account}:role/{prefix}-*-function",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            },
            {
                # The REST API's integration invokes the web function with the web role.
                "Sid": "PassWebRoleToTheApi",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": names.role_arn("web"),
                "Condition": {"StringEquals": {"iam:PassedToService": "apigateway.amazonaws.com"}},
            },
            {
                "Sid": "Functions",
                "Effect": "Allow",
                "Action": [
                    "lambda:CreateFunction",
                    "lambda:GetFunction",
                    "lambda:GetFunctionConfiguration",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:DeleteFunction",
                    "lambda:PublishVersion",
                    "lambda:ListVersionsByFunction",
                    # the web stage's SnapStart alias, which Zappa moves to each new version
                    "lambda:GetAlias",
                    "lambda:CreateAlias",
                    "lambda:UpdateAlias",
                    "lambda:ListFunctionUrlConfigs",
                    "lambda:GetFunctionUrlConfig",
                    "lambda:DeleteFunctionUrlConfig",
                    "lambda:GetProvisionedConcurrencyConfig",
                    "lambda:DeleteProvisionedConcurrencyConfig",
                    "lambda:AddPermission",
                    "lambda:RemovePermission",
                    "lambda:GetPolicy",
                    "lambda:PutFunctionConcurrency",
                    "lambda:DeleteFunctionConcurrency",
                    "lambda:GetFunctionConcurrency",
                    "lambda:InvokeFunction",
                    "lambda:TagResource",
                    "lambda:ListTags",
                ],
                "Resource": functions,
            },
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:PutRetentionPolicy",
                    "logs:DeleteLogGroup",
                    "logs:FilterLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": f"arn:{p}:logs:{region}:{account}:log-group:/aws/lambda/{prefix}-*",
            },
            {
                # Zappa's schedules (the sweep, keep-warm) are EventBridge rules named after
                # the function.
                "Sid": "Schedules",
                "Effect": "Allow",
                "Action": [
                    "events:PutRule",
                    "events:DescribeRule",
                    "events:DeleteRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:ListTargetsByRule",
                ],
                "Resource": f"arn:{p}:events:{region}:{account}:rule/{prefix}-*",
            },
            {
                "Sid": "RestApi",
                "Effect": "Allow",
                "Action": [
                    "apigateway:GET",
                    "apigateway:POST",
                    "apigateway:PUT",
                    "apigateway:PATCH",
                    "apigateway:DELETE",
                ],
                "Resource": [
                    f"arn:{p}:apigateway:{region}::/restapis",
                    f"arn:{p}:apigateway:{region}::/restapis/*",
                    f"arn:{p}:apigateway:{region}::/tags/*",
                ],
            },
            {
                # Zappa builds the REST API as a CloudFormation stack named after the function.
                "Sid": "RestApiStack",
                "Effect": "Allow",
                "Action": [
                    "cloudformation:CreateStack",
                    "cloudformation:UpdateStack",
                    "cloudformation:DeleteStack",
                    "cloudformation:DescribeStacks",
                    "cloudformation:DescribeStackResource",
                    "cloudformation:DescribeStackResources",
                    "cloudformation:ListStackResources",
                    "cloudformation:GetTemplate",
                ],
                "Resource": f"arn:{p}:cloudformation:{region}:{account}:stack/{prefix}-*/*",
            },
            {
                # The mappings' ARNs are UUIDs: bounded to the Darkroom functions instead.
                "Sid": "StreamMappings",
                "Effect": "Allow",
                "Action": [
                    "lambda:GetEventSourceMapping",
                    "lambda:UpdateEventSourceMapping",
                    "lambda:DeleteEventSourceMapping",
                ],
                "Resource": f"arn:{p}:lambda:{region}:{account}:event-source-mapping:*",
                "Condition": {"ArnLike": {"lambda:FunctionArn": functions}},
            },
            {
                "Sid": "ResultsStream",
                "Effect": "Allow",
                "Action": "dynamodb:DescribeStream",
                "Resource": f"{names.table_arn}/stream/*",
            },
            {
                # The web function's place in the database's VPC (provision --subnet-id).
                "Sid": "DatabaseVpc",
                "Effect": "Allow",
                "Action": [
                    "ec2:CreateVpcEndpoint",
                    "ec2:ModifyVpcEndpoint",
                    "ec2:CreateSecurityGroup",
                    "ec2:AuthorizeSecurityGroupIngress",
                ],
                "Resource": [
                    f"arn:{p}:ec2:{region}:{account}:vpc/*",
                    f"arn:{p}:ec2:{region}:{account}:vpc-endpoint/*",
                    f"arn:{p}:ec2:{region}:{account}:route-table/*",
                    f"arn:{p}:ec2:{region}:{account}:security-group/*",
                    f"arn:{p}:ec2:{region}:{account}:security-group-rule/*",
                ],
            },
            {
                # AWS grants these only on "*": the caller's identity, listings, creating a
                # mapping (no ARN before it exists), VPC lookups.
                "Sid": "OnlyOnAnyResource",
                "Effect": "Allow",
                "Action": [
                    "sts:GetCallerIdentity",
                    "lambda:CreateEventSourceMapping",
                    "lambda:ListEventSourceMappings",
                    "lambda:ListFunctions",
                    "s3:ListAllMyBuckets",
                    "sns:ListTopics",
                    "sns:ListSubscriptions",
                    "sns:SetSubscriptionAttributes",
                    "sns:GetSubscriptionAttributes",
                    "sns:Unsubscribe",
                    "dynamodb:ListTables",
                    "sqs:ListQueues",
                    "events:ListRules",
                    "events:ListRuleNamesByTarget",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeRouteTables",
                    "ec2:DescribeVpcEndpoints",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeNetworkInterfaces",
                    "iam:ListRoles",
                    "logs:DescribeLogGroups",
                ],
                "Resource": "*",
            },
        ],
    }
