"""Request-scoped dependencies: one database session per request, committed in one place."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.database import Database


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _request_session(request: Request) -> Iterator[Session]:
    # scope="function" (below) runs the commit before the response is sent: a client never
    # sees 2xx for work that then failed to commit.
    with get_database(request).sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


DbSession = Annotated[Session, Depends(_request_session, scope="function")]
