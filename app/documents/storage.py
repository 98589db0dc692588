"""Where documents' bytes live, by their SHA-256: the same content is stored once and a stored
file is never written again. A folder by default; an S3-compatible bucket in production
(``KREDO_DOCUMENT_BUCKET``)."""

import base64
import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from app.core.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class DocumentStore(Protocol):
    def put(self, digest: str, content: bytes) -> None:
        """Keep ``content`` under ``digest`` (its SHA-256 in hex), unless already kept."""

    def get(self, digest: str) -> bytes:
        """The content kept under ``digest``; ``FileNotFoundError`` when there is none."""


def _checked(digest: str) -> str:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError("not a SHA-256 in lower-case hex")
    return digest


class FileSystemStore:
    """``<root>/ab/abcdef...``: two levels keep a folder to a few thousand files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        return self.root / _checked(digest)[:2] / digest

    def put(self, digest: str, content: bytes) -> None:
        path = self.path_of(digest)
        if path.exists():
            return  # the same bytes, by their digest: nothing is ever overwritten
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: a reader never sees half a file, and of two
        # writers of the same content the second finds the first's file and leaves it.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o440)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)

    def get(self, digest: str) -> bytes:
        return self.path_of(digest).read_bytes()


class BucketStore:
    """``<prefix>ab/abcdef...`` in an S3-compatible bucket. A write names the content's SHA-256
    (``x-amz-checksum-sha256``), which S3 checks on arrival (refusing bytes damaged on the way)
    and keeps with the object; a key already there is left alone, as on the filesystem."""

    def __init__(self, client: "S3Client", bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key_of(self, digest: str) -> str:
        return f"{self.prefix}{_checked(digest)[:2]}/{digest}"

    def put(self, digest: str, content: bytes) -> None:
        key = self.key_of(digest)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return  # the same bytes, by their digest: nothing is ever overwritten
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchKey"}:
                raise
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=content,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=base64.b64encode(bytes.fromhex(digest)).decode(),
        )

    def get(self, digest: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key_of(digest))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
                raise FileNotFoundError(digest) from error
            raise
        return answer["Body"].read()


def store_for(settings: Settings) -> DocumentStore:
    """The store the settings name: the bucket when one is set, else the folder."""
    if settings.document_bucket is None:
        return FileSystemStore(settings.document_dir)
    import boto3  # a third of a second to import: only where a bucket is used

    client = boto3.client("s3", endpoint_url=settings.document_endpoint_url)
    return BucketStore(client, settings.document_bucket, settings.document_key_prefix)
