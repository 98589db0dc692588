"""Alembic, driven from code: the CLI's ``migrate`` and the readiness check use the same config."""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.core.settings import get_settings


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(get_settings().migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
