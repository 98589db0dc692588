"""``Idempotency-Key`` on creating POSTs: the same key and body give the first response again;
the same key with another body is 422; of two concurrent requests with one key, one does the
work and the other gets its response.

The key is claimed by inserting its row in the request's own transaction, before the work.
A concurrent request with the same key blocks on that row's unique index (PostgreSQL) or on
the database's write lock (SQLite) until the first commits, then replays its response. If the
first rolls back, the claim goes with it and the second does the work.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, ForeignKey, Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.clock import utcnow
from app.core.dependencies import DbSession
from app.core.errors import Unprocessable
from app.core.i18n import _
from app.core.models import Base, UTCDateTime
from app.core.settings import get_settings

IdempotencyKey = Header(
    alias="Idempotency-Key",
    min_length=8,
    max_length=100,
    pattern=r"^[A-Za-z0-9._:-]+$",
    description="Send the same key again to get the first response instead of a duplicate.",
)
REPLAYED_HEADERS = ("location", "etag")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def fingerprint(method: str, path: str, body: BaseModel | None) -> str:
    payload = body.model_dump(mode="json") if body is not None else None
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def remembered_since() -> datetime:
    """Keys used before this instant are forgotten."""
    return utcnow() - timedelta(hours=get_settings().idempotency_key_hours)


def forget_expired(session: Session) -> None:
    session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < remembered_since())
    )


def _replay(record: IdempotencyRecord, wanted: str) -> JSONResponse:
    if record.fingerprint != wanted:
        raise Unprocessable.field(
            "Idempotency-Key",
            _("This key was used with another request; use a new key for a new request."),
            "idempotency_key_reused",
        )
    return JSONResponse(
        record.body,
        status_code=record.status_code,
        headers={**record.headers, "Idempotent-Replayed": "true"},
    )


def run_once(
    session: Session,
    *,
    user_id: int,
    key: str | None,
    request_fingerprint: str,
    status_code: int,
    work: "Work",
) -> JSONResponse:
    """Do ``work`` (returning the body and headers of its response) at most once per key."""
    if key is None:
        body, headers = work()
        return JSONResponse(body.model_dump(mode="json"), status_code, headers=headers)
    existing = session.get(IdempotencyRecord, (user_id, key))
    if existing is not None and existing.created_at >= remembered_since():
        return _replay(existing, request_fingerprint)
    if existing is not None:  # expired: the key is free again
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.created_at < remembered_since(),
            )
        )
        session.expunge(existing)
    record = IdempotencyRecord(
        user_id=user_id,
        key=key,
        fingerprint=request_fingerprint,
        status_code=status_code,
        body={},
        headers={},
    )
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        # Another request claimed the key and has committed since: answer as it did.
        winner = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
            )
        )
        assert winner is not None
        return _replay(winner, request_fingerprint)
    body, headers = work()
    record.body = body.model_dump(mode="json")
    record.headers = {k: v for k, v in headers.items() if k.lower() in REPLAYED_HEADERS}
    session.flush()
    return JSONResponse(record.body, status_code, headers=headers)


Work = Callable[[], tuple[BaseModel, dict[str, str]]]


@dataclass(frozen=True)
class Once:
    """A creating POST's idempotency: its session, its ``Idempotency-Key`` and its path."""

    session: Session
    key: str | None
    path: str

    def run(
        self, user_id: int, body: BaseModel | None, status_code: int, work: Work
    ) -> JSONResponse:
        return run_once(
            self.session,
            user_id=user_id,
            key=self.key,
            request_fingerprint=fingerprint("POST", self.path, body),
            status_code=status_code,
            work=work,
        )


def _once(
    request: Request,
    session: DbSession,
    idempotency_key: Annotated[str | None, IdempotencyKey] = None,
) -> Once:
    return Once(session, idempotency_key, request.url.path)


Idempotent = Annotated[Once, Depends(_once)]
