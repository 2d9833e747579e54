"""The tests' event builders (tests/event_builders.py) say what AWS would say: the jobs read
back exactly the object a builder was given, and a request event agrees with itself."""

from event_builders import api_gateway_event, load_event, s3_object_created, sns_event

from jobs.events import records_from_event

PHOTO_ID = "0b7c2f1e-5d44-4a4e-9c1a-2f3d4e5f6a7b"


def test_an_object_built_into_an_s3_notification_via_sns_is_read_back_unchanged():
    # given a key S3 must encode (space, plus, percent, non-ASCII) and a quoted ETag
    key = f"uploads/{PHOTO_ID}/été 100%+1.jpg"
    event = sns_event(s3_object_created("photos", key, size=1234, etag='"abc123"'))

    # when
    [record] = records_from_event(event)

    # then
    assert (record.bucket, record.key, record.size, record.etag) == ("photos", key, 1234, "abc123")
    s3 = event["Records"][0]["Sns"]["Message"]
    assert "%C3%A9t%C3%A9+100%25%2B1.jpg" in s3  # as S3 writes it: + for a space


def test_each_event_is_a_fresh_copy_of_the_recorded_payload():
    first = load_event("snsEvent")
    first["Records"][0]["Sns"]["Message"] = "changed"
    assert load_event("snsEvent")["Records"][0]["Sns"]["Message"] != "changed"


def test_an_api_gateway_request_agrees_with_itself():
    event = api_gateway_event(
        "/api/photos", method="POST", body="{}", query={"ids": "a"}, headers={"Cookie": "x=1"}
    )

    assert (event["httpMethod"], event["path"], event["body"]) == ("POST", "/api/photos", "{}")
    assert event["multiValueQueryStringParameters"] == {"ids": ["a"]}
    assert event["headers"]["Cookie"] == "x=1"
    assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
    assert event["pathParameters"] == {"proxy": "api/photos"}
    context = event["requestContext"]
    assert (context["path"], context["httpMethod"], context["stage"]) == (
        "/web/api/photos",
        "POST",
        "web",
    )
    assert context["domainName"] == event["headers"]["Host"]
