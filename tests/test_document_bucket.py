"""Documents kept in an S3-compatible bucket (production's store) instead of the folder: the
same API, the bytes under their SHA-256 (named in the write, for the bucket to check), nothing
overwritten. The bucket is a real S3 endpoint served over HTTP on this machine (moto's server)."""

import base64
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from app.core.settings import Settings
from app.documents.storage import BucketStore, store_for
from app.main import create_app
from tests.conftest import CS, DATABASE_URL, DEALER, free_port, submit
from tests.test_documents import jpeg, pdf, upload

BUCKET = "kredo-documents"


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3 endpoint on a free loopback port, with the bucket made and the standard AWS
    settings pointing at it (as an operator would set them)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "kredo-test",
        "AWS_SECRET_ACCESS_KEY": "kredo-test-secret",
        "AWS_DEFAULT_REGION": "ap-southeast-3",  # Jakarta
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    httpx.post(f"{url}/moto-api/reset").raise_for_status()  # its buckets live per process
    boto3.client("s3", endpoint_url=url).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"}
    )
    try:
        yield url
    finally:
        server.stop()


def settings(endpoint: str, **extra: Any) -> Settings:
    return Settings(
        database_url=DATABASE_URL, env="test", log_level="WARNING", document_bucket=BUCKET,
        document_endpoint_url=endpoint, **extra,
    )  # fmt: skip


def test_documents_go_to_the_bucket_under_their_sha256(database: Any, endpoint: str) -> None:
    app = create_app(settings(endpoint, document_key_prefix="kantor-pusat/"))
    with TestClient(app, raise_server_exceptions=False) as client:
        number = submit(client)
        content = pdf("KTP di bucket")
        digest = hashlib.sha256(content).hexdigest()
        made = upload(client, number, "ktp", DEALER, "ktp.pdf", content)
        assert made.status_code == 201, made.text
        assert made.json()["sha256"] == digest
        again = upload(client, number, "ktp", DEALER, "ktp-lagi.pdf", content)
        assert again.status_code == 201  # a new document, the same stored bytes
        read = client.get(f"/v1/contracts/{number}/documents/{made.json()['id']}", headers=CS)
        assert read.status_code == 200
        assert read.content == content
        assert hashlib.sha256(read.content).hexdigest() == digest

    bucket = boto3.client("s3", endpoint_url=endpoint)
    listed = bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [item["Key"] for item in listed] == [f"kantor-pusat/{digest[:2]}/{digest}"]
    stored = bucket.get_object(Bucket=BUCKET, Key=listed[0]["Key"])["Body"].read()
    assert stored == content


def test_a_kept_key_is_never_written_again_and_its_sha256_is_kept_with_it(
    endpoint: str,
) -> None:
    store = store_for(settings(endpoint))
    assert isinstance(store, BucketStore)
    content = jpeg(7)
    digest = hashlib.sha256(content).hexdigest()
    store.put(digest, content)

    def written() -> tuple[str, Any]:
        kept = store.client.head_object(Bucket=BUCKET, Key=store.key_of(digest))
        return kept["ETag"], kept["LastModified"]

    first = written()
    time.sleep(1.1)  # S3 dates a write to the second
    store.put(digest, content)
    assert written() == first
    assert store.get(digest) == content
    other = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(FileNotFoundError):
        store.get(other)
    with pytest.raises(ValueError, match="SHA-256"):
        store.get("../" + digest[3:])
    # The write named the content's SHA-256, which the bucket keeps with the object (and S3
    # checks on arrival: bytes damaged on the way are refused).
    expected = base64.b64encode(bytes.fromhex(digest)).decode()
    checked = store.client.get_object(
        Bucket=BUCKET, Key=store.key_of(digest), ChecksumMode="ENABLED"
    )
    assert checked.get("ChecksumSHA256") == expected


def test_an_unknown_document_in_the_bucket_is_not_a_500(database: Any, endpoint: str) -> None:
    app = create_app(settings(endpoint))
    with TestClient(app, raise_server_exceptions=False) as client:
        number = submit(client)
        assert client.get(f"/v1/contracts/{number}/documents/999999", headers=CS).status_code == 404
