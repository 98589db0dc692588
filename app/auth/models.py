"""Users and their API keys. A key is shown once; only its SHA-256 digest is stored."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.roles import Role
from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime

ROLE_VALUES = tuple(role.value for role in Role)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role"),
        CheckConstraint("role <> 'dealer' OR dealer_id IS NOT NULL", name="dealer_has_dealer"),
        CheckConstraint("approval_limit IS NULL OR approval_limit >= 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealers.id"))
    # Approvers: their level in the branch's authority matrix, and an optional personal cap
    # (rupiah of amount financed) below that level's limit.
    authority_level: Mapped[int | None] = mapped_column(Integer)
    approval_limit: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The first characters of the key, for telling keys apart in lists; not a secret.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserArea(Base):
    """The survey areas a user covers: a surveyor's for automatic assignment, a salesman's
    marketing territory."""

    __tablename__ = "user_areas"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)  # fmt: skip
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)  # fmt: skip
