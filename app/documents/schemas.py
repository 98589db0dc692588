"""Documents on the wire: what was handed in, never the bytes (those are downloaded)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.documents.kinds import DocumentKind

EXAMPLE: dict[str, JsonValue] = {
    "id": 12,
    "contract_number": "JKT01-2026-MC-000042",
    "kind": "ktp",
    "version": 1,
    "filename": "ktp-siti.jpg",
    "media_type": "image/jpeg",
    "size": 184_320,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "uploaded_by": "cs.dewi",
    "uploaded_at": "2026-11-23T03:15:00Z",
}


class DocumentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    id: int
    contract_number: str
    kind: DocumentKind
    version: int = Field(description="1 for the first file of its kind, then 2, 3...")
    filename: str = Field(description="The name it was sent with (for display only)")
    media_type: str = Field(description="Read from the content: image/jpeg, image/png or PDF")
    size: int = Field(description="Bytes")
    sha256: str = Field(description="Of the content, lower-case hex")
    uploaded_by: str | None
    uploaded_at: datetime


class DocumentList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})

    items: list[DocumentOut]


class UploadFingerprint(BaseModel):
    """What makes two uploads the same request (for ``Idempotency-Key``)."""

    kind: DocumentKind
    filename: str
    sha256: str
