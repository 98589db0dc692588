"""Benchmarks: plain scripts that print their figures beside a floor measured in the same run."""

import os
import tempfile

from app.core.database import Database
from app.core.migrations import migrate
from app.demo import seed_demo


def demo_database(name: str) -> tuple[str, Database]:
    """A migrated database with the demo data: PostgreSQL when ``KREDO_TEST_DATABASE_URL``
    names one (``tools.with_postgres`` sets it), else SQLite in a new temporary folder."""
    url = os.environ.get("KREDO_TEST_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='kredo-bench-')}/{name}.db"
    )
    migrate(url)
    database = Database(url)
    with database.transaction() as session:
        seed_demo(session)
    return url, database
