"""Request-scoped dependencies: one database session per request, committed in one place."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.database import WRITES, Database


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _request_session(request: Request) -> Iterator[Session]:
    # scope="function" (below) runs the commit before the response is sent: a client never
    # sees 2xx for work that then failed to commit. A read takes a reader's session; a write
    # a writer's, marked so that the contract it loads is locked before anything is written.
    database = get_database(request)
    writes = request.method not in READ_METHODS
    with (database.sessions if writes else database.readers)() as session:
        session.info[WRITES] = writes
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


DbSession = Annotated[Session, Depends(_request_session, scope="function")]
