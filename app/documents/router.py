"""A contract's documents and photos (`/v1/contracts/{number}/documents`)."""

import base64
import re
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.service import get_visible
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.core.idempotency import Idempotent
from app.core.openapi import sends
from app.core.pagination import RowId
from app.core.settings import Settings
from app.documents import service
from app.documents.kinds import DocumentKind
from app.documents.models import Document
from app.documents.schemas import DocumentList, DocumentOut, UploadFingerprint
from app.documents.storage import DocumentStore

# The upload's path, for the body limit (a file takes more than the JSON requests' limit),
# and what the multipart form adds around the file at most.
DOCUMENT_UPLOAD = re.compile(r"/v1/contracts/[^/]+/documents")
UPLOAD_FORM_BYTES = 64 * 1024

router = APIRouter(prefix="/v1/contracts", tags=["documents"])
Uploader = Annotated[Principal, Depends(require(Permission.DOCUMENT_UPLOAD))]
Reader = Annotated[Principal, Depends(require(Permission.DOCUMENT_READ))]


def document_store(request: Request) -> DocumentStore:
    """The application's one store (``create_app`` makes it from the settings)."""
    store: DocumentStore = request.app.state.document_store
    return store


Store = Annotated[DocumentStore, Depends(document_store)]


def _out(session: Session, document: Document, contract: Contract) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        contract_number=contract.number,
        kind=DocumentKind(document.kind),
        version=document.version,
        filename=document.filename,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_by=username_of(session, document.uploaded_by_id),
        uploaded_at=document.uploaded_at,
    )


@router.post(
    "/{number}/documents",
    summary="Hand in a document or photo (JPEG, PNG or PDF, judged by its content)",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    responses={201: sends("Location"), **problem_responses(403, 404, 413)},
)
def upload_document(
    number: str,
    request: Request,
    kind: Annotated[DocumentKind, Form(description="What the file is", examples=["ktp"])],
    file: Annotated[UploadFile, File(description="The file: JPEG, PNG or PDF")],
    once: Idempotent,
    session: DbSession,
    principal: Uploader,
    store: Store,
) -> JSONResponse:
    settings: Settings = request.app.state.settings
    # One byte over the limit is enough to refuse it.
    content = file.file.read(settings.document_max_bytes + 1)
    filename = file.filename or ""
    fingerprint = UploadFingerprint(kind=kind, filename=filename, sha256=service.digest_of(content))

    def work_() -> tuple[DocumentOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        document = service.upload(
            session, store, principal, contract, kind, filename, content,
            settings.document_max_bytes,
        )  # fmt: skip
        location = f"/v1/contracts/{number}/documents/{document.id}"
        return _out(session, document, contract), {"Location": location}

    return once.run(principal.user_id, fingerprint, status.HTTP_201_CREATED, work_)


@router.get(
    "/{number}/documents",
    summary="The contract's documents you may read (personal papers only for branch staff)",
    responses=problem_responses(403, 404),
)
def list_documents(number: str, session: DbSession, principal: Reader) -> DocumentList:
    contract = get_visible(session, principal, number)
    documents = service.documents_of(session, principal, contract)
    return DocumentList(items=[_out(session, d, contract) for d in documents])


@router.get(
    "/{number}/documents/{document_id}",
    summary="Download one document: its bytes as handed in, with their SHA-256",
    response_class=Response,
    responses={
        200: {
            "content": {t: {} for t in ("image/jpeg", "image/png", "application/pdf")},
            **sends("Repr-Digest"),
        },
        **problem_responses(403, 404),
    },
)
def download_document(
    number: str, document_id: RowId, session: DbSession, principal: Reader, store: Store
) -> Response:
    contract = get_visible(session, principal, number)
    document = service.document_of(session, principal, contract, document_id)
    content = store.get(document.sha256)
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return Response(
        content,
        media_type=document.media_type,
        headers={
            "Repr-Digest": f"sha-256=:{digest}:",
            "Content-Disposition": f'attachment; filename="{document.kind}-{document.id}"',
            "Cache-Control": "private, no-store",
        },
    )
