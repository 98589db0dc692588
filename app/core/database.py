"""Engine and session factories for SQLite (embedded default) and PostgreSQL (production).

Two kinds of transaction. A writer's takes the write lock first (SQLite: ``BEGIN IMMEDIATE``,
one writer at a time, instead of failing when a read lock would have to be upgraded); a
reader's never does (SQLite: a plain ``BEGIN``, which under WAL reads a snapshot while a writer
— the close of business included — carries on). Waits are bounded: a pooled connection for
``POOL_WAIT_SECONDS``, a lock for ``LOCK_WAIT_SECONDS``; past that the caller gets an error the
API answers 503 with ``Retry-After``, never a half-minute hang. The pool holds a connection for
every request thread (``REQUEST_THREADS``) and a few for the command line and the close.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

REQUEST_THREADS = 32  # the API's worker threads (sync endpoints and dependencies)
POOL_WAIT_SECONDS = 5
LOCK_WAIT_SECONDS = 10
READS_ONLY = "kredo_reads_only"  # execution option of a reader's connections
WRITES = "writes"  # Session.info key: the request's session is a writer's


def locks_rows(session: Session) -> bool:
    """Whether rows a writer reads to change should be locked first (a request that writes)."""
    return bool(session.info.get(WRITES))


def make_engine(url: str, **kwargs: Any) -> Engine:
    # SQL parameters carry personal data (NIK, names): never in an error message or a log.
    kwargs.setdefault("hide_parameters", True)
    pool = {"pool_size": REQUEST_THREADS, "max_overflow": 8, "pool_timeout": POOL_WAIT_SECONDS}
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": LOCK_WAIT_SECONDS},
            **(pool if ":memory:" not in url else {}),
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": f"-c lock_timeout={LOCK_WAIT_SECONDS * 1000}"},
        **pool,
        **kwargs,
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver so that "begin" below is the only BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
    # 64 MiB of page cache and memory-mapped reads: lookups in a million-row index stay in
    # memory instead of a system call per page.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


class Database:
    """One engine and its session factory; the app and the CLI each hold one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # A reader's sessions: on SQLite they never take the write lock (see above).
        self.readers = sessionmaker(
            self.engine.execution_options(**{READS_ONLY: True}), expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def writer_slots(self) -> int:
        """How many requests that write the API lets in at once: SQLite has one writer at a
        time (a few in flight keep it busy); PostgreSQL takes half the threads."""
        return REQUEST_THREADS // 2 if self.is_postgres else 4

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def brief_transaction(self, wait_ms: int = 200) -> Iterator[Session]:
        """A writer's transaction that waits at most ``wait_ms`` for a lock, for best-effort
        bookkeeping (a key's last use) that must never hold a request up; a lock not had in
        time raises ``OperationalError``."""
        if self.is_postgres:
            with self.transaction() as session:
                session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
                yield session
            return
        # SQLite: a deferred BEGIN, so the write lock is asked for by the first write, with
        # the short busy timeout in force.
        with self.readers() as session, session.begin():
            connection = session.connection()
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                yield session
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")

    def dispose(self) -> None:
        self.engine.dispose()
