"""moto's server with IAM enforced for the rehearsal: `python moto_iam_server.py -H HOST -p PORT`
(with INITIAL_NO_AUTH_ACTION_COUNT in the environment, as for `python -m moto.server`).

moto checks every request against the caller's identity policies (users and assumed roles)
once the first INITIAL_NO_AUTH_ACTION_COUNT requests are spent. What it does not model, and
the rehearsal depends on, is filled in here (each against moto 5.2.5), and only this:

1. Resources. moto knows the resource of a request for S3, SQS, IAM and STS only; for every
   other service it asks about resource "*", which no statement naming an ARN matches, so a
   least-privilege policy would be refused everything. Here a request whose resource moto
   does not know is matched on its action alone: such statements are checked for their
   actions (S3, SQS, IAM and STS keep moto's full resource check).
2. Service principals. A role that only Lambda may assume cannot be assumed by any caller
   moto knows. The rehearsal plays the Lambda service with an IAM user named
   `lambda.amazonaws.com`: a trust statement naming the service principal
   `lambda.amazonaws.com` admits that user (and nobody else).
3. Signatures of body-less REST calls. moto re-signs a request to check it, falling back to
   the parsed parameters when the body is empty; for Lambda's GET and DELETE calls those are
   the headers, so every signature "does not match". A body-less request is re-signed with
   its empty body, as it was sent.
4. S3 action names. moto names a few bucket requests after the API call rather than the IAM
   action AWS authorises them as (HeadBucket is s3:ListBucket; the public access block and
   ownership calls are s3:PutBucketPublicAccessBlock, s3:PutBucketOwnershipControls...).
5. API Gateway's actions. IAM authorises API Gateway's management calls by HTTP verb
   (apigateway:GET, apigateway:POST...), which is what a policy names; moto names them
   after the operation (apigateway:GetRestApi).
6. The service's context keys. Lambda calls AssumeRole on behalf of the function's
   account, so the trust policy's `aws:SourceAccount` condition sees the caller's account.
   And a trust policy's statements are weighed one by one: moto answers an Allow whose
   principal is not the caller as a denial of the whole policy, where AWS lets it not apply,
   so the web role, which Lambda and API Gateway may each take, would be refused to both.
7. One of Lambda's validations: a mapping from a DynamoDB or Kinesis stream needs a
   StartingPosition (AWS answers InvalidParameterValueException; moto accepts it). Zappa 0.63
   creates stream mappings without one, which is why provisioning creates the mapping after
   `zappa deploy web`: the rehearsal must see Zappa fail as it does on AWS.
8. The code location. GetFunction answers a URL to download the function's zip from (AWS: a
   presigned S3 URL, good for ten minutes); moto answers an AWS host it does not serve.
   Here the zip is put, readable without credentials as a presigned URL is, at
   <emulator>/awslambda-<region>-tasks/<key>, and that is the location answered.
9. Presigned requests. AWS authorises a presigned URL or a browser's POST form as the
   principal that signed it (its X-Amz-Credential), with that principal's policies; moto
   reads an Authorization header that such a request does not have, and fails. Here the
   signer's policies decide (the signature itself is not checked), and a request that names
   no signer is left to the bucket's ACLs as moto does.
10. A function's dead-letter target. moto drops DeadLetterConfig; here it is kept from
   CreateFunction and UpdateFunctionConfiguration and answered in the configuration.
11. ListFunctionUrlConfigs, which `zappa update` calls and moto does not route: answered
    from moto's own function URL configuration.
12. The stream mapping's deliveries. With a mapping in place, moto hands each new stream
    record to its own Lambda runner (a Docker container, absent here) and drops the records
    from the shard. Here nothing is handed over and the shard keeps its records: the
    rehearsal reads them with GetRecords and calls the deployed web code, as the mapping would.
"""

import json
import sys

from moto.awslambda import urls as lambda_urls
from moto.awslambda.exceptions import InvalidParameterValueException
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda.responses import LambdaResponse
from moto.iam import access_control
from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase
from moto.s3.models import get_canned_acl, s3_backends
from moto.s3.responses import ACTION_MAP, S3Response

_element_matches = IAMPolicyStatement._check_element_matches


def _check_element_matches(self, statement_element, value):
    if statement_element in ("Resource", "NotResource") and value == "*":
        return True
    return _element_matches(self, statement_element, value)


def _check_principal(self, principal: str) -> bool:
    expected = self._statement.get("Principal")
    if not expected:
        return True
    if expected == "*":
        return True
    services = expected.get("Service", [])
    services = [services] if isinstance(services, str) else services
    if any(principal.endswith(f":user/{service}") for service in services):
        return True
    aws = expected.get("AWS")
    if aws is None:
        return False
    return aws == "*" or principal == aws or principal in aws


def _check_role_trust_relationship(self, role_arn: str) -> bool:
    # moto's own check, with the account the service acts for among the context keys, each
    # statement weighed on its own: an Allow for another principal does not apply
    values = access_control.format_incoming_conditional_values(self._data)
    values["aws:SourceAccount"] = self.account_id
    role = self.backend.get_role_by_arn(role_arn)
    document = json.loads(role.assume_role_policy_document)
    statements = document["Statement"]
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        single = json.dumps({**document, "Statement": [statement]})
        result = access_control.IAMPolicy(single).is_action_permitted(
            self._action, role_arn, self._access_key.arn, values
        )
        if result != access_control.PermissionResult.PERMITTED:
            if statement["Effect"] == "Deny" and result == access_control.PermissionResult.DENIED:
                return False
            continue
        allowed = allowed or statement["Effect"] == "Allow"
    return allowed


_create_aws_request = IAMRequestBase._create_aws_request


def _create_aws_request_as_sent(self):
    request = _create_aws_request(self)
    if not self._body and self._method in ("GET", "HEAD", "DELETE"):
        request.data = b""
    return request


_request_init = IAMRequestBase.__init__


def _request_init_with_iam_action(self, *args, **kwargs):
    _request_init(self, *args, **kwargs)
    if self._service == "apigateway":
        self._action = f"apigateway:{self._method.upper()}"


_create_mapping = LambdaBackend.create_event_source_mapping


def _create_mapping_as_aws(self, spec):
    source = spec.get("EventSourceArn") or ""
    is_stream = source.startswith(("arn:aws:kinesis:", "arn:aws:dynamodb:"))
    if is_stream and not spec.get("StartingPosition"):
        raise InvalidParameterValueException(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null."
        )
    return _create_mapping(self, spec)


_get_code = LambdaFunction.get_code
ENDPOINT = ""  # set from the command line


def _get_code_served(self):
    response = _get_code(self)
    if "S3Key" in self.code and self.code_bytes:
        s3 = s3_backends[self.account_id][self.partition]
        bucket = f"awslambda-{self.region}-tasks"
        if bucket not in s3.buckets:
            s3.create_bucket(bucket, self.region)
        key = s3.put_object(bucket, self.code["S3Key"], self.code_bytes)
        key.acl = get_canned_acl("public-read")
        response["Code"]["Location"] = f"{ENDPOINT}/{bucket}/{self.code['S3Key']}"
    return response


_function_init = LambdaFunction.__init__
_get_configuration = LambdaFunction.get_configuration
_update_configuration = LambdaFunction.update_configuration


def _function_init_with_dead_letters(self, account_id, spec, *args, **kwargs):
    _function_init(self, account_id, spec, *args, **kwargs)
    self.dead_letter_config = spec.get("DeadLetterConfig") or {}


def _update_configuration_with_dead_letters(self, config_updates):
    if "DeadLetterConfig" in config_updates:
        self.dead_letter_config = config_updates["DeadLetterConfig"] or {}
    return _update_configuration(self, config_updates)


def _get_configuration_with_dead_letters(self, *args, **kwargs):
    config = _get_configuration(self, *args, **kwargs)
    if getattr(self, "dead_letter_config", {}).get("TargetArn"):
        config["DeadLetterConfig"] = self.dead_letter_config
    return config


_s3_authorize = S3Response._authenticate_and_authorize_s3_action


def _s3_authorize_presigned(self, bucket_name=None, key_name=None):
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    enforcing = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
    if "Authorization" in self.headers or not enforcing:
        return _s3_authorize(self, bucket_name, key_name)
    fields = {k.lower(): v[0] for k, v in self.querystring.items() if v}
    credential = fields.get("x-amz-credential")
    if not credential:
        return None  # anonymous: the bucket's and object's ACLs decide
    if key_name is None and "key" in fields:  # a POST form names its key in a field
        key_name = fields["key"]
    resource = (
        f"arn:aws:s3:::{bucket_name}/{key_name}" if key_name else f"arn:aws:s3:::{bucket_name}"
    )
    request = access_control.S3IAMRequest.__new__(access_control.S3IAMRequest)
    request.account_id = self.current_account
    request._data = {"BucketName": bucket_name}
    request._action = f"s3:{self._get_action()}"
    headers = {}
    if "x-amz-security-token" in fields:
        headers["X-Amz-Security-Token"] = fields["x-amz-security-token"]
    request._region = credential.split("/")[2]
    try:
        request._access_key = access_control.create_access_key(
            self.current_account, "aws", credential.split("/")[0], headers
        )
    except access_control.CreateAccessKeyFailure as exc:
        request._raise_invalid_access_key(exc.reason)
    request.check_action_permitted(resource)
    return None


def _list_function_url_configs(self):
    import json
    from urllib.parse import unquote

    function_name = unquote(self.path.rstrip("/").split("/")[-2])
    try:
        configs = [self.backend.get_function_url_config(function_name).to_dict()]
    except Exception:  # none configured: moto raises its not-found error
        configs = []
    return 200, {}, json.dumps({"FunctionUrlConfigs": configs})


LambdaResponse.list_function_url_configs = _list_function_url_configs
LambdaBackend.send_dynamodb_items = lambda self, *args, **kwargs: None
lambda_urls.url_paths[
    r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"
] = LambdaResponse.dispatch

_bucket = ACTION_MAP["BUCKET"]
_bucket["HEAD"]["DEFAULT"] = "ListBucket"
for _query in ("publicAccessBlock", "public_access_block"):
    _bucket["GET"][_query] = "GetBucketPublicAccessBlock"
    _bucket["PUT"][_query] = "PutBucketPublicAccessBlock"
    _bucket["DELETE"][_query] = "PutBucketPublicAccessBlock"
_bucket["GET"]["ownershipControls"] = "GetBucketOwnershipControls"
_bucket["PUT"]["ownershipControls"] = "PutBucketOwnershipControls"
_bucket["DELETE"]["ownershipControls"] = "PutBucketOwnershipControls"
_bucket["GET"]["encryption"] = "GetEncryptionConfiguration"
_bucket["PUT"]["encryption"] = "PutEncryptionConfiguration"
_bucket["DELETE"]["encryption"] = "PutEncryptionConfiguration"

IAMPolicyStatement._check_element_matches = _check_element_matches
IAMPolicyStatement._check_principal = _check_principal
IAMRequestBase._check_role_trust_relationship = _check_role_trust_relationship
IAMRequestBase._create_aws_request = _create_aws_request_as_sent
IAMRequestBase.__init__ = _request_init_with_iam_action
LambdaBackend.create_event_source_mapping = _create_mapping_as_aws
LambdaFunction.get_code = _get_code_served
S3Response._authenticate_and_authorize_s3_action = _s3_authorize_presigned
LambdaFunction.__init__ = _function_init_with_dead_letters
LambdaFunction.update_configuration = _update_configuration_with_dead_letters
LambdaFunction.get_configuration = _get_configuration_with_dead_letters

if __name__ == "__main__":
    from moto.server import main

    arguments = sys.argv[1:]
    host = arguments[arguments.index("-H") + 1]
    port = arguments[arguments.index("-p") + 1]
    ENDPOINT = f"http://{host}:{port}"
    sys.exit(main(arguments))
