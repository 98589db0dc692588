"""Handing in a contract's documents and reading them back, within the contract's scope.

The bytes go to the content-addressed store before the row is written; a request that then
fails leaves at most a file no row names, which the same content handed in later reuses.
"""

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import log_event
from app.core.errors import ContentTooLarge, FieldError, Forbidden, NotFound, Unprocessable
from app.core.i18n import _, format_number
from app.core.privacy import SEES_PERSONAL_DATA
from app.documents.kinds import PERSONAL, DocumentKind, may_produce, sniff
from app.documents.models import Document
from app.documents.storage import DocumentStore

FILENAME_LENGTH = 200


def display_name(filename: str) -> str:
    """The name the file was sent with, for display: printable characters only, no folders."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:FILENAME_LENGTH].strip()


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_upload(principal: Principal, kind: DocumentKind, content: bytes, max_bytes: int) -> str:
    """The content's media type, or the reason it is refused: a role that does not produce
    this kind (403), too large (413), empty or not a JPEG, PNG or PDF by its bytes (422)."""
    if not may_produce(principal.role, kind):
        raise Forbidden(
            _("Role {role} does not hand in {kind} documents.").format(
                role=principal.role, kind=kind.value
            )
        )
    if len(content) > max_bytes:
        message = _("A document is at most {limit} bytes.").format(limit=format_number(max_bytes))
        raise ContentTooLarge(
            message, errors=[FieldError(field="file", message=message, rule="max_size")]
        )
    media_type = sniff(content[:16])
    if media_type is None:
        raise Unprocessable.field(
            "file",
            _("Only JPEG, PNG and PDF files are taken (judged by their content, not their name)."),
            "file_type",
        )
    return media_type


def upload(
    session: Session,
    store: DocumentStore,
    principal: Principal,
    contract: Contract,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    max_bytes: int,
) -> Document:
    media_type = check_upload(principal, kind, content, max_bytes)
    digest = digest_of(content)
    store.put(digest, content)
    version = (
        session.scalar(
            select(func.max(Document.version)).where(
                Document.contract_id == contract.id, Document.kind == kind.value
            )
        )
        or 0
    ) + 1
    document = Document(
        contract_id=contract.id,
        kind=kind.value,
        version=version,
        filename=display_name(filename) or kind.value,
        media_type=media_type,
        size=len(content),
        sha256=digest,
        uploaded_by_id=principal.user_id,
    )
    session.add(document)
    session.flush()
    log_event(session, contract, "document_added", principal,
              payload={"document_id": document.id, "kind": kind.value, "version": version,
                       "sha256": digest})  # fmt: skip
    return document


def shown_kinds(principal: Principal) -> list[str]:
    """The kinds the caller may read: personal papers only for roles that see personal data."""
    if principal.role in SEES_PERSONAL_DATA:
        return [kind.value for kind in DocumentKind]
    return [kind.value for kind in DocumentKind if kind not in PERSONAL]


def documents_of(session: Session, principal: Principal, contract: Contract) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.contract_id == contract.id, Document.kind.in_(shown_kinds(principal)))
            .order_by(Document.id)
        )
    )


def document_of(
    session: Session, principal: Principal, contract: Contract, document_id: int
) -> Document:
    """One document of the contract the caller may read; 404 otherwise (hidden or absent)."""
    document = session.scalar(
        select(Document).where(
            Document.id == document_id,
            Document.contract_id == contract.id,
            Document.kind.in_(shown_kinds(principal)),
        )
    )
    if document is None:
        raise NotFound(
            _("No document {id} of contract {number} in your scope.").format(
                id=document_id, number=contract.number
            )
        )
    return document


def unknown_ids(session: Session, contract: Contract, ids: set[int]) -> set[int]:
    """Which of ``ids`` are not documents of ``contract`` (the survey checklist's links)."""
    if not ids:
        return set()
    found = set(
        session.scalars(
            select(Document.id).where(Document.contract_id == contract.id, Document.id.in_(ids))
        )
    )
    return ids - found
