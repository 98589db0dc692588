"""Liveness and readiness: ``/healthz`` answers while the process runs, ``/readyz`` only when
the database answers and its schema is at the newest migration."""

from typing import Any

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import SQLAlchemyError

from app.core.dependencies import get_database
from app.core.migrations import head_revision

router = APIRouter(tags=["health"])


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "database": "ok",
                    "revision": "1a7cd872dc1f",
                    "head": "1a7cd872dc1f",
                }
            ]
        }
    )

    status: str
    database: str | None = None
    revision: str | None = None
    head: str | None = None


@router.get("/healthz", summary="The process is alive")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The database is reachable and migrated to the newest revision",
    response_model=Health,
    responses={503: {"description": "Not ready", "model": Health}},
)
def readyz(request: Request) -> Any:
    database = get_database(request)
    head = head_revision(database.url)
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        body = Health(status="unavailable", database="unreachable", head=head)
        return JSONResponse(body.model_dump(), status_code=503)
    if current != head:
        body = Health(status="unavailable", database="behind", revision=current, head=head)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok", revision=current, head=head)
