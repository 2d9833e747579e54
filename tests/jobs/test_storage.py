"""The two stores: S3 (through the moto server) and a local directory."""

import os

import pytest

from jobs.errors import TooLarge
from jobs.events import ObjectCreated
from jobs.storage import RENDITION_CACHE_CONTROL, LocalStore, S3Store

KEY = "uploads/5f0c4c1e-photo/hopper.jpg"


def record_for(
    bucket: str, key: str = KEY, size: int | None = None, etag: str = ""
) -> ObjectCreated:
    # No ETag unless a test names the object's own: a made-up one would never match.
    return ObjectCreated(bucket=bucket, key=key, size=size, etag=etag, sequencer="01")


def count_calls(client, operation: str) -> list:
    calls = []
    client.meta.events.register(
        f"before-call.s3.{operation}", lambda **kwargs: calls.append(operation)
    )
    return calls


# --- S3Store -------------------------------------------------------------------------------


def test_s3_fetch_downloads_to_a_temporary_file_removed_afterwards(s3, bucket, photos_dir):
    original = (photos_dir / "hopper.jpg").read_bytes()
    s3.put_object(Bucket=bucket, Key=KEY, Body=original)
    store = S3Store(s3)

    with store.fetch(record_for(bucket, size=len(original)), max_bytes=10_000_000) as path:
        assert path.read_bytes() == original
        fetched = path

    assert not fetched.exists()
    assert not fetched.parent.exists()


def test_s3_fetch_cleans_up_when_the_work_fails(s3, bucket):
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"abc")

    with pytest.raises(RuntimeError), S3Store(s3).fetch(record_for(bucket), max_bytes=10) as path:
        fetched = path
        raise RuntimeError("the job broke")

    assert not fetched.exists()


def test_s3_fetch_refuses_by_the_event_size_without_any_request(s3, bucket):
    heads, gets = count_calls(s3, "HeadObject"), count_calls(s3, "GetObject")

    with (
        pytest.raises(TooLarge, match="too large: 80 MB, limit 50 MB"),
        S3Store(s3).fetch(record_for(bucket, size=80_000_000), max_bytes=50_000_000),
    ):
        pytest.fail("must not yield")

    assert heads == [] and gets == []


def test_s3_fetch_refuses_by_head_before_downloading(s3, bucket):
    # given an event that understates the size (stale or hand-made)
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"x" * 2_500)
    gets = count_calls(s3, "GetObject")

    # when / then
    with (
        pytest.raises(TooLarge) as refused,
        S3Store(s3).fetch(record_for(bucket, size=10), max_bytes=1_000),
    ):
        pytest.fail("must not yield")

    assert refused.value.reason == "too large: 2.5 KB, limit 1 KB"
    assert gets == []  # the download never started


def test_s3_fetch_missing_object_is_a_transient_error(s3, bucket):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError), S3Store(s3).fetch(record_for(bucket), max_bytes=10):
        pytest.fail("must not yield")


def test_s3_put_sets_content_type_and_cache_control(s3, bucket):
    store = S3Store(s3, bucket=bucket)

    store.put("renditions/p1/thumb.webp", b"RIFF....WEBP", "image/webp")

    head = s3.head_object(Bucket=bucket, Key="renditions/p1/thumb.webp")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == RENDITION_CACHE_CONTROL == "private, max-age=31536000, immutable"
    assert head["ContentLength"] == 12


def test_s3_put_into_the_bucket_given_per_call(s3, bucket):
    S3Store(s3).put("renditions/p1/thumb.webp", b"data", "image/webp", bucket=bucket)

    body = s3.get_object(Bucket=bucket, Key="renditions/p1/thumb.webp")["Body"].read()
    assert body == b"data"


def test_s3_put_without_a_bucket_is_refused(s3):
    with pytest.raises(ValueError, match="needs a bucket"):
        S3Store(s3).put("renditions/p1/thumb.webp", b"data", "image/webp")


def test_s3_delete_prefix_deletes_only_that_prefix(s3, bucket, monkeypatch):
    monkeypatch.setattr("jobs.storage._PAGE_SIZE", 2)  # several pages without 1000s of objects
    keys = [f"renditions/p1/r{i}.webp" for i in range(5)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    s3.put_object(Bucket=bucket, Key="renditions/p10/thumb.webp", Body=b"")
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"")

    deleted = S3Store(s3, bucket=bucket).delete_prefix("renditions/p1/")

    assert deleted == 5
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(left) == sorted(["renditions/p10/thumb.webp", KEY])


def test_s3_delete_prefix_refuses_an_empty_prefix(s3, bucket):
    with pytest.raises(ValueError, match="empty prefix"):
        S3Store(s3, bucket=bucket).delete_prefix("/")


# --- LocalStore ----------------------------------------------------------------------------


def test_local_fetch_yields_the_file_itself(tmp_path):
    original = tmp_path / KEY
    original.parent.mkdir(parents=True)
    original.write_bytes(b"jpeg bytes")

    with LocalStore(tmp_path).fetch(record_for("ignored", size=10), max_bytes=100) as path:
        assert path == original.resolve()

    assert original.exists()  # no copy, so nothing to clean up either


def test_local_fetch_checks_the_file_size(tmp_path):
    original = tmp_path / KEY
    original.parent.mkdir(parents=True)
    original.write_bytes(b"x" * 200)

    with pytest.raises(TooLarge), LocalStore(tmp_path).fetch(record_for("b"), max_bytes=100):
        pytest.fail("must not yield")


def test_local_put_writes_atomically_and_readably(tmp_path):
    store = LocalStore(tmp_path)

    store.put("renditions/p1/thumb.webp", b"first", "image/webp")
    store.put("renditions/p1/thumb.webp", b"second", "image/webp")

    target = tmp_path / "renditions/p1/thumb.webp"
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["thumb.webp"]  # no temporary files left behind
    assert target.stat().st_mode & 0o444 == 0o444


def test_local_delete_prefix_removes_the_tree(tmp_path):
    store = LocalStore(tmp_path)
    store.put("renditions/p1/thumb.webp", b"1", "image/webp")
    store.put("renditions/p1/large.webp", b"2", "image/webp")
    store.put("renditions/p10/thumb.webp", b"3", "image/webp")

    assert store.delete_prefix("renditions/p1/") == 2
    assert not (tmp_path / "renditions/p1").exists()
    assert (tmp_path / "renditions/p10/thumb.webp").exists()
    assert store.delete_prefix("renditions/p1/") == 0


@pytest.mark.parametrize(
    "key",
    [
        "../outside.jpg",
        "uploads/../../outside.jpg",
        "/etc/passwd",
        "uploads/p1/../../../outside",
        "uploads\\..\\..\\outside",
        "",
        "uploads/./p1/x.jpg",
    ],
)
def test_local_store_refuses_keys_escaping_its_root(tmp_path, key):
    store = LocalStore(tmp_path / "media")

    with pytest.raises(ValueError, match="unsafe key"):
        store.put(key, b"x", "image/webp")
    with pytest.raises(ValueError), store.fetch(record_for("b", key=key), max_bytes=100):
        pytest.fail("must not yield")
    assert not (tmp_path / "outside.jpg").exists()


def test_local_store_refuses_a_symlink_out_of_its_root(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "media" / "uploads").symlink_to(tmp_path / "secret")

    with pytest.raises(ValueError, match="unsafe key"):
        LocalStore(tmp_path / "media").put("uploads/p1/x.jpg", b"x", "image/jpeg")
