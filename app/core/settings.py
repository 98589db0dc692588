"""Service settings, read once from the environment (prefix ``KREDO_``)."""

import re
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(?::\d{1,5})?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KREDO_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./kredo.db"
    log_level: str = "INFO"
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    # Collection: the last day past due of Kol-1 to Kol-4 (above the last: Kol-5), as OJK
    # has them now; older multifinance rules used other bands. JSON in the environment.
    kol_upper_days: tuple[int, int, int, int] = (0, 90, 120, 180)
    write_off_days: int = Field(default=180, ge=30, le=1000)
    # The HTTP edge: the largest request body taken (bytes), and how many failed
    # authentications one client address, or one key prefix, may have in a sliding window
    # before it is answered 429 without its key being looked at.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    auth_failures_allowed: int = Field(default=10, ge=1)
    auth_failure_window_seconds: int = Field(default=60, ge=1, le=86_400)
    # Browser front-ends served from other origins (a dealer's web app) that may call the
    # API: each origin as the browser sends it, scheme://host[:port]; a JSON list in the
    # environment. Empty: no cross-origin calls.
    cors_origins: list[str] = []
    # How long an Idempotency-Key is remembered (the IETF draft suggests 24 hours); the close
    # of business clears the older ones.
    # The language of messages when a request's Accept-Language names none of ours (and of
    # the CLI when LANG does not).
    default_language: Literal["id", "en"] = "id"
    idempotency_key_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Browsers (the portfolio page): the secret that signs the session cookie and its CSRF
    # tokens (required in production; elsewhere a new one per process), and how long a
    # session lasts after logging in.
    session_secret: SecretStr | None = Field(default=None, min_length=32)
    session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    # Money in: the company's prefix of its virtual-account numbers (the digits its banks
    # assigned it); the rest of the 16 digits is the contract's and a check digit.
    va_prefix: str = Field(default="88080", pattern=r"^[0-9]{3,8}$")
    # The worker: how long it holds a webhook endpoint between two recorded attempts (longer
    # than a delivery's timeout); a killed worker's endpoint is taken up after it.
    worker_lease_seconds: int = Field(default=60, ge=1, le=3600)
    # Reminders (the worker sends them): e-mail through this SMTP server (none: e-mail
    # reminders fail, visibly, on the contract), SMS and WhatsApp through an HTTP gateway that
    # takes a JSON POST with the key as a bearer token.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "Kredo <pengingat@kredo.invalid>"
    sms_gateway_url: str | None = None
    sms_gateway_key: SecretStr | None = None

    # Documents and photos: the folder their content is kept in, by SHA-256 (created when
    # needed; back it up with the database), and the largest file taken.
    document_dir: Path = Path("data/documents")
    # In production, an S3-compatible bucket instead of the folder (AWS S3, MinIO, Ceph...):
    # its name, the endpoint when it is not AWS's, and a key prefix. Credentials and region
    # come from the standard AWS settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    # AWS_DEFAULT_REGION, an instance role...), never from Kredo's.
    document_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    document_endpoint_url: str | None = Field(default=None, pattern=r"^https?://")
    document_key_prefix: str = Field(default="documents/", pattern=r"^([A-Za-z0-9._-]+/)*$")
    document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    # A BPKB not received from the dealer this many days after disbursement is overdue.
    bpkb_due_days: int = Field(default=90, ge=1, le=730)
    # The company's six-digit reporter code (Kode Pelapor) that OJK assigned for SLIK.
    slik_reporter_code: str = Field(default="999001", pattern=r"^\d{6}$")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme://host[:port], lower case, no path "
                    "and no wildcard"
                )
        return value

    @field_validator("kol_upper_days")
    @classmethod
    def _increasing(cls, value: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        if value[0] < 0 or any(b <= a for a, b in pairwise(value)):
            raise ValueError("Kol bands rise strictly from 0 or more days")
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
