"""Service settings, read once from the environment (prefix ``KREDO_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KREDO_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./kredo.db"
    log_level: str = "INFO"
    migrations_dir: Path = PROJECT_ROOT / "migrations"


@lru_cache
def get_settings() -> Settings:
    return Settings()
