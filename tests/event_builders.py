"""Lambda events for the tests, each built from a payload AWS really sent (tests/data/events,
sources in tests/data/README.md) with only the fields a test cares about replaced.

Importable from every test package (`from event_builders import ...`): pytest puts tests/ on
sys.path for tests/conftest.py, and the jobs tests need no Django to use it.
"""

import json
from pathlib import Path
from urllib.parse import quote_plus

EVENTS = Path(__file__).resolve().parent / "data" / "events"

# The host API Gateway gives a REST API's default endpoint, and the stage Zappa deploys to.
API_HOST = "abc123.execute-api.us-east-1.amazonaws.com"
API_STAGE = "web"


def load_event(name: str) -> dict:
    """A fresh copy of the recorded payload tests/data/events/<name>.json."""
    return json.loads((EVENTS / f"{name}.json").read_text())


def api_gateway_event(
    path: str,
    *,
    method: str = "GET",
    body: str | None = None,
    query: dict | None = None,
    headers: dict | None = None,
) -> dict:
    """A REST API (proxy integration, `/{proxy+}`) request to the web stage, as API Gateway
    hands it to Lambda: the recorded event with this request's method, path, query, body and
    headers (the defaults are the ones API Gateway itself adds; `headers` adds or replaces)."""
    event = load_event("apiGatewayProxyEvent")
    headers = {
        "Host": API_HOST,
        "Accept": "application/json",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "192.0.2.1",
        **(headers or {}),
    }
    event.update(
        path=path,
        resource="/{proxy+}",
        httpMethod=method,
        body=body,
        isBase64Encoded=False,
        queryStringParameters=query,
        multiValueQueryStringParameters={k: [v] for k, v in (query or {}).items()} or None,
        headers=headers,
        multiValueHeaders={k: [v] for k, v in headers.items()},
        pathParameters={"proxy": path.lstrip("/")},
    )
    event["requestContext"].update(
        path=f"/{API_STAGE}{path}", httpMethod=method, stage=API_STAGE, domainName=API_HOST
    )
    return event


def s3_object_created(
    bucket: str, key: str, *, size: int, etag: str, region: str = "us-east-1"
) -> dict:
    """The recorded S3 notification for one object created by the browser's POST, its key
    URL-encoded as S3 encodes it (space as `+`) and its ETag bare, as S3 sends them."""
    event = load_event("s3Event")
    record = event["Records"][0]
    record.update(eventName="ObjectCreated:Post", awsRegion=region)
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), size=size, eTag=etag.strip('"'))
    return event


def sns_event(message: dict | str, *, subject: str | None = "Amazon S3 Notification") -> dict:
    """The recorded SNS event delivering `message` (a dict is sent as its JSON text, the way
    S3 publishes its notifications to a topic)."""
    event = load_event("snsEvent")
    text = message if isinstance(message, str) else json.dumps(message)
    event["Records"][0]["Sns"].update(Message=text, Subject=subject)
    return event
